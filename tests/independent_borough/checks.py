"""Identifiers with their public check digits, and the field rules of docs/feeds/README.md.

Written from the published rules (NHS number modulus 11; the DfE unique pupil number check
letter, modulus 23), not from the hub's code, so the import test checks both against each other.
``field_problems`` predicts which fields of a row the hub must report: the generator uses it to
list the deliberately bad fields it wrote.
"""

from __future__ import annotations

import re
from datetime import date

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
MAX_AGE = 25


def nhs_check_digit(first_nine: str) -> int | None:
    """The tenth digit of an NHS number, or None when no number can start with these nine."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_valid(number: str) -> bool:
    if len(number) != 10 or not number.isdigit():
        return False
    return nhs_check_digit(number[:9]) == int(number[9])


def upn_check_letter(twelve: str) -> str:
    """The first character of a UPN from the twelve after it (weights 2 to 13, modulus 23)."""
    total = sum(int(char) * weight for char, weight in zip(twelve, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23]


def upn_valid(upn: str) -> bool:
    if len(upn) != 13 or not upn[1:].isdigit():
        return False
    return upn_check_letter(upn[1:]) == upn[0]


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def dob_problem(value: str, event_day: date, today: date) -> str:
    """Why the hub must not take this date of birth for a row whose event fell on ``event_day``."""
    if not value:
        return ""
    if not _DATE.fullmatch(value):
        return "not a date"
    try:
        born = date.fromisoformat(value)
    except ValueError:
        return "impossible date"
    if born.year < 1900:
        return "before 1900"
    if born > today:
        return "in the future"
    if born > event_day:
        return "after the event"
    age = event_day.year - born.year - ((event_day.month, event_day.day) < (born.month, born.day))
    if age > MAX_AGE:
        return f"older than {MAX_AGE}"
    return ""


def field_problems(row: dict[str, str], event_day: date, today: date) -> dict[str, str]:
    """{field: reason} for the identity fields the hub's documented rules refuse in this row."""
    problems: dict[str, str] = {}
    nhs = row.get("nhs_number", "")
    if nhs and not nhs_valid(nhs.replace(" ", "")):
        problems["nhs_number"] = "fails the check digit"
    upn = row.get("upn", "")
    if upn and not upn_valid(upn.replace(" ", "").upper()):
        problems["upn"] = "fails the check letter"
    reason = dob_problem(row.get("date_of_birth", ""), event_day, today)
    if reason:
        problems["date_of_birth"] = reason
    return problems
