"""docs/feeds/ matches the specs that validate rows, and every committed sample file is valid."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.feeds.docs import feed_page, readme
from openmash.intake.feeds.importer import feed_bytes_validate
from openmash.intake.feeds.spec import CleanRow

DOCS = Path(__file__).resolve().parents[4] / "docs" / "feeds"


def test_the_feed_pages_are_up_to_date_with_the_specs():
    assert (DOCS / "README.md").read_text(encoding="utf-8") == readme(), "run `openmash feed_docs`"
    for code, spec in FEEDS.items():
        assert (DOCS / f"{code}.md").read_text(encoding="utf-8") == feed_page(spec, DOCS / "samples"), code


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_every_sample_file_is_valid_as_csv_and_as_json(feed):
    spec = FEEDS[feed]
    outcomes = list(feed_bytes_validate(spec, (DOCS / "samples" / f"{feed}.csv").read_bytes()))
    assert outcomes and all(isinstance(outcome, CleanRow) for _, outcome in outcomes)
    records = json.loads((DOCS / "samples" / f"{feed}.json").read_text(encoding="utf-8"))["records"]
    assert len(records) == len(outcomes)
    for number, record in enumerate(records, start=1):
        assert isinstance(spec.validate(number, record, today=date(2026, 11, 21)), CleanRow)
