"""`openmash demo`: migrate, generate the borough once, create the demo users, print how to sign in."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from openmash.exploitation.services import default_tools_load
from openmash.synthetic.calibration import DEFAULT_CHILDREN
from openmash.synthetic.demo import (
    DEMO_SEED,
    DEMO_URL,
    demo_accounts_ensure,
    demo_casework_ensure,
    demo_risk_history_ensure,
)
from openmash.synthetic.progress import stage_progress
from openmash.synthetic.selectors import borough_current
from openmash.synthetic.services import borough_generate


class Command(BaseCommand):
    help = (
        "Prepare the demo: apply migrations, generate the synthetic borough if there is none, "
        "create one demo user per role with a caseload, and print their sign-in details. "
        "Safe to run again: it reuses what is there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help=f"Borough seed (default {DEMO_SEED})")
        parser.add_argument(
            "--children", type=int, default=DEFAULT_CHILDREN, help="Borough size, if one is generated"
        )
        parser.add_argument(
            "--credentials-file",
            type=Path,
            default=Path(settings.BASE_DIR) / ".data" / "demo-credentials.txt",
            help="Where the demo passwords are kept (default .data/demo-credentials.txt)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), width=160, highlight=False)
        call_command("migrate", interactive=False, verbosity=0)
        borough = borough_current()
        if borough is None:
            console.print(f"Generating the synthetic borough ({options['children']:,} children)...")
            with stage_progress(Console(stderr=True)) as progress:
                borough = borough_generate(
                    seed=options["seed"], children=options["children"], progress=progress
                )
            console.print(f"Generated {borough} in {borough.seconds:.1f} s.")
        else:
            console.print(f"Using the borough already generated: {borough}.")
        result = demo_accounts_ensure(credentials_path=options["credentials_file"])
        default_tools_load()
        seeded = demo_risk_history_ensure()
        if seeded:
            console.print(f"Gave {seeded} children at risk of exploitation a risk history.")
        from openmash.synthetic.demo.matching import demo_matching_ensure

        matching = demo_matching_ensure()
        if matching.reviews or matching.merges:
            console.print(
                f"Matching: {matching.reviews} possible matches for the hub to review, and "
                f"{matching.merges} merge a MASH manager can undo (Possible matches; Merges)."
            )
        casework = demo_casework_ensure(seed=options["seed"])
        if casework:
            console.print(f"Gave {casework} of the demo social worker's children plans, visits and meetings.")
        if result.users_created or result.memberships_created or result.relationships_created:
            console.print(
                f"Created {result.users_created} users, {result.memberships_created} memberships and "
                f"{result.relationships_created} relationships."
            )
        table = Table(title="Demo sign-ins (synthetic data only)", show_lines=False)
        for column in ("Role", "Username", "Password", "Agency", "Team"):
            table.add_column(column, overflow="fold")
        for account in result.accounts:
            table.add_row(
                account.role_label, account.username, account.password, account.agency, account.team
            )
        console.print(table)
        console.print(f"Passwords are kept in {options['credentials_file']}.")
        console.print(f"Sign in at {DEMO_URL}")
