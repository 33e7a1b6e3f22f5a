from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openmash.timescales.services import clocks_escalate


class Command(BaseCommand):
    help = "Notify responsible managers of overdue deadlines (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        escalated = clocks_escalate()
        self.stdout.write(f"Escalated {escalated} overdue deadlines.")
