"""Generate the borough and write its four feed files and, in another folder, the truth.

    from tests.independent_borough.generate import generate
    result = generate(seed=1, children=20_000, out=Path("borough"))

writes ``borough/feeds/<feed>.csv`` (what the agencies send) and ``borough/truth/`` (never sent):
``records.csv`` (every row's true child), ``children.csv``, ``expected_errors.csv`` (the fields the
hub must report) and ``manifest.json``.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from . import distort
from .agencies import AGENCIES, COVERAGE, Agency, Event, Events, Identity, identities
from .checks import field_problems
from .population import POPULATION_RATES, Borough, Child

DEFAULT_AS_OF = date(2026, 10, 31)
DEFAULT_CHILDREN = 20_000
VERSION = 1
Progress = Callable[[str, int, int], None]

COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": (
        "person_id",
        "upn",
        "surname",
        "forename",
        "date_of_birth",
        "sex",
        "address",
        "postcode",
        "nhs_number",
        "record_id",
        "period_start",
        "period_end",
        "sessions_possible",
        "sessions_attended",
        "sessions_authorised_absence",
        "sessions_unauthorised_absence",
    ),
    "hospital": (
        "record_id",
        "person_id",
        "nhs_number",
        "forename",
        "surname",
        "sex",
        "date_of_birth",
        "address",
        "postcode",
        "arrived_at",
        "site",
        "attendance_reason",
        "injury",
        "injury_type",
        "self_harm",
        "alcohol_or_drugs",
        "safeguarding_concern",
        "discharged_to",
    ),
    "police": (
        "record_id",
        "episode_id",
        "event",
        "occurred_at",
        "person_id",
        "surname",
        "forename",
        "date_of_birth",
        "sex",
        "address",
        "postcode",
        "nhs_number",
        "upn",
        "risk_grade",
        "from_care_placement",
        "found_location",
        "summary",
        "station",
    ),
    "council": (
        "record_id",
        "record_updated_at",
        "person_id",
        "forename",
        "surname",
        "date_of_birth",
        "sex",
        "nhs_number",
        "upn",
        "address",
        "postcode",
        "received_at",
        "source_code",
        "reason",
        "urgency",
    ),
}


@dataclass
class Result:
    seed: int
    children: int
    as_of: str
    feeds_dir: str
    truth_dir: str
    files: dict[str, str] = field(default_factory=dict)  # agency code -> feed file
    rows: dict[str, int] = field(default_factory=dict)  # agency code -> rows
    identities: dict[str, int] = field(default_factory=dict)  # agency code -> person_ids
    expected_errors: int = 0
    seconds: float = 0.0


def _person_ids(agency: Agency, found: list[Identity], rng: random.Random) -> None:
    counters: Counter[str] = Counter()
    number = rng.randrange(1_000_000, 3_000_000)
    for identity in sorted(found, key=lambda i: (i.events[0].at, i.child.id)):
        number += rng.randint(1, 40)
        if agency.key == "schools":
            school = identity.events[0].group
            counters[school] += rng.randint(1, 3)
            identity.person_id = f"{school}-{counters[school]:05d}"
        elif agency.key == "hospital":
            identity.person_id = f"RTM{number:07d}"
        elif agency.key == "police":
            identity.person_id = f"NVP/{number:07d}"
        else:
            identity.person_id = f"{number:07d}"


def _rows(agency: Agency, found: list[Identity]) -> list[tuple[Identity, Event, dict[str, str]]]:
    pairs = [(identity, event) for identity in found for event in identity.events]
    pairs.sort(key=lambda p: (p[1].at, p[0].person_id, p[1].values.get("event", "")))
    episodes: dict[str, str] = {}
    out = []
    for number, (identity, event) in enumerate(pairs, start=1):
        values = distort.row_identity(identity, event.day)
        values["person_id"] = identity.person_id
        values.update(event.values)
        at, stamp = event.at, event.at.strftime("%Y-%m-%dT%H:%M")
        if agency.key == "schools":
            values["record_id"] = f"ATT/{event.group}/{number:07d}"
        elif agency.key == "hospital":
            values["record_id"], values["arrived_at"] = f"AE{at:%y%m}-{number:06d}", stamp
        elif agency.key == "police":
            if event.group not in episodes:
                episodes[event.group] = f"NV-EP-{at.year}-{len(episodes) + 1:05d}"
            values["episode_id"] = episodes[event.group]
            prefix = "MIS" if values["event"] == "missing" else "RET"
            values["record_id"], values["occurred_at"] = f"{prefix}-{at.year}-{number:06d}", f"{stamp}:00"
        else:
            values["record_id"], values["received_at"] = f"CT{number:08d}", at.strftime("%Y-%m-%d %H:%M")
            values["record_updated_at"] = (at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:00+00:00")
        out.append((identity, event, values))
    return out


def _row_tags(identity: Identity, values: dict[str, str]) -> list[str]:
    tags = list(identity.tags)
    if values.get("address") != identity.recorded["address"]:
        tags.append("row_new_address")
    if values["surname"] != identity.recorded["surname"]:
        tags.append("row_new_surname")
    return tags


def _child_row(child: Child, borough: Borough) -> dict[str, str]:
    start, end = borough.window_start, borough.as_of
    household = child.household
    return {
        "child_id": child.id,
        "household_id": str(household.id),
        "heritage": child.heritage,
        "sex": child.sex,
        "forename": child.forename,
        "middle_names": child.middle,
        "calling_name": child.calling,
        "surname": child.surname,
        "surname_now": child.surname_on(end),
        "surname_changes": "|".join(
            f"{d.isoformat()}:{why}:{name}" for d, name, why in child.surname_changes
        ),
        "date_of_birth": child.dob.isoformat(),
        "nhs_number": child.nhs,
        "upn": child.upn,
        "upn_from": child.upn_from.isoformat() if child.upn_from else "",
        "twin_of": child.twin_of,
        "namesake_of": child.namesake_of,
        "care_entry": child.care_entry.isoformat() if child.care_entry else "",
        "moves": "|".join(d.isoformat() for d, _ in household.addresses[1:] if start <= d <= end),
        "address": child.address_on(start).render("school"),
        "postcode": child.address_on(start).postcode,
        "address_now": child.address_on(end).render("school"),
        "postcode_now": child.address_on(end).postcode,
        "household_pattern": household.pattern,
    }


def _write_csv(path: Path, columns: tuple[str, ...] | list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def generate(
    *,
    seed: int = 1,
    children: int = DEFAULT_CHILDREN,
    out: Path,
    truth: Path | None = None,
    as_of: date = DEFAULT_AS_OF,
    progress: Progress | None = None,
) -> Result:
    """Write the feeds to ``out/feeds`` and the truth to ``truth`` (default ``out/truth``)."""
    import time

    started = time.monotonic()
    feeds_dir, truth_dir = out / "feeds", truth or out / "truth"
    feeds_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    tell = progress or (lambda stage, done, total: None)
    rng = random.Random(seed)
    borough = Borough(rng=random.Random(rng.random()), children=children, as_of=as_of)
    borough.build(progress=lambda done: tell("children", done, children))

    events = Events(borough, random.Random(rng.random()))
    per_agency: dict[str, list[Identity]] = defaultdict(list)
    agency_rng = {agency.key: random.Random(rng.random()) for agency in AGENCIES}
    noise_rng = random.Random(rng.random())
    done = 0
    for household in borough.households:
        police = {child.id: list(events.police(child)) for child in household.children}
        council = events.council(household, police)
        for child in household.children:
            happened = {
                "schools": list(events.schools(child)),
                "hospital": list(events.hospital(child)),
                "police": police[child.id],
                "council": council[child.id],
            }
            for agency in AGENCIES:
                if happened[agency.key]:
                    found = identities(agency, child, happened[agency.key], agency_rng[agency.key])
                    for identity in found:
                        distort.record(identity, noise_rng, borough.window_start, as_of)
                    per_agency[agency.key].extend(found)
            done += 1
            if done % 500 == 0 or done == children:
                tell("records", done, children)

    result = Result(seed, children, as_of.isoformat(), str(feeds_dir), str(truth_dir))
    truth_rows: list[dict[str, str]] = []
    error_rows: list[dict[str, str]] = []
    for index, agency in enumerate(AGENCIES):
        found = per_agency[agency.key]
        _person_ids(agency, found, agency_rng[agency.key])
        rows = _rows(agency, found)
        file_name = f"{agency.feed}.csv"
        _write_csv(feeds_dir / file_name, COLUMNS[agency.key], [values for _, _, values in rows])
        for line, (identity, event, values) in enumerate(rows, start=2):
            truth_rows.append(
                {
                    "agency": agency.code,
                    "feed": agency.feed,
                    "record_id": values["record_id"],
                    "person_id": identity.person_id,
                    "child_id": identity.child.id,
                    "file": file_name,
                    "row": str(line),
                    "tags": " ".join(_row_tags(identity, values)),
                }
            )
            for name, problem in field_problems(values, event.day, as_of).items():
                error_rows.append(
                    {
                        "agency": agency.code,
                        "feed": agency.feed,
                        "file": file_name,
                        "row": str(line),
                        "field": name,
                        "problem": problem,
                    }
                )
        result.files[agency.code] = file_name
        result.rows[agency.code] = len(rows)
        result.identities[agency.code] = len(found)
        tell("files", index + 1, len(AGENCIES))
    _write_csv(truth_dir / "records.csv", list(truth_rows[0]) if truth_rows else ["agency"], truth_rows)
    child_rows = [_child_row(child, borough) for child in borough.children]
    _write_csv(truth_dir / "children.csv", list(child_rows[0]), child_rows)
    _write_csv(
        truth_dir / "expected_errors.csv", ("agency", "feed", "file", "row", "field", "problem"), error_rows
    )
    result.expected_errors = len(error_rows)
    result.seconds = round(time.monotonic() - started, 2)
    manifest = {
        "generator": "tests.independent_borough",
        "version": VERSION,
        "seed": seed,
        "children": children,
        "as_of": as_of.isoformat(),
        "window_start": borough.window_start.isoformat(),
        "feeds_dir": "feeds",
        "agencies": [
            {
                "code": a.code,
                "kind": a.kind,
                "name": a.name,
                "feed": a.feed,
                "file": result.files[a.code],
                "rows": result.rows[a.code],
                "identities": result.identities[a.code],
            }
            for a in AGENCIES
        ],
        "expected_errors": result.expected_errors,
        "rates": {
            "noise": distort.RATES,
            "population": POPULATION_RATES,
            "coverage": COVERAGE,
            "agencies": {
                a.code: {
                    k: v
                    for k, v in asdict(a).items()
                    if k not in ("key", "code", "name", "kind", "feed", "style")
                }
                for a in AGENCIES
            },
        },
    }
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return result
