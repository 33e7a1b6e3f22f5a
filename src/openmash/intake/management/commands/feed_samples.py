"""`openmash feed_samples --out DIR`: write a sample CSV and JSON file for every feed.

With `--from-borough`, the people in the samples are the synthetic borough's own agency
records (each agency's noisy view of its children); without it, made-up children.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.intake.feeds.samples import feed_samples_write, persons_from_borough


class Command(BaseCommand):
    help = "Write a sample CSV and JSON file for every feed (docs/feeds/samples)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="docs/feeds/samples")
        parser.add_argument("--rows", type=int, default=12)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--as-of", default="2026-11-20", help="Rows fall in the 180 days before")
        parser.add_argument(
            "--from-borough",
            metavar="AGENCY_CODE",
            help="Use the children this agency holds in the synthetic borough",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        persons = None
        if options["from_borough"]:
            persons = persons_from_borough(agency_code=options["from_borough"])
            if not persons:
                raise CommandError(f"No records for {options['from_borough']}: generate a borough first.")
        written = feed_samples_write(
            directory=Path(options["out"]),
            seed=options["seed"],
            rows=options["rows"],
            as_of=date.fromisoformat(options["as_of"]),
            persons=persons,
        )
        self.stdout.write(f"Wrote {len(written)} files to {options['out']}.")
