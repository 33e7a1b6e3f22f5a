"""`openmash import FEED FILE --agency CODE`: import an agency feed file (CSV or JSON).

Prints a summary; writes every refused row to a report file (row, field, reason);
exit status 0 when every row was stored or already held, 1 when some rows were refused,
2 when the file as a whole was refused or the command was used wrongly. Running the
same file again is safe: records already held are not stored twice, and a run that was
killed part-way is resumed.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency
from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.feeds.importer import CHUNK_SIZE, MAX_FILE_BYTES, feed_file_import
from openmash.intake.feeds.signs import signs_pending_count, signs_push_pending
from openmash.intake.feeds.spec import RowError


class Command(BaseCommand):
    help = "Import an agency feed file: openmash import FEED FILE --agency CODE"
    # A batch job run many times a day: Django's system checks (URLs, templates, models) are for
    # starting the site and `openmash check`; they add most of a second to every import.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("feed", help=f"One of: {', '.join(FEEDS)}")
        parser.add_argument("file", help="A CSV (UTF-8) or .json file in the feed's format (docs/feeds/)")
        parser.add_argument("--agency", required=True, help="The sending agency's code")
        parser.add_argument("--report", help="Where to write refused rows (default: FILE.errors.csv)")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="Rows stored per transaction")
        parser.add_argument(
            "--max-mb", type=int, default=MAX_FILE_BYTES // 1024**2, help="Refuse CSV files larger than this"
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs and CI)")
        parser.add_argument(
            "--signs-later",
            action="store_true",
            help="Leave warning signs in the outbox for the background worker (openmash intake_signs_push)",
        )

    def _fail(self, console: Console, message: str) -> None:
        console.print(f"[bold red]Not imported.[/] {message}", highlight=False)
        sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(stderr=False, highlight=False)
        spec = FEEDS.get(options["feed"])
        if spec is None:
            self._fail(console, f"There is no feed called '{options['feed']}'. Feeds: {', '.join(FEEDS)}.")
            return
        path = Path(options["file"])
        if not path.is_file():
            self._fail(console, f"There is no file at {path}.")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            able = Agency.objects.filter(kind__in=spec.agency_kinds).values_list("code", flat=True)[:20]
            self._fail(
                console,
                f"There is no agency with code '{options['agency']}'. "
                f"Agencies that can send {spec.code}: {', '.join(able) or 'none yet'}. "
                f"Add one with: openmash agency add --name NAME --kind KIND --code CODE --feeds {spec.code} "
                "(or on the Agencies page, as a system administrator).",
            )
            return
        report_path = (
            Path(options["report"]) if options["report"] else path.with_name(path.name + ".errors.csv")
        )
        report_file = None
        writer: Any = None
        held = 0

        def on_error(error: RowError) -> None:
            nonlocal report_file, writer
            if writer is None:
                report_file = report_path.open("w", encoding="utf-8", newline="")
                writer = csv.writer(report_file)
                writer.writerow(["row", "field", "reason", "outcome"])
            nonlocal held
            held += error.kept
            outcome = "kept; this field held back" if error.kept else "row refused"
            writer.writerow([error.row, error.field, error.reason, outcome])

        size = path.stat().st_size
        started = time.monotonic()
        columns = (
            TextColumn(f"Importing {spec.code}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        try:
            with Progress(
                *columns, console=console, disable=options["no_progress"], transient=True
            ) as progress:
                task = progress.add_task("import", total=size)
                result = feed_file_import(
                    actor=Actor.system(f"import:{spec.code}"),
                    spec=spec,
                    agency=agency,
                    path=path,
                    chunk_size=options["chunk_size"],
                    max_bytes=options["max_mb"] * 1024**2,
                    on_error=on_error,
                    on_progress=lambda done: progress.update(task, completed=done),
                )
        finally:
            if report_file is not None:
                report_file.close()
        if result.file_problem:
            self._fail(console, result.file_problem)
        seconds = time.monotonic() - started
        raised, sign_seconds = 0, 0.0
        if not options["signs_later"] and result.signs:
            sign_started = time.monotonic()
            with Progress(
                TextColumn("Raising warning signs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=console, disable=options["no_progress"], transient=True,
            ) as progress:  # fmt: skip
                bar = progress.add_task("signs", total=signs_pending_count())
                while pushed := signs_push_pending(limit=1000):
                    raised += pushed
                    progress.update(bar, completed=raised)
            sign_seconds = time.monotonic() - sign_started
        counts = result.counts
        table = Table(title=f"{spec.title}: {path.name} from {agency.name}", title_justify="left")
        table.add_column("")
        table.add_column("rows", justify="right")
        for label, value in (
            ("Rows read", counts.rows),
            ("New records stored", counts.created),
            ("Changed records stored as new versions", counts.new_versions),
            ("Already held (not stored again)", counts.unchanged),
            ("Refused", counts.rejected),
            ("Contacts sent to the hub", result.contacts),
            ("Warning signs found", result.signs),
        ):
            table.add_row(label, f"{value:,}")
        console.print(table)
        if result.resumed:
            console.print("This file's earlier import had stopped part-way; it has now been completed.")
        for warning in result.warnings:
            console.print(f"[yellow]Note:[/] {warning}")
        rate = counts.rows / seconds if seconds else 0
        batch = result.batch.pk if result.batch else "-"
        console.print(f"Stored in {seconds:,.1f} s ({rate:,.0f} rows a second). Batch {batch}.")
        if raised:
            console.print(
                f"Handed {raised:,} warning signs to the exploitation app in {sign_seconds:,.1f} s."
            )
        elif result.signs and options["signs_later"]:
            console.print("Warning signs wait in the outbox for the background worker (intake_signs_push).")
        if held:
            console.print(
                f"[yellow]{held:,} fields were held back[/] (an invalid identifier, an impossible date, an "
                f"unknown code): their rows were stored without them; each is listed in {report_path}, and "
                "the hub sees the value as it was sent."
            )
        if counts.rejected:
            console.print(
                f"[bold red]{counts.rejected:,} rows were refused.[/] Each is listed with its row number, "
                f"field and reason in {report_path}. The other rows were stored."
            )
            sys.exit(1)
        console.print("[green]Every row was stored or already held.[/]")
