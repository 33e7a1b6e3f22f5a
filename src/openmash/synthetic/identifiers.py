"""Identifiers that look real, pass real validation, and cannot belong to a real person.

* NHS numbers: the 999 range, which NHS England reserves for testing and never issues,
  with a valid modulus-11 check digit so that validators accept them.
* Unique pupil numbers: a valid modulo-23 check letter, but local authority number 000.
  DfE allocates LA numbers 201 and up (and recognises pseudo-LA codes 001-005); 000 is
  allocated to nobody, so no real pupil can hold one of these UPNs. A returns validator
  that checks the LA number must treat 000 as the synthetic borough's.
* Postcodes: area "OM", which is not a UK postcode area.
* Mobile numbers: Ofcom's drama range 07700 900000-900999, reserved for fiction.
* Vehicle registrations: current GB format with memory-tag first letter Z, which DVLA
  does not allocate to any region.
"""

from __future__ import annotations

import random

NHS_TEST_PREFIX = "999"
UPN_LA_NUMBER = "000"
POSTCODE_AREA = "OM"
DRAMA_MOBILE_PREFIX = "07700900"
DRAMA_MOBILE_COUNT = 1000
VEHICLE_MEMORY_TAG_FIRST = "Z"

# Letters for the check letter of a UPN: I, O and S are never used.
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
# Letters allowed in the inward code of a postcode (no C, I, K, M, O, V).
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Letters used in the random part of a GB registration (no I, Q; Z allowed there).
VEHICLE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 with weights 10..2. None when the body has no valid check digit (result 10)."""
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


def nhs_number_is_synthetic(number: str) -> bool:
    return nhs_number_is_valid(number) and number.startswith(NHS_TEST_PREFIX)


def nhs_numbers(rng: random.Random, count: int) -> list[str]:
    """`count` distinct valid NHS numbers in the 999 test range, in random order."""
    # 10^6 bodies, about 1 in 11 without a valid check digit: roughly 909,000 usable numbers.
    capacity = 900_000
    if count > capacity:
        raise ValueError(f"The NHS test range holds about {capacity:,} numbers; {count:,} were asked for")
    found: list[str] = []
    # Over-sample so one pass almost always suffices, then top up if it did not.
    for body in rng.sample(range(1_000_000), min(1_000_000, count + count // 8 + 16)):
        first_nine = f"{NHS_TEST_PREFIX}{body:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            found.append(f"{first_nine}{check}")
            if len(found) == count:
                return found
    seen = set(found)
    for body in range(1_000_000):
        first_nine = f"{NHS_TEST_PREFIX}{body:06d}"
        check = nhs_check_digit(first_nine)
        number = f"{first_nine}{check}"
        if check is not None and number not in seen:
            found.append(number)
            if len(found) == count:
                break
    return found


def upn_check_letter(last_twelve: str) -> str:
    """The DfE check letter: characters 2-13 weighted 2..13, sum modulo 23."""
    total = sum(int(char) * weight for char, weight in zip(last_twelve, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23]


def upn_is_valid(upn: str) -> bool:
    if len(upn) != 13 or not upn[1:].isdigit():
        return False
    return upn[0] == upn_check_letter(upn[1:])


def upn_is_synthetic(upn: str) -> bool:
    return upn_is_valid(upn) and upn[1:4] == UPN_LA_NUMBER


def upn(*, establishment: int, year_allocated: int, serial: int) -> str:
    body = f"{UPN_LA_NUMBER}{establishment:04d}{year_allocated % 100:02d}{serial:03d}"
    return upn_check_letter(body) + body


def postcode(*, district: int, sector: int, unit: str) -> str:
    return f"{POSTCODE_AREA}{district} {sector}{unit}"


def postcode_units(rng: random.Random, count: int) -> list[str]:
    """`count` distinct two-letter units in random order (400 exist)."""
    units = [a + b for a in POSTCODE_UNIT_LETTERS for b in POSTCODE_UNIT_LETTERS]
    return rng.sample(units, count)


def drama_mobile_numbers(rng: random.Random, count: int) -> list[str]:
    """Distinct mobile numbers from the 1,000 Ofcom keeps for drama, formatted as people write them."""
    count = min(count, DRAMA_MOBILE_COUNT)
    return [f"07700 900{n:03d}" for n in rng.sample(range(DRAMA_MOBILE_COUNT), count)]


def vehicle_registrations(rng: random.Random, count: int, *, earliest_year: int = 2005) -> list[str]:
    """Distinct GB-format registrations whose memory tag starts with Z (never issued)."""
    found: dict[str, None] = {}
    while len(found) < count:
        year = rng.randint(earliest_year, 2025) % 100
        # The age identifier is the year (March) or the year + 50 (September).
        age = year if rng.random() < 0.5 else year + 50
        tag = VEHICLE_MEMORY_TAG_FIRST + rng.choice(VEHICLE_LETTERS)
        letters = "".join(rng.choice(VEHICLE_LETTERS) for _ in range(3))
        found.setdefault(f"{tag}{age:02d} {letters}", None)
    return list(found)
