"""Dates and ages the GOV.UK way: '3 March 2026', '3 March 2026 at 2:05pm'."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def govuk_date(value: date | datetime | None) -> str:
    if value is None:
        return "Not known"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%B %Y}"


def govuk_datetime(value: datetime | None) -> str:
    if value is None:
        return "Not known"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{suffix}"


def age_in_years(born: date | None, on: date | None = None) -> str:
    if born is None:
        return "Age not known"
    on = on or timezone.localdate()
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return f"{years}"
