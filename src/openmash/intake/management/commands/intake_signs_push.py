"""`openmash intake_signs_push`: hand every pending warning sign in the outbox to the exploitation app."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from openmash.intake.feeds.signs import signs_pending_count, signs_push_pending


class Command(BaseCommand):
    help = "Hand pending warning signs from intake's outbox to the exploitation app."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--watch", action="store_true", help="Keep running: push new signs every few seconds (a worker)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["watch"]:
            while True:
                if not signs_push_pending(limit=1000):
                    time.sleep(2)
        total = signs_pending_count()
        started = time.monotonic()
        done = 0
        columns = (
            TextColumn("Raising warning signs"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, disable=options["no_progress"], transient=True) as progress:
            bar = progress.add_task("signs", total=total)
            while True:
                pushed = signs_push_pending(limit=1000)
                if not pushed:
                    break
                done += pushed
                progress.update(bar, completed=done)
        self.stdout.write(f"Raised {done:,} warning signs in {time.monotonic() - started:,.1f} s.")
