"""Declarative feed formats: one ``FeedSpec`` per feed, one ``FieldSpec`` per column.

The same spec validates CSV rows and JSON records, writes docs/feeds/<feed>.md and
generates the sample files, so the documentation cannot drift from what is enforced.
Validation never raises: every problem becomes a ``RowError(row, field, reason)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from openmash.intake.identifiers import nhs_number_is_valid, upn_is_valid

MAX_TEXT = 2000
# A person in a children's feed is at most this old at the event (care leavers are supported to 25).
MAX_AGE_YEARS = 25
TRUE_WORDS = {"y", "yes", "true", "1"}
FALSE_WORDS = {"n", "no", "false", "0"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")
_VRM = re.compile(r"^[A-Z0-9 ]{2,10}$")
_INT = re.compile(r"[+-]?[0-9]{1,9}")
_NHS_SHAPE = re.compile(r"[0-9]{10}")
_UPN_SHAPE = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")


@dataclass(frozen=True)
class RowError:
    """One problem with one row: ``row`` counts the header as row 1 (a spreadsheet's numbering).

    ``kept``: the row was stored all the same, with this field held back (ADR 0038); otherwise
    the row was refused.
    """

    row: int
    field: str
    reason: str
    kept: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


# The details that say who a person is: a row keeps at least one of them or is refused.
IDENTIFYING_FIELDS = ("forename", "surname", "date_of_birth", "nhs_number", "upn")
# What a row cannot be stored without: whose record it is and which, and (per feed) when it happened.
STRUCTURAL_FIELDS = ("record_id", "person_id")


class FieldProblem(Exception):
    """Raised inside a field parser; turned into a RowError by the validator."""


def _text(value: str, spec: FieldSpec) -> str:
    limit = spec.max_length or MAX_TEXT
    if len(value) > limit:
        raise FieldProblem(f"is {len(value):,} characters long; the most allowed is {limit:,}")
    return value


def _date(value: str, spec: FieldSpec) -> date:
    try:
        parsed = date.fromisoformat(value)
        if len(value) != 10:
            raise ValueError
    except ValueError:
        raise FieldProblem(
            f"'{_show(value)}' is not a date written as YYYY-MM-DD (for example 2026-03-14)"
        ) from None
    if parsed.year < 1900:
        raise FieldProblem(f"{value} is before 1900")
    return parsed


def _datetime(value: str, spec: FieldSpec) -> datetime:
    candidate = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        if len(candidate) < 16 or candidate[10] not in "T ":
            raise ValueError
        parsed = datetime.fromisoformat(candidate)
    except (ValueError, IndexError):
        raise FieldProblem(
            f"'{_show(value)}' is not a date and time written as YYYY-MM-DDTHH:MM "
            "(for example 2026-03-14T21:30, or with seconds and a UTC offset)"
        ) from None
    if parsed.year < 1900:
        raise FieldProblem(f"{value} is before 1900")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _bool(value: str, spec: FieldSpec) -> bool:
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise FieldProblem(f"'{_show(value)}' is not Y or N")


def _int(value: str, spec: FieldSpec) -> int:
    if not _INT.fullmatch(value):
        raise FieldProblem(f"'{_show(value)}' is not a whole number")
    number = int(value)
    low, high = spec.range or (0, 10**9)
    if not low <= number <= high:
        raise FieldProblem(f"{number} is outside {low} to {high}")
    return number


def _choice(value: str, spec: FieldSpec) -> str:
    assert spec.choices is not None
    code = spec.choice_codes.get(value.lower())
    if code is not None:
        return code
    raise FieldProblem(f"'{_show(value)}' is not one of: {', '.join(spec.choices)}")


def _nhs(value: str, spec: FieldSpec) -> str:
    digits = value.replace(" ", "").replace("-", "")
    if not _NHS_SHAPE.fullmatch(digits):
        raise FieldProblem(f"'{_show(value)}' is not a 10-digit NHS number")
    if not nhs_number_is_valid(digits):
        raise FieldProblem(f"{digits} fails the NHS number check digit, so it was mistyped")
    return digits


def _upn(value: str, spec: FieldSpec) -> str:
    upn = value.replace(" ", "").upper()
    if not _UPN_SHAPE.fullmatch(upn):
        raise FieldProblem(f"'{_show(value)}' is not a 13-character unique pupil number")
    if not upn_is_valid(upn):
        raise FieldProblem(f"{upn} fails the unique pupil number check letter, so it was mistyped")
    return upn


def _postcode(value: str, spec: FieldSpec) -> str:
    compact = value.upper().replace(" ", "")
    if not _POSTCODE.match(compact) or len(compact) < 5:
        raise FieldProblem(f"'{_show(value)}' is not a postcode")
    return f"{compact[:-3]} {compact[-3:]}"


def _vrm(value: str, spec: FieldSpec) -> str:
    upper = value.upper()
    if not _VRM.match(upper):
        raise FieldProblem(f"'{_show(value)}' is not a vehicle registration")
    return upper.replace(" ", "")


PARSERS: dict[str, Callable[[str, FieldSpec], Any]] = {
    "text": _text,
    "date": _date,
    "datetime": _datetime,
    "bool": _bool,
    "int": _int,
    "choice": _choice,
    "nhs_number": _nhs,
    "upn": _upn,
    "postcode": _postcode,
    "vrm": _vrm,
}

TYPE_WORDS = {
    "text": "text",
    "date": "date, YYYY-MM-DD",
    "datetime": "date and time, ISO 8601 (YYYY-MM-DDTHH:MM[:SS][±HH:MM]); no offset means UK time",
    "bool": "Y or N (also yes/no, true/false, 1/0)",
    "int": "whole number",
    "choice": "one of the codes listed",
    "nhs_number": "10 digits with a valid check digit",
    "upn": "13 characters with a valid check letter",
    "postcode": "UK postcode",
    "vrm": "vehicle registration",
}


def _show(value: str) -> str:
    """A short, printable echo of a bad value for an error message (to the sending agency only)."""
    cleaned = "".join(char if char.isprintable() else "?" for char in value[:60])
    return cleaned if len(cleaned) <= 40 else cleaned[:37] + "..."


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    description: str
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] | None = None
    choice_labels: Mapping[str, str] | None = None
    range: tuple[int, int] | None = None
    example: str = ""
    # Derived once (validation runs per value of millions of rows): lower-cased choice -> code, parser.
    choice_codes: dict[str, str] = field(init=False, repr=False, compare=False)
    parser: Callable[[str, FieldSpec], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes: dict[str, str] = {}
        for code in self.choices or ():
            codes.setdefault(code.lower(), code)  # the first code wins, as a scan in order would
        object.__setattr__(self, "choice_codes", codes)
        object.__setattr__(self, "parser", PARSERS[self.kind])

    def parse(self, raw: Any) -> Any:
        """Parse one value. Returns None for an absent optional value; raises FieldProblem."""
        if type(raw) is str:  # the common case (every CSV value), first
            value = raw
        elif raw is None:
            value = ""
        elif isinstance(raw, bool):
            value = "Y" if raw else "N"
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            value = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
        elif isinstance(raw, str):
            value = str(raw)
        else:
            raise FieldProblem("must be a single value (text, number or true/false), not a list or object")
        if not value.isprintable() and _CONTROL.search(value):
            raise FieldProblem("contains control characters (such as NUL); remove them and send it again")
        value = value.strip()
        if not value:
            if self.required:
                raise FieldProblem("is required but is missing or empty")
            return None
        return self.parser(value, self)


@dataclass(frozen=True)
class CleanRow:
    """A row that passed validation: its parsed values, and what the importer needs from it."""

    row: int
    raw: dict[str, Any]
    values: dict[str, Any]
    source_id: str
    person_id: str
    event_type: str
    event_date: date
    held: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class FeedSpec:
    code: str
    title: str
    agency_kinds: tuple[str, ...]
    description: str
    fields: tuple[FieldSpec, ...]
    event_date_field: str
    event_type: Callable[[dict[str, Any]], str]
    creates_contact: Callable[[dict[str, Any]], bool]
    contact_summary: Callable[[dict[str, Any]], str]
    contact_urgency: Callable[[dict[str, Any]], str]
    contact_rule: str
    signs_doc: str = ""
    checks: tuple[Callable[[dict[str, Any]], list[tuple[str, str]]], ...] = ()
    field_map: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_map", {spec.name: spec for spec in self.fields})

    @property
    def columns(self) -> list[str]:
        return [spec.name for spec in self.fields]

    @property
    def required_columns(self) -> list[str]:
        return [spec.name for spec in self.fields if spec.required]

    def validate(
        self, row_number: int, raw: Mapping[str, Any], *, today: date | None = None
    ) -> CleanRow | list[RowError]:
        """Validate one row (a CSV row as a dict of strings, or one JSON object). Never raises."""
        problem = _raw_problem(raw)
        if problem:
            return [RowError(row_number, problem[0], problem[1])]
        errors: list[RowError] = []
        held: list[RowError] = []
        values: dict[str, Any] = {}

        def hold_or_refuse(name: str, reason: str) -> None:
            if self.may_hold(name):
                values[name] = None
                held.append(RowError(row_number, name, reason, kept=True))
            else:
                errors.append(RowError(row_number, name, reason))

        for spec in self.fields:
            try:
                values[spec.name] = spec.parse(raw.get(spec.name))
            except FieldProblem as problem:
                empty = raw.get(spec.name) in (None, "") or not str(raw.get(spec.name)).strip()
                if empty and spec.name in IDENTIFYING_FIELDS:  # a required name left empty: no evidence
                    values[spec.name] = None
                    continue
                hold_or_refuse(spec.name, f"{spec.name} {problem}")
        if errors:
            return errors
        for problem_field, reason in _common_checks(self, values, today or timezone.localdate()):
            hold_or_refuse(problem_field, reason)
        for check in self.checks:
            for problem_field, reason in check(values):
                hold_or_refuse(problem_field, reason)
        if errors:
            return errors
        if not any(values.get(name) for name in IDENTIFYING_FIELDS):
            return [
                RowError(
                    row_number,
                    "",
                    "nothing in this row identifies the person (a name, date of birth, NHS number or unique "
                    "pupil number)" + (f"; held back: {'; '.join(e.reason for e in held)}" if held else ""),
                )
            ]
        values["forename"] = values.get("forename") or ""
        values["surname"] = values.get("surname") or ""
        return CleanRow(
            row=row_number,
            raw=dict(raw),
            values=values,
            source_id=values["record_id"],
            person_id=values["person_id"],
            event_type=self.event_type(values),
            event_date=event_date_of(values[self.event_date_field]),
            held=tuple(held),
        )

    def may_hold(self, name: str) -> bool:
        """Whether a bad value of this field is held back with the row kept (ADR 0038): any
        detail of the person, and any optional field; never the record's ids, its event date,
        or a required field that says what happened."""
        if name in STRUCTURAL_FIELDS or name == self.event_date_field:
            return False
        spec = self.field_map.get(name)
        return spec is not None and (not spec.required or name in IDENTIFYING_FIELDS)


def _raw_problem(raw: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, reason) if the row cannot be kept as its original payload, whatever its columns.

    Checked once per row, over every key and value, so ``FieldSpec.parse`` need not repeat it.
    """
    for key, value in raw.items():
        # The common case first: ASCII text with no NUL (every key and value of most rows).
        if (
            type(key) is str
            and type(value) is str
            and key.isascii()
            and value.isascii()
            and "\x00" not in value
            and "\x00" not in key
        ):
            continue
        for text in (key, value):
            if type(text) is str:
                if "\x00" in text:
                    name = _name(key)
                    return name, f"{name} contains a NUL character; remove it and send the row again"
                if not text.isascii():
                    try:
                        text.encode("utf-8")
                    except UnicodeEncodeError:
                        name = _name(key)
                        return name, f"{name} contains characters that are not valid Unicode text"
            elif text is not None and not isinstance(text, bool | int | float | str):
                name = _name(key)
                return (
                    name,
                    f"{name} must be a single value (text, a number or true/false), not a list or object",
                )
    return None


def _name(key: Any) -> str:
    return _show(key).encode("utf-8", "replace").decode() if isinstance(key, str) else "?"


def event_date_of(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def _common_checks(spec: FeedSpec, values: dict[str, Any], today: date) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    event_field = spec.event_date_field
    event_day = event_date_of(values[event_field])
    if event_day > today:
        problems.append((event_field, f"{event_field} {event_day.isoformat()} is in the future"))
    born = values.get("date_of_birth")
    if born is not None:
        if born > today:
            problems.append(("date_of_birth", f"date_of_birth {born.isoformat()} is in the future"))
        elif born > event_day:
            problems.append(
                (
                    "date_of_birth",
                    f"date_of_birth {born.isoformat()} is after the {event_field} "
                    f"({event_day.isoformat()}): the person was not born yet",
                )
            )
        else:
            age = event_day.year - born.year - ((event_day.month, event_day.day) < (born.month, born.day))
            if age > MAX_AGE_YEARS:
                problems.append(
                    (
                        "date_of_birth",
                        f"date_of_birth {born.isoformat()} makes the person {age} at the "
                        f"{event_field}; this feed is for children and young people up to {MAX_AGE_YEARS}",
                    )
                )
    return problems


# --- The identity and record columns every feed shares ------------------------------------

COMMON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "record_id",
        "text",
        "Your system's id for this record (an incident, attendance or episode). The same id "
        "sent again with the same content is stored once; with new content, as a new version.",
        required=True,
        max_length=100,
        example="MP-2026-000123",
    ),
    FieldSpec(
        "record_updated_at",
        "datetime",
        "When your system last changed this record. Send it if you can: it tells a real "
        "change back to earlier content apart from a repeat.",
        example="2026-03-14T22:05:00+00:00",
    ),
    FieldSpec(
        "person_id",
        "text",
        "Your system's id for the child or young person (never reused for someone else).",
        required=True,
        max_length=64,
        example="P-004417",
    ),
    FieldSpec("forename", "text", "First name as your system holds it.", required=True, max_length=100),
    FieldSpec("surname", "text", "Last name as your system holds it.", required=True, max_length=100),
    FieldSpec("date_of_birth", "date", "Date of birth, if known.", example="2011-07-02"),
    FieldSpec(
        "sex",
        "choice",
        "Sex, if known.",
        choices=("F", "M", "I", "U"),
        choice_labels={"F": "female", "M": "male", "I": "indeterminate", "U": "not known"},
    ),
    FieldSpec("nhs_number", "nhs_number", "NHS number, if known. Used to match to the child exactly."),
    FieldSpec("upn", "upn", "Unique pupil number, if known. Used to match to the child exactly."),
    FieldSpec("address", "text", "Address, if known.", max_length=300),
    FieldSpec("postcode", "postcode", "Postcode, if known.", example="OM1 2AB"),
)
