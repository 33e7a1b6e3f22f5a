"""The working-day clock against England and Wales bank holidays, 2012-2027.

Two independent sources: GOV.UK's own published list (the data the DfE CIN validator
uses, as shipped in the `govuk-bank-holidays` package's cache, read offline) and a list
written out by hand below. The calendar under test is built from the `holidays` package.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from govuk_bank_holidays.bank_holidays import BankHolidays
from hypothesis import given
from hypothesis import strategies as st

from openmash.timescales.calendar import ENGLAND, LONDON, add_months, working_calendar

# England and Wales bank holidays on weekdays, from GOV.UK, written out by hand.
HAND_WRITTEN = {
    2012: ["01-02", "04-06", "04-09", "05-07", "06-04", "06-05", "08-27", "12-25", "12-26"],
    2013: ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2014: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2015: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2016: ["01-01", "03-25", "03-28", "05-02", "05-30", "08-29", "12-26", "12-27"],
    2017: ["01-02", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26"],
    2018: ["01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26"],
    2019: ["01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2020: ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"],
    2021: ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"],
    2022: ["01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"],
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
    2024: ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2027: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
}
HAND_WRITTEN_DATES = {date.fromisoformat(f"{year}-{md}") for year, mds in HAND_WRITTEN.items() for md in mds}


def _govuk_dates() -> set[date]:
    division = BankHolidays.ENGLAND_AND_WALES
    published = BankHolidays(use_cached_holidays=True).get_holidays(division=division)
    return {item["date"] for item in published if 2012 <= item["date"].year <= 2027}


def _weekday_non_working_days(year: int) -> set[date]:
    day, found = date(year, 1, 1), set()
    while day.year == year:
        if day.weekday() < 5 and not ENGLAND.is_working_day(day):
            found.add(day)
        day += timedelta(days=1)
    return found


@pytest.mark.parametrize("year", range(2012, 2028))
def test_weekday_holidays_match_govuk_published_list(year):
    expected = {day for day in _govuk_dates() if day.year == year}
    assert _weekday_non_working_days(year) == expected


@pytest.mark.parametrize("year", range(2012, 2028))
def test_weekday_holidays_match_hand_written_list(year):
    expected = {day for day in HAND_WRITTEN_DATES if day.year == year}
    assert _weekday_non_working_days(year) == expected


@pytest.mark.parametrize(
    ("start", "n", "due", "why"),
    [
        (date(2026, 11, 20), 1, date(2026, 11, 23), "Friday + 1 skips the weekend"),
        (date(2026, 12, 24), 1, date(2026, 12, 29), "Christmas Day and the Boxing Day substitute"),
        (date(2027, 12, 24), 1, date(2027, 12, 29), "both Christmas substitute days in 2027"),
        (date(2026, 4, 2), 1, date(2026, 4, 7), "Good Friday and Easter Monday"),
        (date(2022, 9, 16), 1, date(2022, 9, 20), "the one-off State Funeral day"),
        (date(2023, 5, 5), 1, date(2023, 5, 9), "the Coronation bank holiday"),
        (date(2012, 6, 1), 1, date(2012, 6, 6), "the moved Spring holiday and the Diamond Jubilee"),
        (date(2020, 5, 7), 1, date(2020, 5, 11), "VE Day moved the Early May holiday to a Friday"),
        (date(2026, 11, 21), 0, date(2026, 11, 23), "n = 0 from a Saturday is the next working day"),
        (date(2026, 11, 23), 15, date(2026, 12, 14), "an ICPC 15 working days after a Monday"),
        (date(2026, 12, 14), 15, date(2027, 1, 7), "15 working days across Christmas and New Year"),
        (date(2026, 12, 25), 1, date(2026, 12, 29), "counting from a bank holiday"),
    ],
)
def test_add_working_days(start, n, due, why):
    assert ENGLAND.add_working_days(start, n) == due, why


def test_forty_five_working_day_assessment_spans_easter():
    # Referral on Monday 2 March 2026: 45 working days skip Good Friday, Easter Monday and Early May.
    assert ENGLAND.add_working_days(date(2026, 3, 2), 45) == date(2026, 5, 7)


def test_cin_validator_counts_the_start_day_as_day_one():
    # Strategy discussion on a Monday: the validator's 15-WD ICPC deadline is one day earlier.
    assert ENGLAND.cin_validator_due_date(date(2026, 11, 23), 15) == date(2026, 12, 11)
    # A start on a Saturday rolls to Monday, which counts as day 1.
    assert ENGLAND.cin_validator_due_date(date(2026, 11, 21), 1) == date(2026, 11, 23)


@given(start=st.dates(min_value=date(2012, 1, 1), max_value=date(2027, 6, 30)), n=st.integers(0, 120))
def test_working_days_between_inverts_add_working_days(start, n):
    due = ENGLAND.add_working_days(start, n)
    assert ENGLAND.is_working_day(due)
    # n = 0 is start itself, or the next working day (one working day after start).
    expected = n if n else (0 if ENGLAND.is_working_day(start) else 1)
    assert ENGLAND.working_days_between(start, due) == expected


@given(start=st.dates(min_value=date(2012, 1, 1), max_value=date(2027, 6, 30)), n=st.integers(1, 60))
def test_subtract_undoes_add_from_a_working_day(start, n):
    start = ENGLAND.on_or_after(start)
    assert ENGLAND.subtract_working_days(ENGLAND.add_working_days(start, n), n) == start


def test_days_overdue_counts_working_days_only():
    due = date(2026, 12, 23)
    assert ENGLAND.working_days_overdue(due, date(2026, 12, 23)) == 0
    assert ENGLAND.working_days_overdue(due, date(2026, 12, 29)) == 2  # 24th, 29th
    assert ENGLAND.working_days_overdue(due, date(2026, 12, 1)) == 0


def _london(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("received", "hours", "due"),
    [
        (_london(2026, 11, 23, 10, 0), 4, _london(2026, 11, 23, 14, 0)),
        (_london(2026, 11, 23, 15, 30), 4, _london(2026, 11, 24, 11, 30)),
        (_london(2026, 11, 20, 16, 0), 4, _london(2026, 11, 23, 12, 0)),
        (_london(2026, 11, 21, 11, 0), 4, _london(2026, 11, 23, 13, 0)),
        (_london(2026, 11, 23, 7, 45), 4, _london(2026, 11, 23, 13, 0)),
        (_london(2026, 12, 24, 16, 0), 8, _london(2026, 12, 29, 16, 0)),
        # The clocks go forward on 29 March 2026: office hours are still 9 to 5 local time.
        (_london(2026, 3, 27, 15, 0), 4, _london(2026, 3, 30, 11, 0)),
    ],
)
def test_add_working_hours(received, hours, due):
    assert ENGLAND.add_working_hours(received, hours) == due


def test_working_hours_between_matches_add():
    start = _london(2026, 12, 23, 14, 0)
    end = ENGLAND.add_working_hours(start, 10)
    assert ENGLAND.working_hours_between(start, end) == pytest.approx(10)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        ENGLAND.add_working_hours(datetime(2026, 11, 23, 10, 0), 1)


def test_local_one_off_holiday_and_version():
    local = working_calendar(extra_holidays=[date(2026, 11, 23)])
    assert local.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 24)
    assert local.version != ENGLAND.version
    assert ENGLAND.version.startswith("holidays-")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected
