"""Normalising and checking the identifiers that make two reports the same thing."""

from __future__ import annotations

import re

_VRM_FORMATS = re.compile(
    r"^(?:[A-Z]{2}[0-9]{2}[A-Z]{3}"  # current: AB51 ABC
    r"|[A-Z][0-9]{1,3}[A-Z]{3}"  # prefix: A123 BCD
    r"|[A-Z]{3}[0-9]{1,3}[A-Z]"  # suffix: ABC 123D
    r"|[A-Z]{1,3}[0-9]{1,4}"  # dateless: ABC 1234
    r"|[0-9]{1,4}[A-Z]{1,3})$"  # dateless, numbers first: 1234 AB
)
_PHONE_JUNK = re.compile(r"[\s\-().]")
_HANDLE = re.compile(r"^@?[A-Za-z0-9_.\-]{1,60}$")


class IdentifierProblem(ValueError):
    """The value is not a well-formed identifier; the message says what is wrong."""


def registration_normalise(value: str) -> str:
    """A GB vehicle registration, upper case without spaces; raises IdentifierProblem if malformed."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not _VRM_FORMATS.match(compact):
        raise IdentifierProblem(f"'{value[:20]}' is not a GB vehicle registration (for example ZA71 KXT)")
    return compact


def registration_display(key: str) -> str:
    """ZA71KXT -> ZA71 KXT (current format); other formats as held."""
    if re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z]{3}", key):
        return f"{key[:4]} {key[4:]}"
    return key


def phone_normalise(value: str) -> str:
    """A UK phone number as its 11 digits starting 0; raises IdentifierProblem if malformed."""
    digits = _PHONE_JUNK.sub("", value or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    if not digits.isdigit() or not digits.startswith("0") or len(digits) not in (10, 11):
        raise IdentifierProblem(f"'{value[:20]}' is not a UK phone number (for example 07700 900123)")
    return digits


def phone_display(key: str) -> str:
    return f"{key[:5]} {key[5:]}" if len(key) == 11 else key


def account_key(platform: str, handle: str) -> str:
    platform, handle = (platform or "").strip().lower(), (handle or "").strip()
    if not platform or not _HANDLE.match(handle):
        raise IdentifierProblem(
            "an online account needs a platform and a handle of letters, digits, _ . or -"
        )
    return f"{platform}:{handle.lstrip('@').lower()}"
