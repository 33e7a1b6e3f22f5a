"""`openmash generate --seed N --children N`: write the synthetic borough into the database."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from openmash.synthetic.calibration import DEFAULT_CHILDREN, BoroughSize
from openmash.synthetic.generator import DEFAULT_AS_OF
from openmash.synthetic.progress import stage_progress
from openmash.synthetic.services import BoroughError, borough_generate


class Command(BaseCommand):
    help = (
        "Generate the synthetic borough: agencies, teams, each agency's noisy records of each child, "
        "hub records, families, and the ground truth they are scored against. Deterministic: the same "
        "seed, size, date and noise give the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1)")
        parser.add_argument(
            "--children",
            type=int,
            default=DEFAULT_CHILDREN,
            help=f"Children aged 0-17 (default {DEFAULT_CHILDREN:,}, a town of about 227,000 people)",
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=DEFAULT_AS_OF,
            help=f"The day the borough describes, YYYY-MM-DD (default {DEFAULT_AS_OF.isoformat()})",
        )
        parser.add_argument(
            "--noise",
            type=float,
            default=1.0,
            help="Multiply every noise rate by this (0: agency records equal the truth; default 1)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the borough already in the database first (demo and test databases only: "
            "refused once any child has been read)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["children"] < 1:
            raise CommandError("--children must be at least 1")
        if options["noise"] < 0:
            raise CommandError("--noise cannot be negative")
        console = Console(stderr=True)
        size = BoroughSize.for_children(options["children"])
        console.print(
            f"Generating {size.children:,} children (seed {options['seed']}, as of "
            f"{options['as_of'].isoformat()}): {size.cp_plans} on child protection plans, "
            f"{size.looked_after} looked after, {size.cse_total} at risk of sexual exploitation "
            f"({size.cse_low} low, {size.cse_medium} medium, {size.cse_high} high)."
        )
        try:
            with stage_progress(console) as progress:
                borough = borough_generate(
                    seed=options["seed"],
                    children=options["children"],
                    as_of=options["as_of"],
                    noise_scale=options["noise"],
                    replace=options["replace"],
                    progress=progress,
                )
        except BoroughError as error:
            raise CommandError(str(error)) from error
        counts = borough.counts
        self.stdout.write(
            f"Generated {borough} in {borough.seconds:.1f} s: {counts['agencies']} agencies, "
            f"{counts['identities']:,} agency records ({counts['identities_duplicate']:,} duplicates), "
            f"{counts['hub_children']:,} hub children, {counts['identities_linked']:,} records linked "
            f"to them by NHS number or UPN."
        )
