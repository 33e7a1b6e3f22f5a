"""Check digits of the national identifiers feeds carry (NHS number, unique pupil number)."""

from __future__ import annotations

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 with weights 10..2. None when the body has no valid check digit."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_is_valid(number: str) -> bool:
    if len(number) != 10 or not number.isdigit():
        return False
    return nhs_check_digit(number[:9]) == int(number[9])


def upn_check_letter(last_twelve: str) -> str:
    """The DfE check letter: characters 2-13 weighted 2..13, sum modulo 23."""
    total = sum(int(char) * weight for char, weight in zip(last_twelve, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23]


def upn_is_valid(upn: str) -> bool:
    """A permanent UPN's check letter is verified; a temporary one (ending in a letter) only by shape."""
    if len(upn) != 13 or upn[0] not in UPN_CHECK_LETTERS or not upn[1:12].isdigit():
        return False
    if upn[12].isdigit():
        return upn[0] == upn_check_letter(upn[1:])
    return upn[12].isalpha()


def nhs_number_with_check(first_nine: str) -> str | None:
    check = nhs_check_digit(first_nine)
    return None if check is None else f"{first_nine}{check}"


def upn_with_check(last_twelve: str) -> str:
    return upn_check_letter(last_twelve) + last_twelve
