"""Synthetic identifiers pass real validation and can never belong to a real person."""

from __future__ import annotations

import random

import pytest

from openmash.synthetic import identifiers


def test_nhs_check_digit_matches_the_published_example():
    # 943 476 5919 is the NHS's own worked example of a valid number.
    assert identifiers.nhs_number_is_valid("9434765919")
    assert not identifiers.nhs_number_is_valid("9434765918")
    assert not identifiers.nhs_number_is_synthetic("9434765919")  # valid, but a real-range number


def test_generated_nhs_numbers_are_valid_distinct_and_in_the_test_range():
    numbers = identifiers.nhs_numbers(random.Random(3), 20_000)
    assert len(set(numbers)) == 20_000
    assert all(identifiers.nhs_number_is_synthetic(number) for number in numbers)


def test_nhs_numbers_refuse_more_than_the_test_range_holds():
    with pytest.raises(ValueError, match="test range"):
        identifiers.nhs_numbers(random.Random(1), 2_000_000)


def test_upn_check_letter_matches_a_published_example():
    assert identifiers.upn_is_valid("B801200005001")
    assert not identifiers.upn_is_valid("A801200005001")


def test_generated_upns_are_valid_and_use_the_unallocated_la_number():
    upn = identifiers.upn(establishment=2017, year_allocated=2019, serial=42)
    assert upn[1:] == "000201719042"
    assert identifiers.upn_is_valid(upn)
    assert identifiers.upn_is_synthetic(upn)
    assert upn[0] not in "IOS"


def test_postcodes_phones_and_registrations_are_fictional():
    assert identifiers.postcode(district=3, sector=7, unit="XY") == "OM3 7XY"
    phones = identifiers.drama_mobile_numbers(random.Random(1), 5000)
    assert len(phones) == 1000  # Ofcom reserves exactly 1,000 drama mobile numbers
    assert all(p.startswith("07700 900") and len(p) == 12 for p in phones)
    registrations = identifiers.vehicle_registrations(random.Random(1), 300)
    assert len(set(registrations)) == 300
    assert all(r[0] == "Z" and len(r) == 8 for r in registrations)
