from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from openmash.audit.anchors import AnchorFileBroken, anchors_read, latest_anchor_per_chain
from openmash.audit.models import AccessEvent
from openmash.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Check the read log's hash chains (and the anchored chain heads) and name the first broken row."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            anchors = latest_anchor_per_chain(anchors_read())
        except AnchorFileBroken as error:
            raise CommandError(f"BROKEN: the anchor file was changed: {error}.") from error
        total = AccessEvent.objects.count()
        with Progress(transient=True, disable=options["verbosity"] == 0) as progress:
            task = progress.add_task("Verifying access events", total=total)
            result = audit_chain_verify(progress=lambda n: progress.advance(task, n), anchors=anchors)
        if result.first_break is None:
            anchored = f", {len(anchors)} anchored heads still in place" if anchors else ""
            self.stdout.write(
                f"OK: {result.events} access events in {result.chains} chains verified{anchored}."
            )
            return
        broken = result.first_break
        raise CommandError(
            f"BROKEN: chain {broken.chain}, sequence {broken.sequence} (row id {broken.event_id}): "
            f"{broken.problem}."
        )
