"""`openmash feed_docs`: rewrite docs/feeds/*.md from the feed specs (and the samples beside them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openmash.intake.feeds.docs import feed_docs_write


class Command(BaseCommand):
    help = "Rewrite docs/feeds/ from the feed specs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="docs/feeds")

    def handle(self, *args: Any, **options: Any) -> None:
        written = feed_docs_write(Path(options["out"]))
        self.stdout.write(f"Wrote {len(written)} pages to {options['out']}.")
