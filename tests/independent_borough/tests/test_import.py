"""The independent borough's files go into the hub as they are: every row is kept except those
with a deliberately bad field, and every bad field the hub reports is one the generator meant."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.feeds.spec import RowError
from openmash.intake.models import FeedRecord
from tests.independent_borough.agencies import AGENCIES
from tests.independent_borough.load import agencies_ensure, import_all


def _expected(out: Path) -> dict[str, set[tuple[int, str]]]:
    found: dict[str, set[tuple[int, str]]] = defaultdict(set)
    with (out / "truth" / "expected_errors.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found[row["agency"]].add((int(row["row"]), row["field"]))
    return found


def test_the_hubs_own_rules_refuse_exactly_the_deliberately_bad_fields(borough) -> None:
    """Every row of the larger borough, through each feed's validation (no database needed): each bad
    field is reported, whether its row is refused or kept with the field held back."""
    out, _ = borough
    expected = _expected(out)
    for agency in AGENCIES:
        spec = FEEDS[agency.feed]
        reported: set[tuple[int, str]] = set()
        with (out / "feeds" / f"{agency.feed}.csv").open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                checked = spec.validate(line, row, today=date.today())
                # Refused rows list their errors; kept rows list the fields held back (ADR 0038).
                problems = checked if isinstance(checked, list) else checked.held
                reported |= {(error.row, error.field) for error in problems}
        assert reported == expected[agency.code], agency.code


@pytest.mark.django_db
def test_openmash_import_keeps_every_row_but_the_deliberately_bad_ones(small_borough) -> None:
    out, result = small_borough
    expected = _expected(out)
    reported: dict[str, set[tuple[int, str]]] = defaultdict(set)

    def on_error(code: str, error: RowError) -> None:
        reported[code].add((error.row, error.field))

    results = import_all(out, on_error=on_error)
    for agency in AGENCIES:
        counts = results[agency.code].counts
        assert results[agency.code].file_problem == ""
        assert counts.rows == result.rows[agency.code]
        assert reported[agency.code] == expected[agency.code], agency.code
        bad_rows = {row for row, _ in expected[agency.code]}
        # Refused rows are at most the rows with a bad field (none once bad fields are held back).
        assert counts.rejected <= len(bad_rows)
        assert counts.created + counts.rejected == counts.rows
    assert FeedRecord.objects.count() == sum(r.counts.created for r in results.values())

    again = import_all(out)  # the same files again change nothing
    assert all(r.counts.created == 0 and r.counts.new_versions == 0 for r in again.values())


@pytest.mark.django_db
def test_the_import_command_takes_a_feed_file(small_borough, tmp_path: Path) -> None:
    out, result = small_borough
    agencies_ensure()
    report = tmp_path / "errors.csv"
    path = out / "feeds" / "police_missing.csv"
    try:
        call_command(
            "import_feed",
            "police_missing",
            str(path),
            "--agency",
            "northvale-police",
            "--no-progress",
            "--report",
            str(report),
            "--signs-later",
        )
        status = 0
    except SystemExit as stop:
        status = int(stop.code or 0)
    expected = _expected(out)["northvale-police"]
    listed = set()
    if report.exists():
        with report.open(encoding="utf-8", newline="") as handle:
            listed = {(int(row["row"]), row["field"]) for row in csv.DictReader(handle)}
    assert listed <= expected
    held = FeedRecord.objects.filter(batch__agency__code="northvale-police").count()
    rows = result.rows["northvale-police"]
    assert rows - len({row for row, _ in expected}) <= held <= rows
    assert status == (1 if held < rows else 0)
