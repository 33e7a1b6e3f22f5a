"""Property tests: no CSV row or JSON record, however malformed, raises anything but a row error."""

from __future__ import annotations

import csv
import io
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openmash.accounts.actor import Actor
from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.feeds.importer import feed_bytes_validate, feed_records_import
from openmash.intake.feeds.samples import persons_synthetic, sample_rows
from openmash.intake.feeds.spec import CleanRow, RowError
from openmash.intake.services import feed_client_create

from .conftest import AS_OF

PEOPLE = persons_synthetic(seed=1, count=5, as_of=AS_OF)
FEED_CODES = sorted(FEEDS)

# Any text at all (control characters, quotes, commas, line breaks, emoji, RTL marks), plus
# values close enough to valid that they reach the later checks.
nasty_text = st.text(st.characters(codec="utf-8"), max_size=60)
near_valid = st.one_of(
    st.sampled_from(["", " ", "Y", "N", "maybe", "2026-02-30", "2026-13-01", "0000-01-01", "2026-03-14",
                     "2026-03-14T25:00", "2026-03-14T10:00", "9999999999", "-1", "1e9", "999 000 0018",
                     "A000200012345", '"', '""', "\r", "\n", "\x00", "\ufeff", "NaN"]),
    st.dates().map(str),
    st.integers(-(10**12), 10**12).map(str),
)  # fmt: skip
cell = st.one_of(nasty_text, near_valid)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A feed, its header, then rows that start from a valid sample and are then broken at random."""
    feed = draw(st.sampled_from(FEED_CODES))
    spec = FEEDS[feed]
    columns = spec.columns
    rows: list[list[str]] = []
    for index, sample in enumerate(sample_rows(feed=feed, persons=PEOPLE, count=draw(st.integers(1, 6)),
                                               seed=draw(st.integers(0, 50)), as_of=AS_OF)):  # fmt: skip
        values = [sample[column] for column in columns]
        for _ in range(draw(st.integers(0, 4))):
            values[draw(st.integers(0, len(values) - 1))] = draw(cell)
        cut = draw(st.integers(0, 2))
        if cut == 1:
            values = values[: draw(st.integers(0, len(values)))]
        elif cut == 2:
            values = values + draw(st.lists(cell, max_size=3))
        rows.append(values)
        _ = index
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(columns)
    for values in rows:
        if draw(st.booleans()):
            writer.writerow(values)  # properly quoted
        else:
            buffer.write(",".join(values) + "\n")  # quoting broken on purpose
    return feed, buffer.getvalue().encode("utf-8")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_files())
def test_no_csv_row_however_malformed_raises_anything_but_a_row_error(generated):
    feed, data = generated
    for row_number, outcome in feed_bytes_validate(FEEDS[feed], data):
        assert row_number >= 2
        if isinstance(outcome, CleanRow):
            assert outcome.row == row_number
            continue
        errors = outcome if isinstance(outcome, list) else [outcome]
        assert errors and all(isinstance(error, RowError) for error in errors)
        for error in errors:
            assert error.row == row_number
            assert isinstance(error.field, str)
            assert error.reason and error.reason.isprintable()


finite = st.floats(allow_nan=False, allow_infinity=False)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), finite, st.text(max_size=30), near_valid)
json_value = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(string.ascii_lowercase, max_size=8), inner, max_size=3), max_leaves=6)  # fmt: skip


@st.composite
def json_records(draw: st.DrawFn) -> list[object]:
    records: list[object] = []
    for sample in sample_rows(feed="police_missing", persons=PEOPLE, count=draw(st.integers(1, 4)),
                              seed=draw(st.integers(0, 50)), as_of=AS_OF):  # fmt: skip
        record: dict[str, object] = dict(sample)
        for _ in range(draw(st.integers(0, 4))):
            key = draw(st.sampled_from([*sample, "extra", "", "\u202e"]))
            record[key] = draw(json_value)
        if draw(st.booleans()):
            record.pop(draw(st.sampled_from(list(sample))), None)
        records.append(record)
    if draw(st.booleans()):
        records.append(draw(json_value))
    return records


@pytest.fixture
def police_client(police, hub_team):
    client, _ = feed_client_create(
        actor=Actor.system("test"), agency=police, name="prop", feeds=["police_missing"]
    )
    return client


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records=json_records())
def test_no_json_record_however_malformed_is_anything_but_stored_or_a_row_error(police_client, records):
    result = feed_records_import(
        actor=Actor.system("prop"), spec=FEEDS["police_missing"], client=police_client, records=records
    )
    counts = result.counts
    assert counts.rows == len(records)
    assert counts.created + counts.new_versions + counts.unchanged + counts.rejected == counts.rows
    assert {error.row for error in result.errors} <= set(range(1, len(records) + 1))
    # Rows with a field held back are stored (ADR 0038); only the others count as refused.
    assert len({error.row for error in result.errors if not error.kept}) == counts.rejected
