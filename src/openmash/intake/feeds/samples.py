"""Synthetic feed files: the samples in docs/feeds/samples/, test data and benchmark input.

People come either from the synthetic borough (``persons_from_borough``: each agency's own
noisy identities, as the generator wrote them) or, before a borough exists, from
``persons_synthetic``. Identifiers are never real: NHS numbers in the 999 test range,
pupil numbers with local authority 000, postcodes in the non-existent OM area.
Everything is deterministic from the seed.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.identifiers import nhs_number_with_check, upn_with_check

FORENAMES = (
    "Amara", "Bailey", "Casey", "Dara", "Eden", "Frankie", "Harley", "Jordan", "Kai", "Logan", "Mia",
    "Noor", "Olly", "Priya", "Quinn", "Riley", "Sami", "Tia", "Uma", "Wren", "Yusuf", "Zara",
)  # fmt: skip
SURNAMES = (
    "Ashdown", "Brackley", "Colbeck", "Dunmore", "Elswick", "Fernhill", "Gadsby", "Holloway", "Ingleby",
    "Jessop", "Kettering", "Lowther", "Marwood", "Northam", "Oakley", "Pendle", "Quarry", "Redfern",
    "Stanway", "Thornbury", "Upton", "Varley", "Whitlow", "Yarrow",
)  # fmt: skip
STREETS = ("Mill Lane", "Station Road", "Church Street", "Park View", "Canal Walk", "Orchard Close")


@dataclass(frozen=True)
class SamplePerson:
    person_id: str
    forename: str
    surname: str
    date_of_birth: date | None
    sex: str
    nhs_number: str
    upn: str
    address: str
    postcode: str


def persons_synthetic(*, seed: int, count: int, as_of: date, id_prefix: str = "P") -> list[SamplePerson]:
    """`count` made-up children aged 5 to 17 on `as_of`, with valid test-range identifiers."""
    rng = random.Random(seed)
    people: list[SamplePerson] = []
    bodies = rng.sample(range(1_000_000), min(1_000_000, count * 2 + 16))
    nhs_numbers = [n for n in (nhs_number_with_check(f"999{b:06d}") for b in bodies) if n]
    for index in range(count):
        born = as_of - timedelta(days=rng.randint(5 * 365, 17 * 365 + 300))
        district, sector = rng.randint(1, 9), rng.randint(1, 9)
        unit = rng.choice("ABDEFGHJLNPQRSTUWXYZ") + rng.choice("ABDEFGHJLNPQRSTUWXYZ")
        upn_body = f"000{2000 + index // 1000 % 100:04d}{born.year % 100:02d}{index % 1000:03d}"
        people.append(
            SamplePerson(
                person_id=f"{id_prefix}-{index + 1:07d}",
                forename=rng.choice(FORENAMES),
                surname=rng.choice(SURNAMES),
                date_of_birth=born,
                sex=rng.choice("FM"),
                nhs_number=nhs_numbers[index % len(nhs_numbers)] if rng.random() < 0.9 else "",
                upn=upn_with_check(upn_body) if rng.random() < 0.8 else "",
                address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}, Omtown",
                postcode=f"OM{district} {sector}{unit}",
            )
        )
    return people


# Which kind of borough agency sends each feed (synthetic.BoroughAgency.service).
BOROUGH_SERVICE = {
    "police_missing": "police",
    "police_domestic_abuse": "police",
    "police_protection": "police",
    "police_intelligence": "police",
    "health_ae": "acute_trust",
    "health_sexual_health": "sexual_health",
    "health_maternity": "acute_trust",
    "education_attendance": "secondary_school",
    "education_exclusions": "secondary_school",
    "education_cme": "secondary_school",
    "la_contacts": "childrens_services",
}


def borough_agency_code(feed: str) -> str | None:
    """The code of the synthetic borough's agency that would send this feed, if a borough exists."""
    from openmash.synthetic.models import BoroughAgency

    found = (
        BoroughAgency.objects.filter(service=BOROUGH_SERVICE[feed])
        .order_by("agency__code")
        .values_list("agency__code", flat=True)
        .first()
    )
    return str(found) if found else None


def persons_from_borough(*, agency_code: str, limit: int = 5000) -> list[SamplePerson]:
    """The children one agency of the synthetic borough holds, as that agency holds them."""
    from openmash.people.models import AgencyIdentity

    identities = AgencyIdentity.objects.filter(agency__code=agency_code).order_by("agency_record_id")[:limit]
    return [
        SamplePerson(
            person_id=identity.agency_record_id,
            forename=identity.forename,
            surname=identity.surname,
            date_of_birth=identity.date_of_birth,
            sex=identity.sex,
            nhs_number=identity.nhs_number,
            upn=identity.unique_pupil_number,
            address=identity.address,
            postcode=identity.postcode,
        )
        for identity in identities
    ]


