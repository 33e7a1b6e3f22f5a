"""Four agencies' feed files about one synthetic borough: what a new borough starts from.

The borough is generated in memory (no database); each agency's own, noisy records of the
children it holds become rows of its feed, one row per record (two for a police missing
episode: the report and the return), with the agency's own record id as `person_id`. The
four files are the council's contacts, the police's missing reports, the hospital's A&E
attendances and the schools' attendance returns (all schools as one sender). The truth (which
records are which child) is written beside them for scoring, and is never imported.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openmash.intake.feeds.samples import SamplePerson, rows_write_csv, sample_rows

# (file stem, feed, the generator's services that send it, the agency's kind)
SENDERS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("council", "la_contacts", ("childrens_services",), "childrens_services"),
    ("police", "police_missing", ("police",), "police"),
    ("hospital", "health_ae", ("acute_trust",), "nhs_trust"),
    ("schools", "education_attendance", ("primary_school", "secondary_school"), "school"),
)


@dataclass
class _Sink:
    services: dict[str, str]
    identities: list[dict[str, Any]]
    truth: dict[str, str]

    def add(self, model: type, row: dict[str, Any]) -> None:
        name = model.__name__
        if name == "BoroughAgency":
            self.services[str(row["agency_id"])] = str(row["service"])
        elif name == "AgencyIdentity":
            self.identities.append(row)
        elif name == "IdentityTruth":
            self.truth[str(row["identity_id"])] = str(row["true_child_id"])

    def close(self) -> None:
        return None


def agency_files_write(*, directory: Path, seed: int, children: int, as_of: date) -> dict[str, int]:
    """Write `<stem>.csv` for each sender and `truth.csv` (record -> true child); returns rows per file."""
    from openmash.synthetic.generator import BoroughGenerator

    sink = _Sink(services={}, identities=[], truth={})
    BoroughGenerator(seed=seed, children=children, as_of=as_of).run(sink)  # type: ignore[arg-type]
    by_stem: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in sink.identities:
        service = sink.services.get(str(row["agency_id"]), "")
        for stem, _, services, _ in SENDERS:
            if service in services:
                by_stem[stem].append(row)
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    truth_rows: list[tuple[str, str, str]] = []
    for stem, feed, _, _ in SENDERS:
        persons = [
            SamplePerson(
                person_id=str(row["agency_record_id"]),
                forename=str(row["forename"]),
                surname=str(row["surname"]),
                date_of_birth=row["date_of_birth"],
                sex=str(row["sex"]),
                nhs_number=str(row["nhs_number"]),
                upn=str(row["unique_pupil_number"]),
                address=str(row["address"]),
                postcode=str(row["postcode"]),
            )
            for row in by_stem[stem]
        ]
        for row in by_stem[stem]:
            truth_rows.append((stem, str(row["agency_record_id"]), sink.truth[str(row["id"])]))

        def rows(persons: list[SamplePerson] = persons, feed: str = feed) -> Any:
            per_person = 2 if feed == "police_missing" else 1
            for number, person in enumerate(persons):
                yield from sample_rows(feed=feed, persons=[person], count=per_person, seed=seed + number,
                                       as_of=as_of, prefix=f"R{number + 1:06d}")  # fmt: skip

        written[stem] = rows_write_csv(directory / f"{stem}.csv", rows(), feed)
    with (directory / "truth.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "person_id", "true_child"])
        writer.writerows(truth_rows)
    return written
