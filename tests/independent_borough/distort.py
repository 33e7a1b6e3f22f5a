"""How an agency's record of a child differs from the child: the noise, each at a documented rate.

Rates are per identity (one agency's record of one child, one ``person_id``) unless said
otherwise; per-agency rates (missing fields, typos, swaps, diacritics) are in ``agencies.AGENCIES``.
``measure.py`` measures each of them again from the written files, and the tests hold the two
within tolerance. README.md has the table.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from . import tables
from .agencies import Identity

RATES: dict[str, float] = {
    "nickname_after_move": 0.30,  # identities opened at an address the child moved to, name has a nickname
    "nickname_otherwise": 0.05,  # every other identity whose forename has a nickname or other spelling
    "compound_muhammad_first_only": 0.35,  # "Muhammad Hamza" recorded as "Muhammad"
    "compound_muhammad_both": 0.30,  # ... as "Muhammad Hamza" in the forename field
    "middle_in_forename": 0.03,  # children with a middle name: "Emily Rose" in the forename field
    "known_by_middle": 0.015,  # ... recorded by the middle name alone
    "surname_whole": 0.60,  # two-part surnames (hyphenated, double, Somali, Portuguese) kept whole
    "surname_separator": 0.10,  # ... whole with the hyphen or space changed or removed
    "surname_first_part": 0.12,  # ... first part only
    "surname_last_part": 0.18,  # ... last part only
    "apostrophe_dropped": 0.20,  # O'Brien written OBrien or O Brien
    "surname_family_form": 0.12,  # a daughter's Kowalska recorded as the family's Kowalski
    "dob_day_month_swapped": 0.012,  # identities whose date of birth has a day of 12 or less (not = month)
    "dob_year_mistyped": 0.006,  # identities with a date of birth
    "nhs_invalid": 0.006,  # identities with an NHS number: one digit mistyped (check digit fails)
    "upn_invalid": 0.006,  # identities with a UPN: one digit mistyped (check letter fails)
    "dob_bad_field": 0.0025,  # identities: a future, impossible or over-25 date of birth
    "postcode_untidy": 0.05,  # postcodes in lower case or without their space
}
ARTICLES = ("Al", "El", "Ó", "Mac", "Ní", "Nic", "Ua")


def typo(rng: random.Random, text: str) -> str:
    """One slip on a QWERTY keyboard: a key next to the right one, or both keys pressed."""
    positions = [i for i, char in enumerate(text) if char.isalpha()]
    if not positions:
        return text
    weights = [0.3 if i == 0 else 1.0 for i in positions]
    i = rng.choices(positions, weights=weights)[0]
    char = text[i]
    base = tables.diacritics_drop(char).lower()
    near = tables.keyboard_neighbours().get(base, "")
    if not near:
        return text
    key = rng.choice(near)
    key = key.upper() if char.isupper() else key
    if rng.random() < 0.75:
        return text[:i] + key + text[i + 1 :]
    return text[: i + 1] + key + text[i + 1 :]


def _parts(surname: str) -> tuple[list[str], str]:
    for separator in ("-", " "):
        if separator in surname:
            return surname.split(separator), separator
    return [surname], ""


def surname_recorded(rng: random.Random, surname: str, tags: list[str]) -> str:
    parts, separator = _parts(surname)
    if len(parts) > 1:
        roll = rng.random()
        article = parts[0] in ARTICLES
        whole, other = RATES["surname_whole"], RATES["surname_separator"]
        if roll < whole:
            pass
        elif roll < whole + other or (article and roll < whole + other + RATES["surname_first_part"]):
            choices = [s for s in ("-", " ", "") if s != separator]
            joined = rng.choice(choices).join(parts)
            surname = joined if joined[:1].isupper() else joined.capitalize()
            tags.append("surname_separator")
        elif roll < whole + other + RATES["surname_first_part"]:
            surname = parts[0]
            tags.append("surname_first_part")
        else:
            surname = parts[-1]
            tags.append("surname_last_part")
    if "'" in surname and rng.random() < RATES["apostrophe_dropped"]:
        surname = surname.replace("'", rng.choice(("", " ")))
        tags.append("apostrophe_dropped")
    return surname


def forename_recorded(rng: random.Random, identity: Identity, moved: bool, tags: list[str]) -> str:
    child = identity.child
    if child.calling:
        roll = rng.random()
        if roll < RATES["compound_muhammad_first_only"]:
            tags.append("compound_first_only")
            return child.forename
        if roll < RATES["compound_muhammad_first_only"] + RATES["compound_muhammad_both"]:
            tags.append("compound_both")
            return f"{child.forename} {child.calling}"
        tags.append("compound_calling_only")
        return child.calling
    others = tables.nicknames().get(child.forename)
    if others and rng.random() < RATES["nickname_after_move" if moved else "nickname_otherwise"]:
        tags.append("nickname")
        return rng.choice(others)
    if child.middle:
        roll = rng.random()
        if roll < RATES["middle_in_forename"]:
            tags.append("middle_in_forename")
            return f"{child.forename} {child.middle}"
        if roll < RATES["middle_in_forename"] + RATES["known_by_middle"]:
            tags.append("known_by_middle")
            return child.middle
    return child.forename


def diacritics(mode: str, text: str) -> str:
    if mode == "transcribed":
        return tables.diacritics_transcribe(text)
    if mode == "dropped":
        return tables.diacritics_drop(text)
    return text


def _valid_for(identity: Identity, born: date, as_of: date) -> bool:
    first, last = identity.events[0].day, identity.events[-1].day
    age = last.year - born.year - ((last.month, last.day) < (born.month, born.day))
    return born <= first and born <= as_of and age <= 25


def dob_recorded(rng: random.Random, identity: Identity, as_of: date, bad: bool, tags: list[str]) -> str:
    """The date of birth as the agency holds it (a string: it may be no date at all)."""
    born = identity.child.dob
    if bad:
        kind = rng.choices(("future", "impossible", "too_old"), weights=(0.4, 0.3, 0.3))[0]
        tags.append(f"dob_bad_{kind}")
        if kind == "future":
            return (as_of + timedelta(days=rng.randint(1, 300))).isoformat()
        if kind == "too_old":
            return f"19{born.year % 100:02d}-{born.month:02d}-{born.day:02d}"
        if born.day > 12:  # day and month swapped: month 13 or more
            return f"{born.year}-{born.day:02d}-{born.month:02d}"
        return f"{born.year}-02-{rng.choice((30, 31))}"
    if born.day <= 12 and born.day != born.month and rng.random() < RATES["dob_day_month_swapped"]:
        swapped = date(born.year, born.day, born.month)
        if _valid_for(identity, swapped, as_of):
            tags.append("dob_day_month_swapped")
            return swapped.isoformat()
    if rng.random() < RATES["dob_year_mistyped"] and (born.month, born.day) != (2, 29):
        for _ in range(6):
            roll = rng.random()
            if roll < 0.6:
                year = born.year + rng.choice((-1, 1))
            elif roll < 0.85:
                year = born.year + rng.choice((-10, 10))
            else:
                year = born.year - born.year % 10 + rng.choice([d for d in range(10) if d != born.year % 10])
            candidate = born.replace(year=year)
            if _valid_for(identity, candidate, as_of):
                tags.append("dob_year_mistyped")
                return candidate.isoformat()
    return born.isoformat()


def digit_mistyped(rng: random.Random, number: str, first: int) -> str:
    """One digit at or after position ``first`` changed (any one-digit change fails the check)."""
    i = rng.randrange(first, len(number))
    return number[:i] + rng.choice([d for d in "0123456789" if d != number[i]]) + number[i + 1 :]


def postcode_recorded(rng: random.Random, postcode: str, tags: list[str]) -> str:
    if rng.random() < RATES["postcode_untidy"]:
        tags.append("postcode_untidy")
        return rng.choice((postcode.lower(), postcode.replace(" ", "")))
    return postcode


def record(identity: Identity, rng: random.Random, window_start: date, as_of: date) -> None:
    """Fill ``identity.recorded`` (what the agency holds) and ``identity.tags`` (what was done)."""
    agency, child, tags = identity.agency, identity.child, identity.tags
    start = identity.start
    moved = child.moved_by(start, window_start)
    if moved:
        tags.append("after_move")
    forename = forename_recorded(rng, identity, moved, tags)
    surname = child.surname_on(start)
    if surname != child.surname:
        tags.append("after_surname_change")
    if (
        child.sex == "F"
        and tables.surname_family_form(surname)
        and rng.random() < RATES["surname_family_form"]
    ):
        surname = tables.surname_family_form(surname) or surname
        tags.append("surname_family_form")
    surname = surname_recorded(rng, surname, tags)
    if tables.has_diacritics(forename + surname):
        identity.diacritics_mode = rng.choices(("kept", "transcribed", "dropped"), weights=agency.diacritics)[
            0
        ]
        if identity.diacritics_mode != "kept":
            tags.append(f"diacritics_{identity.diacritics_mode}")
        forename, surname = (
            diacritics(identity.diacritics_mode, forename),
            diacritics(identity.diacritics_mode, surname),
        )
    if rng.random() < agency.typo_forename:
        forename = typo(rng, forename)
        tags.append("typo_forename")
    if rng.random() < agency.typo_surname:
        surname = typo(rng, surname)
        tags.append("typo_surname")
    if rng.random() < agency.swap:
        forename, surname = surname, forename
        tags.append("swapped")
    missing = agency.missing
    bad_dob = rng.random() < RATES["dob_bad_field"]
    dob = "" if rng.random() < missing["date_of_birth"] else dob_recorded(rng, identity, as_of, bad_dob, tags)
    nhs = "" if rng.random() < missing["nhs_number"] else child.nhs
    upn = child.upn if child.upn_from and child.upn_from <= start else ""
    upn = "" if rng.random() < missing["upn"] else upn
    if nhs and not bad_dob and rng.random() < RATES["nhs_invalid"]:
        nhs = digit_mistyped(rng, nhs, 3)
        tags.append("nhs_invalid")
    elif upn and not bad_dob and rng.random() < RATES["upn_invalid"]:
        upn = digit_mistyped(rng, upn, 1)
        tags.append("upn_invalid")
    if nhs and agency.key == "hospital" and rng.random() < 0.1:
        nhs = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
    address = child.address_on(start)
    sex = "" if rng.random() < missing["sex"] else child.sex
    identity.recorded = {
        "forename": forename,
        "surname": surname,
        "date_of_birth": dob,
        "sex": sex,
        "nhs_number": nhs,
        "upn": upn,
        "address": "" if rng.random() < missing["address"] else address.render(agency.style),
        "postcode": ""
        if rng.random() < missing["postcode"]
        else postcode_recorded(rng, address.postcode, tags),
    }
    identity.follows_changes = rng.random() < agency.updates


def row_identity(identity: Identity, day: date) -> dict[str, str]:
    """The identity's fields on a later row: updated for a move or a new surname if it follows them."""
    values = dict(identity.recorded)
    if not identity.follows_changes:
        return values
    child = identity.child
    address = child.address_on(day)
    if address != child.address_on(identity.start):
        if values["address"]:
            values["address"] = address.render(identity.agency.style)
        if values["postcode"]:
            values["postcode"] = address.postcode
    surname = child.surname_on(day)
    if surname != child.surname_on(identity.start) and "swapped" not in identity.tags:
        values["surname"] = diacritics(identity.diacritics_mode, surname)
    return values
