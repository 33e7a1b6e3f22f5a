from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from openmash.audit.anchors import anchor_directory, audit_anchor_write


class Command(BaseCommand):
    help = "Copy each read-log chain's head to the anchor file (run hourly; ship the output to the SIEM)."

    def handle(self, *args: Any, **options: Any) -> None:
        written = audit_anchor_write()
        for anchor in written:
            # One JSON line per head on stdout too, so a log shipper can send it off the machine.
            self.stdout.write(json.dumps({"event": "audit_anchor", **anchor.__dict__}, sort_keys=True))
        self.stderr.write(f"Anchored {len(written)} chain heads in {anchor_directory()}.")
