"""`openmash intelligence_feed_docs`: write docs/feeds/intelligence_*.md from the feed declarations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from openmash.intelligence.feeds.docs import docs_write


class Command(BaseCommand):
    help = "Write docs/feeds/intelligence_entities.md and intelligence_links.md"

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(settings.BASE_DIR) / "docs" / "feeds"
        for path in docs_write(directory):
            self.stdout.write(f"Wrote {path}")
