from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from openmash.audit.models import AccessEvent
from openmash.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Check the read log's hash chains and name the first broken row."

    def handle(self, *args: Any, **options: Any) -> None:
        total = AccessEvent.objects.count()
        with Progress(transient=True, disable=options["verbosity"] == 0) as progress:
            task = progress.add_task("Verifying access events", total=total)
            result = audit_chain_verify(progress=lambda n: progress.advance(task, n))
        if result.first_break is None:
            self.stdout.write(f"OK: {result.events} access events in {result.chains} chains verified.")
            return
        broken = result.first_break
        raise CommandError(
            f"BROKEN: chain {broken.chain}, sequence {broken.sequence} (row id {broken.event_id}): "
            f"{broken.problem}."
        )
