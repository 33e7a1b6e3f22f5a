"""`openmash feed_samples --out DIR`: write a sample CSV and JSON file for every feed.

With `--from-borough`, each feed's rows are about children its sending agency holds in the
synthetic borough, as that agency holds them (noisy names, missing identifiers); without
it, made-up children.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.intake.feeds.samples import (
    SamplePerson,
    borough_agency_code,
    feed_samples_write,
    persons_from_borough,
)


class Command(BaseCommand):
    help = "Write a sample CSV and JSON file for every feed (docs/feeds/samples)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="docs/feeds/samples")
        parser.add_argument("--rows", type=int, default=12)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--as-of", default="2026-11-20", help="Rows fall in the 180 days before")
        parser.add_argument(
            "--from-borough",
            action="store_true",
            help="Write rows about the children each sending agency holds in the synthetic borough",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        persons_for = None
        if options["from_borough"]:

            def persons_for(feed: str) -> list[SamplePerson]:
                code = borough_agency_code(feed)
                people = persons_from_borough(agency_code=code, limit=200) if code else []
                if not people:
                    raise CommandError(
                        "No synthetic borough in this database: run `openmash generate` first."
                    )
                return people

        written = feed_samples_write(
            directory=Path(options["out"]),
            seed=options["seed"],
            rows=options["rows"],
            as_of=date.fromisoformat(options["as_of"]),
            persons_for=persons_for,
        )
        self.stdout.write(f"Wrote {len(written)} files to {options['out']}.")
