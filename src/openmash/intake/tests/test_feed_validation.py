"""Feed formats: every sample row is valid, and every kind of bad input is a clear row or file error."""

from __future__ import annotations

import io
from datetime import date

import pytest

from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.feeds.read import FileProblem, check_bytes, csv_rows_from_bytes
from openmash.intake.feeds.samples import persons_synthetic, rows_to_csv, sample_rows
from openmash.intake.feeds.spec import CleanRow, RowError

AS_OF = date(2026, 11, 20)
PEOPLE = persons_synthetic(seed=3, count=10, as_of=AS_OF)


def _row(feed: str = "health_ae", **changes: str) -> dict[str, str]:
    row = next(sample_rows(feed=feed, persons=PEOPLE, count=1, seed=1, as_of=AS_OF))
    row.update(changes)
    return row


def _errors(feed: str = "health_ae", **changes: str) -> list[RowError]:
    outcome = FEEDS[feed].validate(2, _row(feed, **changes), today=AS_OF)
    assert isinstance(outcome, list), "expected the row to be refused"
    return outcome


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_every_sample_row_of_every_feed_is_valid(feed):
    for index, row in enumerate(sample_rows(feed=feed, persons=PEOPLE, count=40, seed=11, as_of=AS_OF)):
        outcome = FEEDS[feed].validate(index + 2, row, today=AS_OF)
        assert isinstance(outcome, CleanRow), outcome


def _held(feed: str = "health_ae", row: dict[str, str] | None = None, **changes: str) -> CleanRow:
    outcome = FEEDS[feed].validate(2, row or _row(feed, **changes), today=AS_OF)
    assert isinstance(outcome, CleanRow), "expected the row to be kept with the field held back"
    return outcome


def test_a_date_in_the_wrong_format_is_held_back_with_the_row_the_field_and_the_format():
    kept = _held(date_of_birth="02/07/2011")
    [error] = kept.held
    assert (error.row, error.field, error.kept) == (2, "date_of_birth", True)
    assert "YYYY-MM-DD" in error.reason and "02/07/2011" in error.reason
    assert kept.values["date_of_birth"] is None and kept.raw["date_of_birth"] == "02/07/2011"


@pytest.mark.parametrize(
    ("born", "words"),
    [
        ("2027-01-01", "in the future"),
        ("1931-02-03", "up to 25"),
        ("2026-11-19", "not born yet"),
    ],
)
def test_impossible_dates_of_birth_are_held_back_and_the_row_kept(born, words):
    row = _row(arrived_at="2026-06-01T10:00")
    row["date_of_birth"] = born
    kept = _held(row=row)
    assert kept.held[0].field == "date_of_birth" and words in kept.held[0].reason
    assert kept.values["date_of_birth"] is None


def test_a_mistyped_nhs_number_fails_its_check_digit_and_is_held_back():
    good = PEOPLE[0].nhs_number or PEOPLE[1].nhs_number
    mistyped = good[:-1] + str((int(good[-1]) + 1) % 10)
    [error] = _held(nhs_number=mistyped).held
    assert error.field == "nhs_number" and "check digit" in error.reason


def test_a_row_with_nothing_that_identifies_the_person_is_refused():
    errors = _errors(forename="", surname="", date_of_birth="not a date", nhs_number="", upn="")
    assert len(errors) == 1 and "nothing in this row identifies the person" in errors[0].reason
    assert "date_of_birth" in errors[0].reason  # what was held back is said too


def test_missing_required_values_bad_codes_and_control_characters_are_each_reported():
    errors = _errors(record_id="", injury="perhaps", attendance_reason="fall\x07")
    assert {e.field for e in errors} == {"record_id", "injury", "attendance_reason"}
    assert all(e.row == 2 for e in errors)
    # A NUL anywhere, even in a column the feed does not use, cannot be stored: the row is refused.
    [error] = FEEDS["health_ae"].validate(3, {**_row(), "extra": "a\x00b"}, today=AS_OF)
    assert (error.row, error.field) == (3, "extra") and "NUL" in error.reason


def test_an_event_in_the_future_and_a_period_ending_before_it_starts_are_refused():
    [error] = _errors(arrived_at="2030-01-01T10:00")
    assert error.field == "arrived_at" and "future" in error.reason
    errors = _errors("education_attendance", period_start="2026-05-10", period_end="2026-05-01")
    assert [e.field for e in errors] == ["period_end"]
    errors = _errors("education_attendance", sessions_possible="10", sessions_attended="12")
    assert [e.field for e in errors] == ["sessions_attended"]


def test_json_values_may_be_typed_but_not_lists_or_objects():
    row = dict(_row(), injury=True)
    assert isinstance(FEEDS["health_ae"].validate(1, row, today=AS_OF), CleanRow)
    outcome = FEEDS["health_ae"].validate(1, dict(row, injury=["Y"]), today=AS_OF)
    assert isinstance(outcome, list) and outcome[0].field == "injury"


def _check(data: bytes, max_bytes: int = 10_000) -> str:
    with pytest.raises(FileProblem) as caught:
        check_bytes(io.BytesIO(data), max_bytes=max_bytes)
    return caught.value.reason


def test_files_that_are_not_utf8_csv_are_refused_whole_with_a_reason():
    assert "not UTF-8" in _check("record_id,forename\r\n1,Zoë\r\n".encode("cp1252"))
    assert "line 2" in _check("record_id,forename\r\n1,Zoë\r\n".encode("cp1252"))
    assert "Excel .xlsx" in _check(b"PK\x03\x04rest-of-a-zip")
    assert "PDF" in _check(b"%PDF-1.7 ...")
    assert "binary data" in _check("record_id\r\n".encode("utf-16"))
    assert "empty" in _check(b"")
    assert "limit" in _check(b"x" * 200, max_bytes=100)


def test_missing_columns_and_a_header_that_is_data_are_explained():
    csv_text = rows_to_csv([_row()], "health_ae").replace("record_id", "recordid")
    with pytest.raises(FileProblem) as caught:
        csv_rows_from_bytes(csv_text.encode(), FEEDS["health_ae"])
    assert "no record_id column" in caught.value.reason
    with pytest.raises(FileProblem) as caught:
        csv_rows_from_bytes(b"1,2,3\r\n4,5,6\r\n", FEEDS["health_ae"])
    assert "looks like data" in caught.value.reason


def test_ragged_and_unreadable_rows_are_row_errors_and_the_rest_carry_on():
    good = rows_to_csv([_row(), _row(record_id="R-2")], "health_ae").splitlines()
    text = "\r\n".join([good[0], good[1], "only,three,values", good[2]]) + "\r\n"
    _, items = csv_rows_from_bytes(text.encode(), FEEDS["health_ae"])
    results = list(items)
    assert [row for row, _ in results] == [2, 3, 4]
    assert isinstance(results[1][1], RowError) and "has 3 values" in results[1][1].reason
    assert not isinstance(results[2][1], RowError)
