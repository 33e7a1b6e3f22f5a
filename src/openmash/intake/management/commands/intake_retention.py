"""`openmash intake_retention`: delete intake rows kept only for a while (run daily, or hourly).

Today that is the public report form's rate-limit rows (a keyed hash of each client address
and when it sent): kept for OPENMASH_PUBLIC_ATTEMPT_RETENTION_HOURS (default 24, never less
than the one-hour rate-limit window), then deleted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.intake.services import (
    PUBLIC_RATE_WINDOW,
    public_attempt_retention,
    public_report_attempts_purge,
)


class Command(BaseCommand):
    help = "Delete public-report rate-limit rows older than the retention window"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            help="Keep rows from this many hours (default: OPENMASH_PUBLIC_ATTEMPT_RETENTION_HOURS or 24)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["hours"]
        if hours is not None and timedelta(hours=hours) < PUBLIC_RATE_WINDOW:
            raise CommandError(
                "Keep at least the last hour: the public form's rate limit counts the rows of the last hour."
            )
        keep = timedelta(hours=hours) if hours is not None else public_attempt_retention()
        count = public_report_attempts_purge(older_than=keep, dry_run=options["dry_run"])
        kept = f"{keep.total_seconds() / 3600:g} hours"
        if options["dry_run"]:
            self.stdout.write(f"Would delete {count:,} public-report rate-limit rows older than {kept}.")
        else:
            self.stdout.write(f"Deleted {count:,} public-report rate-limit rows older than {kept}.")
