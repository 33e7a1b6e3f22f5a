"""Measure the noise of a generated borough again, from its files, against the true children.

Nothing here reads the generator's own tags: each rate is found by comparing what an agency
wrote (the first row of each ``person_id``) with the child in ``truth/children.csv``. The tests
hold every measured rate within tolerance of the documented one (``Rate.ok``).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import tables
from .agencies import AGENCIES
from .checks import dob_problem, nhs_valid, upn_valid
from .distort import ARTICLES, RATES
from .population import POPULATION_RATES

EVENT_COLUMN = {
    "education_attendance": "period_end",
    "health_ae": "arrived_at",
    "police_missing": "occurred_at",
    "la_contacts": "received_at",
}
_TIDY_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}")


@dataclass
class Rate:
    key: str
    documented: float
    hits: int
    total: int

    @property
    def measured(self) -> float:
        return self.hits / self.total if self.total else 0.0

    @property
    def tolerance(self) -> float:
        """Four standard errors, plus 15% of the rate for what the measurement cannot see."""
        p, n = self.documented, max(self.total, 1)
        return 4 * math.sqrt(p * (1 - p) / n) + 0.15 * p + 0.001

    @property
    def ok(self) -> bool:
        return abs(self.measured - self.documented) <= self.tolerance

    def line(self) -> str:
        mark = "ok " if self.ok else "OFF"
        return (
            f"{mark} {self.key:<52} documented {self.documented:7.4f}  measured {self.measured:7.4f}"
            f"  ({self.hits:,} of {self.total:,}, tolerance ±{self.tolerance:.4f})"
        )


def fold(text: str) -> str:
    return re.sub(r"[^a-z]", "", tables.diacritics_drop(text).lower())


def _modes(text: str) -> set[str]:
    return {text, tables.diacritics_transcribe(text), tables.diacritics_drop(text)}


def _is_typo(recorded: str, candidate: str) -> bool:
    """One key next to the right one, or the right key and one next to it."""
    r, c = recorded.lower(), candidate.lower()
    near = tables.keyboard_neighbours()
    if len(r) == len(c):
        diffs = [i for i in range(len(r)) if r[i] != c[i]]
        return len(diffs) == 1 and r[diffs[0]] in near.get(tables.diacritics_drop(c[diffs[0]]), "")
    if len(r) == len(c) + 1:
        for i in range(len(c)):
            same = r[: i + 1] == c[: i + 1] and r[i + 2 :] == c[i + 1 :]
            if same and r[i + 1] in near.get(tables.diacritics_drop(c[i]), ""):
                return True
    return False


class _Child:
    def __init__(self, row: dict[str, str]) -> None:
        self.row = row
        self.dob = date.fromisoformat(row["date_of_birth"])
        self.changes = [
            (date.fromisoformat(d), why, name)
            for d, why, name in (item.split(":", 2) for item in row["surname_changes"].split("|") if item)
        ]
        self.moves = [date.fromisoformat(d) for d in row["moves"].split("|") if d]
        self.care = date.fromisoformat(row["care_entry"]) if row["care_entry"] else None
        self.upn_from = date.fromisoformat(row["upn_from"]) if row["upn_from"] else None

    def surname_on(self, day: date) -> str:
        name = self.row["surname"]
        for start, _, new in self.changes:
            if start <= day:
                name = new
        return name

    def moved_by(self, day: date) -> bool:
        return any(m <= day for m in self.moves) or bool(self.care and self.care <= day)

    def forenames(self) -> set[str]:
        row = self.row
        names = {row["forename"]} | set(tables.nicknames().get(row["forename"], ()))
        if row["calling_name"]:
            names |= {row["calling_name"], f"{row['forename']} {row['calling_name']}"}
        if row["middle_names"]:
            names |= {row["middle_names"], f"{row['forename']} {row['middle_names']}"}
        return {variant for name in names for variant in _modes(name)}


def _surnames(surname: str) -> set[str]:
    forms = {surname, *re.split(r"[- ]", surname)}
    family = tables.surname_family_form(surname)
    if family:
        forms.add(family)
    parts = re.split(r"[- ]", surname)
    if len(parts) > 1:
        for joiner in ("-", " ", ""):
            joined = joiner.join(parts)
            forms.add(joined if joined[:1].isupper() else joined.capitalize())
    forms |= {form.replace("'", gap) for form in list(forms) for gap in ("", " ")}
    return {variant for form in forms for variant in _modes(form)}


class _Counter:
    def __init__(self) -> None:
        self.hits: dict[str, int] = defaultdict(int)
        self.totals: dict[str, int] = defaultdict(int)

    def add(self, key: str, hit: bool) -> None:
        self.totals[key] += 1
        self.hits[key] += int(hit)


def _identity_rows(path: Path, feed: str) -> list[tuple[int, dict[str, str], date]]:
    """The first row of each person_id, with its line and event day."""
    first: dict[str, tuple[int, dict[str, str], date]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row["person_id"] not in first:
                first[row["person_id"]] = (line, row, date.fromisoformat(row[EVENT_COLUMN[feed]][:10]))
    return list(first.values())


def _names(count: _Counter, agency: str, child: _Child, row: dict[str, str], day: date) -> None:
    fore_forms, true_surname = child.forenames(), child.surname_on(day)
    sur_forms = _surnames(true_surname)
    fore, sur = row["forename"], row["surname"]
    swapped = (sur in fore_forms or any(_is_typo(sur, f) for f in fore_forms)) and fore not in fore_forms
    count.add(f"{agency}.swap", swapped)
    if swapped:
        fore, sur = sur, fore
    count.add(
        f"{agency}.typo_forename", fore not in fore_forms and any(_is_typo(fore, f) for f in fore_forms)
    )
    count.add(f"{agency}.typo_surname", sur not in sur_forms and any(_is_typo(sur, s) for s in sur_forms))
    name, f = child.row["forename"], fold(fore)
    # Other forms that differ only in accents (Zoe, Zoë) cannot be told from the name itself.
    nicks = {fold(n) for n in tables.nicknames().get(name, ())} - {fold(name)}
    if child.row["calling_name"]:
        calling = child.row["calling_name"]
        count.add("compound_muhammad_first_only", f == fold(name))
        count.add("compound_muhammad_both", f == fold(f"{name} {calling}"))
    elif nicks:
        moved = child.moved_by(day)
        count.add("nickname_after_move" if moved else "nickname_otherwise", f in nicks)
    if child.row["middle_names"] and not child.row["calling_name"] and f not in nicks:
        middle = child.row["middle_names"]
        count.add("middle_in_forename", f == fold(f"{name} {middle}"))
        count.add("known_by_middle", f == fold(middle))
    parts = re.split(r"[- ]", true_surname)
    norm = tables.diacritics_drop(sur).lower()
    if len(parts) > 1 and parts[0] not in ARTICLES:
        whole = norm == tables.diacritics_drop(true_surname).lower()
        count.add("surname_whole", whole)
        count.add("surname_separator", not whole and fold(sur) == fold(true_surname))
        count.add("surname_first_part", fold(sur) == fold(parts[0]))
        count.add("surname_last_part", fold(sur) == fold(parts[-1]))
    if "'" in true_surname and fold(sur) == fold(true_surname):
        count.add("apostrophe_dropped", "'" not in sur)
    family = tables.surname_family_form(true_surname)
    if child.row["sex"] == "F" and family:
        count.add("surname_family_form", fold(sur) == fold(family))
    if tables.has_diacritics(true_surname) and len(parts) == 1 and sur in _modes(true_surname):
        kept = sur == true_surname
        count.add(f"{agency}.diacritics_kept", kept)
        transcribed, dropped = (
            tables.diacritics_transcribe(true_surname),
            tables.diacritics_drop(true_surname),
        )
        if not kept and transcribed != dropped and sur in (transcribed, dropped):
            count.add(f"{agency}.diacritics_transcribed_of_changed", sur == transcribed)


def _identifiers(count: _Counter, agency: str, child: _Child, row: dict[str, str], day: date) -> None:
    for column in ("nhs_number", "date_of_birth", "postcode", "address", "sex"):
        count.add(f"{agency}.missing.{column}", not row[column])
    if "upn" in row and child.upn_from and child.upn_from <= day:
        count.add(f"{agency}.missing.upn", not row["upn"])
    if row["nhs_number"]:
        count.add("nhs_invalid", not nhs_valid(row["nhs_number"].replace(" ", "")))
    if row.get("upn"):
        count.add("upn_invalid", not upn_valid(row["upn"]))
    if row["postcode"]:
        count.add("postcode_untidy", not _TIDY_POSTCODE.fullmatch(row["postcode"]))
    recorded = row["date_of_birth"]
    if not recorded:
        return
    bad = bool(dob_problem(recorded, day, date.max))
    count.add("dob_bad_field", bad)
    if bad:
        return
    born, truth = date.fromisoformat(recorded), child.dob
    count.add(
        "dob_year_mistyped", (born.month, born.day) == (truth.month, truth.day) and born.year != truth.year
    )
    if truth.day <= 12 and truth.day != truth.month:
        count.add("dob_day_month_swapped", born == date(truth.year, truth.day, truth.month))


def _population(count: _Counter, children: dict[str, _Child]) -> None:
    households: dict[str, list[_Child]] = defaultdict(list)
    for child in children.values():
        households[child.row["household_id"]].append(child)
    for members in households.values():
        births = {c.dob for c in members}
        for day in births:
            count.add("twin_births", sum(1 for c in members if c.dob == day and c.row["twin_of"]) >= 2)
        count.add("household_moves", bool(members[0].moves))
        count.add(
            "new_relationship", any(why == "new relationship" for c in members for _, why, _ in c.changes)
        )
    for child in children.values():
        count.add("care_entry", child.care is not None)
        count.add("namesakes", bool(child.row["namesake_of"]))
        if child.care:
            count.add("care_entry_surname_change", any(why == "entry to care" for _, why, _ in child.changes))


def measure(out: Path, truth: Path | None = None) -> list[Rate]:
    """Every documented rate, measured on the borough written to ``out`` (truth in ``out/truth``)."""
    truth = truth or out / "truth"
    manifest = json.loads((truth / "manifest.json").read_text())
    feeds = out / manifest["feeds_dir"]
    owner: dict[tuple[str, str], str] = {}
    with (truth / "records.csv").open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            owner[(record["file"], record["row"])] = record["child_id"]
    with (truth / "children.csv").open(encoding="utf-8", newline="") as handle:
        children = {row["child_id"]: _Child(row) for row in csv.DictReader(handle)}
    count = _Counter()
    documented: dict[str, float] = {**RATES, **POPULATION_RATES}
    for agency in AGENCIES:
        file = f"{agency.feed}.csv"
        for line, row, day in _identity_rows(feeds / file, agency.feed):
            child = children[owner[(file, str(line))]]
            _names(count, agency.code, child, row, day)
            _identifiers(count, agency.code, child, row, day)
        documented |= {
            f"{agency.code}.swap": agency.swap,
            f"{agency.code}.typo_forename": agency.typo_forename,
            f"{agency.code}.typo_surname": agency.typo_surname,
            f"{agency.code}.diacritics_kept": agency.diacritics[0],
            f"{agency.code}.diacritics_transcribed_of_changed": agency.diacritics[1]
            / sum(agency.diacritics[1:]),
        }
        documented |= {f"{agency.code}.missing.{column}": rate for column, rate in agency.missing.items()}
    _population(count, children)
    return [
        Rate(key, documented[key], count.hits[key], count.totals[key])
        for key in sorted(count.totals)
        if key in documented
    ]
