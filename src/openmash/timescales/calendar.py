"""Working days and working hours on the England and Wales bank-holiday calendar.

Every statutory and local clock in OpenMASH counts through this module, so that a due
date means the same thing on every page, in every report and in every return.

Counting convention (ADR 0006): `add_working_days(start, n)` is the n-th working day
*after* `start` ("within 15 working days of the strategy discussion"); the start day
itself never counts. `cin_validator_due_date` reproduces the DfE CIN census validator,
which counts the start day as day 1, for checking returns against it.
"""

from __future__ import annotations

import calendar as _calendar
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays as _holidays

LONDON = ZoneInfo("Europe/London")
FIRST_YEAR = 2000
LAST_YEAR = 2040


@dataclass(frozen=True)
class WorkingCalendar:
    """England and Wales working days, with local additions (e.g. a one-off holiday announced
    at short notice before the package is updated) and removals."""

    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    removed_holidays: frozenset[date] = field(default_factory=frozenset)
    office_opens: time = time(9, 0)
    office_closes: time = time(17, 0)

    @cached_property
    def bank_holidays(self) -> frozenset[date]:
        england = _holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
        return (frozenset(england) | self.extra_holidays) - self.removed_holidays

    @cached_property
    def version(self) -> str:
        """Which calendar produced a due date: stored beside every due date (reference §6.1)."""
        local = hashlib.sha256(
            repr((sorted(self.extra_holidays), sorted(self.removed_holidays))).encode()
        ).hexdigest()[:8]
        return f"holidays-{_holidays.__version__}/local-{local}"

    # -- days -------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n >= 0). n = 0 gives `start` or the next working day."""
        if n < 0:
            raise ValueError("n must not be negative; use subtract_working_days")
        if n == 0:
            return self.on_or_after(start)
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def subtract_working_days(self, start: date, n: int) -> date:
        day = start
        for _ in range(n):
            day -= timedelta(days=1)
            while not self.is_working_day(day):
                day -= timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: 0 when end <= start. add_working_days(s, n) gives n."""
        if end <= start:
            return 0
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def working_days_overdue(self, due: date, today: date) -> int:
        """How many working days past its due date a task is (0 if not yet overdue)."""
        return self.working_days_between(due, today)

    def cin_validator_due_date(self, start: date, n: int) -> date:
        """The DfE CIN validator's deadline: start + CustomBusinessDay(n - 1).

        It counts the start day as day 1 when it is a working day; a start on a weekend or
        bank holiday rolls to the next working day, which then counts as day 1.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        return self.add_working_days(self.on_or_after(start), n - 1)

    # -- hours ------------------------------------------------------------------------

    def _opening(self, day: date) -> datetime:
        return datetime.combine(day, self.office_opens, tzinfo=LONDON)

    def _closing(self, day: date) -> datetime:
        return datetime.combine(day, self.office_closes, tzinfo=LONDON)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """`hours` of office time after `start` (office hours on working days, London time).

        A contact received out of hours starts its clock when the office next opens.
        """
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        remaining = timedelta(hours=hours)
        moment = start.astimezone(LONDON)
        day = moment.date()
        if not self.is_working_day(day) or moment >= self._closing(day):
            day = self.next_working_day(day)
            moment = self._opening(day)
        elif moment < self._opening(day):
            moment = self._opening(day)
        while True:
            left_today = self._closing(day) - moment
            if remaining <= left_today:
                return moment + remaining
            remaining -= left_today
            day = self.next_working_day(day)
            moment = self._opening(day)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours elapsed between two moments (0 if end <= start)."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(LONDON), end.astimezone(LONDON)
        total = timedelta()
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                window_start = max(start, self._opening(day))
                window_end = min(end, self._closing(day))
                if window_end > window_start:
                    total += window_end - window_start
            day += timedelta(days=1)
        return total.total_seconds() / 3600


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (31 August + 6 months = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def working_calendar(
    extra_holidays: Iterable[date] = (), removed_holidays: Iterable[date] = ()
) -> WorkingCalendar:
    return WorkingCalendar(frozenset(extra_holidays), frozenset(removed_holidays))


# The partnership's calendar. Local additions come from configuration when clocks land (issue 5).
ENGLAND = working_calendar()