def _at(day: date, rng: random.Random) -> str:
    moment = datetime.combine(day, time(rng.randint(0, 23), rng.choice((0, 15, 30, 45))))
    return moment.isoformat(timespec="minutes")


def _specific(feed: str, rng: random.Random, day: date, index: int, person: SamplePerson) -> dict[str, str]:
    yn = lambda p: "Y" if rng.random() < p else "N"  # noqa: E731
    if feed == "police_missing":
        returned = index % 2 == 1
        return {
            "event": "returned" if returned else "missing",
            "episode_id": f"EP-{person.person_id}-{index // 2:04d}",
            "occurred_at": _at(day, rng),
            "risk_grade": "" if returned else rng.choice(("absent", "low", "medium", "medium", "high")),
            "from_care_placement": yn(0.3),
            "found_location": rng.choice(("", "Omtown bus station", "a friend's address", "Riverside park"))
            if returned
            else "",
            "summary": "Returned home" if returned else "Did not come home after school",
        }
    if feed == "police_domestic_abuse":
        return {
            "occurred_at": _at(day, rng),
            "children_present": "Y",
            "child_relationship": rng.choice(("child of the victim", "child of both parties", "sibling")),
            "risk_level": rng.choice(("standard", "medium", "high")),
            "incident_postcode": person.postcode,
            "summary": "Verbal argument escalated; child was in the house",
        }
    if feed == "police_protection":
        return {
            "started_at": _at(day, rng),
            "ended_at": "",
            "reason": "Found alone at night with adults not known to the family",
            "placed_with": "Emergency foster carer",
        }
    if feed == "police_intelligence":
        subject = rng.choice(("adult", "vehicle", "phone", "place"))
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXY") for _ in range(3))
        return {
            "recorded_on": day.isoformat(),
            "subject_type": subject,
            "adult_name": f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}" if subject == "adult" else "",
            "adult_date_of_birth": "",
            "vehicle_registration": f"Z{rng.choice('ABCDE')}{rng.randint(10, 24)} {letters}"
            if subject == "vehicle"
            else "",
            "phone_number": f"07700 900{rng.randint(0, 999):03d}" if subject == "phone" else "",
            "location": f"{rng.choice(('Takeaway', 'Park', 'Flat'))} on {rng.choice(STREETS)}"
            if subject == "place"
            else "",
            "source_evaluation": rng.choice(("reliable", "untested", "not_reliable")),
            "intelligence_assessment": rng.choice("ABCDE"),
            "handling_code": rng.choice("PC"),
            "summary": "Child seen getting into a car with an older adult",
        }
    if feed == "health_ae":
        injury = rng.random() < 0.4
        return {
            "arrived_at": _at(day, rng),
            "attendance_reason": rng.choice(("fall", "assault", "overdose", "abdominal pain", "head injury")),
            "injury": "Y" if injury else "N",
            "injury_type": rng.choice(("laceration", "fracture", "bruising")) if injury else "",
            "self_harm": yn(0.1),
            "alcohol_or_drugs": yn(0.15),
            "safeguarding_concern": yn(0.02),
            "discharged_to": "home",
        }
    if feed == "health_sexual_health":
        return {
            "attended_on": day.isoformat(),
            "reason": rng.choice(("sti_test", "contraception", "emergency_contraception", "pregnancy_test")),
            "clinic": "Omtown sexual health clinic",
            "safeguarding_concern": yn(0.05),
        }
    if feed == "health_maternity":
        return {
            "event": rng.choice(("booking", "termination", "miscarriage")),
            "event_date": day.isoformat(),
            "gestation_weeks": str(rng.randint(6, 20)),
        }
    if feed == "education_attendance":
        start = day - timedelta(days=day.weekday())
        possible = 10 * rng.randint(2, 6)
        attended = max(0, possible - int(possible * rng.choice((0.0, 0.02, 0.05, 0.12, 0.3))))
        unauthorised = (possible - attended) // 2
        return {
            "period_start": (start - timedelta(days=7 * (possible // 10 - 1))).isoformat(),
            "period_end": (start + timedelta(days=4)).isoformat(),
            "sessions_possible": str(possible),
            "sessions_attended": str(attended),
            "sessions_authorised_absence": str(possible - attended - unauthorised),
            "sessions_unauthorised_absence": str(unauthorised),
        }
    if feed == "education_exclusions":
        permanent = rng.random() < 0.1
        return {
            "exclusion_type": "permanent" if permanent else "suspension",
            "start_date": day.isoformat(),
            "sessions": "" if permanent else str(rng.randint(1, 10)),
            "reason": rng.choice(
                ("persistent disruptive behaviour", "physical assault against a pupil", "drugs")
            ),
        }
    if feed == "education_cme":
        return {
            "reported_on": day.isoformat(),
            "reason": rng.choice(("not_on_roll", "left_without_destination", "failed_to_start")),
            "last_school": "Omtown Academy",
        }
    if feed == "la_contacts":
        return {
            "received_at": _at(day, rng),
            "source_code": rng.choice(("2A", "3A", "3E", "5D", "6", "8", "9")),
            "reason": "Concern about neglect at home",
            "urgency": rng.choice(("", "routine", "same_day")),
        }
    raise ValueError(f"Unknown feed {feed}")


def _plausible(feed: str, persons: Sequence[SamplePerson], as_of: date) -> Sequence[SamplePerson]:
    """Teenagers for sexual health, girls of 13 and over for maternity (when there are any)."""
    youngest = {"health_sexual_health": 12, "health_maternity": 13}.get(feed)
    if youngest is None:
        return persons
    latest_birth = date(as_of.year - youngest, as_of.month, min(as_of.day, 28))
    chosen = [
        person
        for person in persons
        if person.date_of_birth is not None
        and person.date_of_birth <= latest_birth
        and (feed != "health_maternity" or person.sex == "F")
    ]
    return chosen or persons


def sample_rows(
    *, feed: str, persons: Sequence[SamplePerson], count: int, seed: int, as_of: date, prefix: str = "R"
) -> Iterator[dict[str, str]]:
    """`count` rows of one feed, about people drawn from `persons`, dated within 180 days before `as_of`.

    Police missing rows come in pairs (a report, then the return) for the same child, and
    children recur, so the warning-sign rules have something to find.
    """
    if not persons:
        raise ValueError("No people to write rows about")
    persons = _plausible(feed, persons, as_of)
    rng = random.Random(f"{seed}:{feed}")
    spec = FEEDS[feed]
    for index in range(count):
        pair = index // 2 if feed == "police_missing" else index
        person = persons[(pair * 7919 + seed) % len(persons)] if rng.random() < 0.7 else rng.choice(persons)
        if feed == "police_missing":
            person = persons[(pair // 3 * 7919 + seed) % len(persons)]
        day = as_of - timedelta(days=rng.randint(1, 180))
        if feed == "police_missing":
            # A report and its return: the return a day after the report.
            day = as_of - timedelta(days=random.Random(f"{seed}:{pair}").randint(2, 180) - index % 2)
        row = {
            "record_id": f"{prefix}-{feed[:3].upper()}-{index + 1:08d}",
            "record_updated_at": "",
            "person_id": person.person_id,
            "forename": person.forename,
            "surname": person.surname,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
            "sex": person.sex if person.sex in {"F", "M", "I", "U"} else "",
            "nhs_number": person.nhs_number,
            "upn": person.upn,
            "address": person.address,
            "postcode": person.postcode,
            **_specific(feed, rng, day, index, person),
        }
        yield {column: row.get(column, "") for column in spec.columns}


def rows_write_csv(path: Path, rows: Iterator[dict[str, str]], feed: str) -> int:
    """Stream rows to a CSV file (for files too big to build in memory). Returns how many were written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FEEDS[feed].columns, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def rows_to_csv(rows: Sequence[dict[str, str]] | Iterator[dict[str, str]], feed: str) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FEEDS[feed].columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def rows_to_json(rows: Sequence[dict[str, str]], feed: str) -> str:
    """JSON records with empty values left out and flags and counts as JSON types."""
    spec = FEEDS[feed]
    records = []
    for row in rows:
        record: dict[str, object] = {}
        for name, value in row.items():
            if value == "":
                continue
            kind = spec.field_map[name].kind
            record[name] = value == "Y" if kind == "bool" else int(value) if kind == "int" else value
        records.append(record)
    return json.dumps({"records": records}, indent=2, ensure_ascii=False) + "\n"


def feed_samples_write(
    *,
    directory: Path,
    as_of: date,
    seed: int = 2026,
    rows: int = 12,
    persons_for: Callable[[str], Sequence[SamplePerson]] | None = None,
) -> list[Path]:
    """Write <feed>.csv and <feed>.json for every feed. The demo can call this after generating a borough.

    ``persons_for(feed)`` gives the people each feed's rows are about (for example the
    borough agency's own records, ``persons_from_borough``); by default, made-up children.
    """
    directory.mkdir(parents=True, exist_ok=True)
    made_up = persons_synthetic(seed=seed, count=max(4, rows // 3), as_of=as_of)
    written: list[Path] = []
    for feed in FEEDS:
        people = list(persons_for(feed)) if persons_for else made_up
        feed_rows = list(
            sample_rows(feed=feed, persons=people or made_up, count=rows, seed=seed, as_of=as_of)
        )
        csv_path = directory / f"{feed}.csv"
        csv_path.write_text(rows_to_csv(feed_rows, feed), encoding="utf-8", newline="")
        json_path = directory / f"{feed}.json"
        json_path.write_text(rows_to_json(feed_rows, feed), encoding="utf-8")
        written.extend([csv_path, json_path])
    return written
