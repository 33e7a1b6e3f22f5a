"""`openmash agency_files --out DIR [--children N --seed N]`: four agencies' feed files about one
synthetic borough (council contacts, police missing reports, A&E attendances, school attendance),
for trying OpenMASH from an empty database (docs/matching.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openmash.synthetic.agency_files import SENDERS, agency_files_write


class Command(BaseCommand):
    help = "Write four agencies' feed files about one synthetic borough (and its truth, for scoring)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="borough-files")
        parser.add_argument("--children", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", default="2026-11-20")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        written = agency_files_write(
            directory=out, seed=options["seed"], children=options["children"],
            as_of=date.fromisoformat(options["as_of"]),
        )  # fmt: skip
        for stem, feed, _, kind in SENDERS:
            self.stdout.write(
                f"{out / (stem + '.csv')}: {written[stem]:,} rows of {feed} (from a {kind} agency)"
            )
        self.stdout.write(
            f"{out / 'truth.csv'}: which records are which child (for scoring only; never imported)"
        )
