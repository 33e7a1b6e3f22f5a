"""The two intelligence feeds, declared once with intake's ``FieldSpec`` (docs/feeds/ is written
from them) and validated row by row into per-field errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from openmash.intake.feeds.spec import FeedSpec, FieldProblem, FieldSpec, RowError, _raw_problem
from openmash.intelligence.choices import EntityKind, GroupKind, LinkKind, PlaceKind
from openmash.intelligence.identifiers import IdentifierProblem, account_key, phone_normalise

SENDERS = (
    "police",
    "childrens_services",
    "licensing",
    "nhs_trust",
    "school",
    "voluntary",
    "probation",
    "housing",
)
GRADING_FIELDS = (
    FieldSpec(
        "source_evaluation",
        "choice",
        "3x5x2 source evaluation.",
        required=True,
        choices=("reliable", "untested", "not_reliable"),
    ),
    FieldSpec(
        "intelligence_assessment",
        "choice",
        "3x5x2 intelligence assessment (A known directly ... E suspected false).",
        required=True,
        choices=("A", "B", "C", "D", "E"),
    ),
    FieldSpec("handling_code", "choice", "3x5x2 handling code.", required=True, choices=("P", "C")),
)
RECORD_ID = FieldSpec(
    "record_id",
    "text",
    "Your system's id for this record. Sent again with the same content it is "
    "stored once; with new content, as a correction of what you sent before.",
    required=True,
    max_length=100,
    example="INT-2026-000123",
)


def _never(values: dict[str, Any]) -> bool:
    return False


def _routine(values: dict[str, Any]) -> str:
    return "routine"


def _spec(code: str, title: str, description: str, fields: tuple[FieldSpec, ...]) -> FeedSpec:
    return FeedSpec(
        code=code,
        title=title,
        agency_kinds=SENDERS,
        description=description,
        fields=fields,
        event_date_field="recorded_on",
        event_type=lambda v: code,
        creates_contact=_never,
        contact_summary=lambda v: "",
        contact_urgency=_routine,
        contact_rule="Never a contact: held in the intelligence picture for analysts.",
    )


ENTITIES = _spec(
    "intelligence_entities",
    "Intelligence: adults of concern, children, places, vehicles, phones, accounts and groups",
    "One row per entity. Links (the other intelligence feed) name entities by your record_id.",
    (
        RECORD_ID,
        FieldSpec("recorded_on", "date", "When your system recorded it.", required=True),
        FieldSpec("entity_type", "choice", "What it is.", required=True, choices=tuple(EntityKind.values)),
        FieldSpec(
            "name", "text", "A person's name, a place's or group's name, or a description.", max_length=200
        ),
        FieldSpec("date_of_birth", "date", "An adult's date of birth, if known."),
        FieldSpec("nhs_number", "nhs_number", "A child's NHS number: the child is found by it exactly."),
        FieldSpec("upn", "upn", "A child's unique pupil number, if no NHS number."),
        FieldSpec("registration", "vrm", "A vehicle's registration.", example="ZA71 KXT"),
        FieldSpec("make", "text", "A vehicle's make and model.", max_length=60),
        FieldSpec("colour", "text", "A vehicle's colour.", max_length=30),
        FieldSpec("phone_number", "text", "A UK phone number.", max_length=30, example="07700 900123"),
        FieldSpec("platform", "text", "An online account's platform.", max_length=40),
        FieldSpec("handle", "text", "An online account's handle.", max_length=60),
        FieldSpec("place_kind", "choice", "A place's kind.", choices=tuple(PlaceKind.values)),
        FieldSpec("address", "text", "A place's address.", max_length=300),
        FieldSpec("postcode", "postcode", "A place's postcode."),
        FieldSpec(
            "latitude", "text", "A place's latitude (decimal degrees).", max_length=20, example="54.0312"
        ),
        FieldSpec(
            "longitude", "text", "A place's longitude (decimal degrees).", max_length=20, example="0.9521"
        ),
        FieldSpec("group_kind", "choice", "A group's kind.", choices=tuple(GroupKind.values)),
        *GRADING_FIELDS,
    ),
)

LINKS = _spec(
    "intelligence_links",
    "Intelligence: links between entities",
    "One row per link between two entities you have sent in the intelligence_entities feed.",
    (
        RECORD_ID,
        FieldSpec("recorded_on", "date", "When your system recorded it.", required=True),
        FieldSpec(
            "link_type",
            "choice",
            "What links them (read from_entity, link_type, to_entity).",
            required=True,
            choices=tuple(LinkKind.values),
        ),
        FieldSpec(
            "from_entity",
            "text",
            "The record_id of the entity the link starts from.",
            required=True,
            max_length=100,
        ),
        FieldSpec(
            "to_entity",
            "text",
            "The record_id of the entity the link goes to.",
            required=True,
            max_length=100,
        ),
        FieldSpec("valid_from", "date", "When the link was first known to hold.", required=True),
        FieldSpec("valid_to", "date", "When it stopped holding, if it has."),
        FieldSpec(
            "confirmed",
            "bool",
            "Y if your agency has confirmed it (shown solid); N or blank if not (dashed).",
        ),
        FieldSpec(
            "source_record", "text", "Your own reference for the intelligence behind it.", max_length=120
        ),
        *GRADING_FIELDS,
    ),
)

FEEDS: dict[str, FeedSpec] = {ENTITIES.code: ENTITIES, LINKS.code: LINKS}


@dataclass(frozen=True)
class CleanIntelRow:
    row: int
    values: dict[str, Any]


def _coordinate(value: str | None, name: str, low: float, high: float) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise FieldProblem(f"{name} '{value[:20]}' is not a number") from None
    if not low <= number <= high:
        raise FieldProblem(f"{name} {number:g} is outside {low:g} to {high:g}")
    return number


NEEDS = {
    "adult": ("name",),
    "vehicle": ("registration",),
    "phone": ("phone_number",),
    "account": ("platform", "handle"),
    "group": ("name",),
}


def _entity_checks(values: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    kind = values["entity_type"]
    for name in NEEDS.get(kind, ()):
        if not values.get(name):
            problems.append((name, f"{name} is required for a {kind}"))
    if kind == "child" and not (values.get("nhs_number") or values.get("upn")):
        problems.append(
            ("nhs_number", "a child needs an NHS number or a unique pupil number, to find the child exactly")
        )
    if kind == "place" and not (values.get("name") or values.get("address")):
        problems.append(("address", "a place needs a name or an address"))
    if values.get("phone_number"):
        try:
            values["phone_number"] = phone_normalise(values["phone_number"])
        except IdentifierProblem as problem:
            problems.append(("phone_number", f"phone_number {problem}"))
    if kind == "account" and values.get("platform") and values.get("handle"):
        try:
            account_key(values["platform"], values["handle"])
        except IdentifierProblem as problem:
            problems.append(("handle", f"handle: {problem}"))
    for name, low, high in (("latitude", -90.0, 90.0), ("longitude", -180.0, 180.0)):
        try:
            values[name] = _coordinate(values.get(name), name, low, high)
        except FieldProblem as problem:
            problems.append((name, str(problem)))
    return problems


def _link_checks(values: dict[str, Any]) -> list[tuple[str, str]]:
    start, end = values.get("valid_from"), values.get("valid_to")
    if start and end and end < start:
        return [("valid_to", "valid_to is before valid_from")]
    return []


def validate(
    spec: FeedSpec, row: int, raw: Mapping[str, Any], *, today: date
) -> CleanIntelRow | list[RowError]:
    """One row into its values, or every problem with it by field. Never raises."""
    problem = _raw_problem(raw)
    if problem:
        return [RowError(row, problem[0], problem[1])]
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    for field in spec.fields:
        try:
            values[field.name] = field.parse(raw.get(field.name))
        except FieldProblem as problem_:
            errors.append(RowError(row, field.name, f"{field.name} {problem_}"))
    if errors:
        return errors
    for name in ("recorded_on", "date_of_birth", "valid_from", "valid_to"):
        day = values.get(name)
        if isinstance(day, date) and day > today:
            errors.append(RowError(row, name, f"{name} {day.isoformat()} is in the future"))
    checks = _entity_checks if spec is ENTITIES else _link_checks
    errors.extend(RowError(row, name, reason) for name, reason in checks(values))
    return errors or CleanIntelRow(row=row, values=values)
