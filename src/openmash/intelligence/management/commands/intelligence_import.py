"""`openmash intelligence_import FEED FILE --agency CODE`: import intelligence entities or links.

The same behaviour as `openmash import`: a progress bar, a summary, every refused row written to
FILE.errors.csv (row, field, reason); exit 0 when every row was stored or already held, 1 when
some rows were refused (the rest stored), 2 when the file was refused as a whole or the command
was used wrongly. Running the same file again stores nothing twice, so an interrupted import is
resumed by running it again.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency
from openmash.intake.feeds.spec import RowError
from openmash.intelligence.feeds.importer import intelligence_file_import
from openmash.intelligence.feeds.spec import FEEDS


class Command(BaseCommand):
    help = "Import an intelligence feed file: openmash intelligence_import FEED FILE --agency CODE"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("feed", help=f"One of: {', '.join(FEEDS)}")
        parser.add_argument("file", help="A CSV (UTF-8) or .json file in the feed's format (docs/feeds/)")
        parser.add_argument("--agency", required=True, help="The sending agency's code")
        parser.add_argument("--report", help="Where to write refused rows (default: FILE.errors.csv)")

    def _fail(self, console: Console, message: str) -> None:
        console.print(f"[bold red]Not imported.[/] {message}", highlight=False)
        sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(highlight=False)
        spec = FEEDS.get(options["feed"])
        if spec is None:
            self._fail(
                console,
                f"There is no intelligence feed called '{options['feed']}'. Feeds: {', '.join(FEEDS)}.",
            )
            return
        path = Path(options["file"])
        if not path.is_file():
            self._fail(console, f"There is no file at {path}.")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            self._fail(console, f"There is no agency with code '{options['agency']}'.")
            return
        report_path = Path(options["report"] or f"{path}.errors.csv")
        errors: list[RowError] = []
        actor = Actor.system(f"intelligence_import:{agency.code}"[:60])
        with Progress(
            TextColumn("{task.description}"), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as bar:
            task = bar.add_task(f"Importing {spec.code}", total=None)
            result = intelligence_file_import(
                actor=actor,
                spec=spec,
                agency=agency,
                path=path,
                on_error=errors.append,
                on_progress=lambda rows: bar.update(task, completed=rows),
            )
            bar.update(task, completed=result.counts.rows)
        if result.file_problem:
            self._fail(console, result.file_problem)
        counts = result.counts
        console.print(
            f"{counts.rows:,} rows read: {counts.created:,} stored, "
            f"{counts.new_versions:,} stored as corrections, "
            f"{counts.unchanged:,} already held, {counts.rejected:,} refused."
        )
        if errors:
            with report_path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["row", "field", "reason"])
                for error in errors:
                    writer.writerow([error.row, error.field, error.reason])
            console.print(f"Refused rows are listed in {report_path}.")
            sys.exit(1)
