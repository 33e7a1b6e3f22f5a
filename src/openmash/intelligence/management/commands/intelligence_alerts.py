"""`openmash intelligence_alerts [--days N]`: send new shared-entity alerts to the hub's queue (run daily)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.intelligence.services import shared_entity_alerts_raise


class Command(BaseCommand):
    help = "Raise alerts for unrelated children sharing an adult, vehicle, phone or place in the last N days"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=365, help="The window, ending today (default 365)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        raised = shared_entity_alerts_raise(
            actor=Actor.system("intelligence_alerts"), window=(today - timedelta(days=options["days"]), today)
        )
        contacts = sum(len(alert.contact_ids) for alert in raised)
        self.stdout.write(f"{len(raised)} new alerts; {contacts} contacts opened in the hub's queue.")
