"""The independent borough's own name tables, nickname table, keyboard and transcriptions.

Everything here is read from ``data/*.csv``, written for this generator (see README.md). Draws
take a ``random.Random`` so the whole borough is deterministic from its seed.
"""

from __future__ import annotations

import csv
import itertools
import random
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR = 2008, 2024

# Heritage of households in the borough (a diverse town, shares of households with children).
HERITAGE_SHARES: dict[str, float] = {
    "english": 43.0,
    "welsh": 3.0,
    "irish": 3.5,
    "scottish": 3.0,
    "polish": 6.5,
    "romanian": 5.0,
    "lithuanian": 2.0,
    "somali": 3.5,
    "pakistani": 7.5,
    "bangladeshi": 5.0,
    "indian": 5.5,
    "nigerian": 4.0,
    "ghanaian": 2.0,
    "turkish": 2.0,
    "portuguese": 2.0,
    "arabic": 2.5,
}
# How often a family of each heritage picks a forename from its own pool rather than the
# England and Wales table (families also choose names that travel well).
OWN_POOL_SHARE: dict[str, float] = {
    "english": 0.0,
    "welsh": 0.45,
    "irish": 0.5,
    "scottish": 0.35,
    "polish": 0.65,
    "romanian": 0.6,
    "lithuanian": 0.7,
    "somali": 0.95,
    "pakistani": 0.92,
    "bangladeshi": 0.9,
    "indian": 0.8,
    "nigerian": 0.6,
    "ghanaian": 0.55,
    "turkish": 0.85,
    "portuguese": 0.75,
    "arabic": 0.9,
}
# Households whose surnames come from another heritage's table.
SURNAME_POOL = {"welsh": "welsh", "irish": "irish", "scottish": "scottish"}
MUSLIM_HERITAGES = ("somali", "pakistani", "bangladeshi", "arabic", "turkish")
# Births in the borough by year (relative): a peak around 2012 and a decline since.
BIRTHS_BY_YEAR: dict[int, float] = {
    2008: 0.93,
    2009: 0.94,
    2010: 0.97,
    2011: 0.99,
    2012: 1.0,
    2013: 0.96,
    2014: 0.95,
    2015: 0.95,
    2016: 0.94,
    2017: 0.91,
    2018: 0.88,
    2019: 0.86,
    2020: 0.82,
    2021: 0.84,
    2022: 0.81,
    2023: 0.78,
    2024: 0.77,
}


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(line for line in handle if not line.startswith("#"))


def _interpolate(year: int, anchors: list[tuple[int, float]]) -> float:
    for (y0, w0), (y1, w1) in itertools.pairwise(anchors):
        if y0 <= year <= y1:
            return w0 + (w1 - w0) * (year - y0) / (y1 - y0)
    return anchors[0][1] if year < anchors[0][0] else anchors[-1][1]


@cache
def _forename_rows() -> dict[tuple[str, str], list[tuple[str, list[tuple[int, float]]]]]:
    pools: dict[tuple[str, str], list[tuple[str, list[tuple[int, float]]]]] = defaultdict(list)
    for row in _rows("forenames_general.csv"):
        anchors = [(2008, float(row["w2008"])), (2016, float(row["w2016"])), (2024, float(row["w2024"]))]
        pools[("general", row["sex"])].append((row["name"], anchors))
    for row in _rows("forenames_heritage.csv"):
        anchors = [(2008, float(row["w2008"])), (2024, float(row["w2024"]))]
        pools[(row["group"], row["sex"])].append((row["name"], anchors))
    return dict(pools)


@cache
def forename_pool(pool: str, sex: str, year: int) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """(names, cumulative weights) of one pool for children born in ``year``."""
    rows = _forename_rows().get((pool, sex)) or _forename_rows()[("general", sex)]
    names = tuple(name for name, _ in rows)
    weights = [max(_interpolate(year, anchors), 0.1) for _, anchors in rows]
    return names, tuple(itertools.accumulate(weights))


def forename_draw(
    rng: random.Random, heritage: str, sex: str, year: int, initial: str = "", own: bool = False
) -> str:
    """A forename for a child of this heritage born in this year (optionally with this initial).

    ``own``: always from the heritage's own pool (a Somali father's name, say).
    """
    pool = heritage if own or rng.random() < OWN_POOL_SHARE.get(heritage, 0.0) else "general"
    names, cumulative = forename_pool(pool, sex, year)
    if initial:
        candidates = [
            (name, cumulative[i] - (cumulative[i - 1] if i else 0.0))
            for i, name in enumerate(names)
            if name.startswith(initial)
        ]
        if candidates:
            return rng.choices([n for n, _ in candidates], weights=[w for _, w in candidates])[0]
    return rng.choices(names, cum_weights=cumulative)[0]


@cache
def _surnames() -> dict[str, tuple[tuple[str, ...], tuple[float, ...], dict[str, str]]]:
    grouped: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    for row in _rows("surnames.csv"):
        grouped[row["group"]].append((row["surname"], float(row["weight"]), row["female"]))
    result = {}
    for group, rows in grouped.items():
        names = tuple(name for name, _, _ in rows)
        cumulative = tuple(itertools.accumulate(weight for _, weight, _ in rows))
        result[group] = (names, cumulative, {name: female for name, _, female in rows if female})
    return result


def surname_draw(rng: random.Random, heritage: str) -> str:
    table = _surnames().get(heritage) or _surnames()["english"]
    return rng.choices(table[0], cum_weights=table[1])[0]


def surname_for_daughter(surname: str) -> str:
    """The form a daughter carries (Kowalski -> Kowalska, Kazlauskas -> Kazlauskaite)."""
    for _, _, female in _surnames().values():
        if surname in female:
            return female[surname]
    return surname


def surname_family_form(surname: str) -> str | None:
    """The masculine (family) form of a daughter's surname, or None if the language has none."""
    for _, _, female in _surnames().values():
        for male, feminine in female.items():
            if feminine == surname:
                return male
    return None


@cache
def nicknames() -> dict[str, tuple[str, ...]]:
    """Formal name -> what a child of that name is also called (nicknames, spellings, English forms)."""
    table: dict[str, list[str]] = defaultdict(list)
    for row in _rows("nicknames.csv"):
        for other in row["other"].split("|"):
            if other not in table[row["name"]]:
                table[row["name"]].append(other)
    return {name: tuple(others) for name, others in table.items()}


def is_nickname_of(recorded: str, name: str) -> bool:
    return recorded in nicknames().get(name, ())


# --- Keyboards, transcriptions ----------------------------------------------------------------

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_OFFSETS = (0.0, 0.25, 0.75)


@cache
def keyboard_neighbours() -> dict[str, str]:
    """Keys next to each letter on a UK QWERTY keyboard (same row and the rows above and below)."""
    position = {
        key: (row, col + _OFFSETS[row]) for row, keys in enumerate(_ROWS) for col, key in enumerate(keys)
    }
    neighbours: dict[str, str] = {}
    for key, (row, x) in position.items():
        near = [
            other
            for other, (other_row, other_x) in position.items()
            if other != key and abs(other_row - row) <= 1 and abs(other_x - x) <= 1.0
        ]
        neighbours[key] = "".join(sorted(near))
    return neighbours


# Transcription: what a clerk typing on an English keyboard writes for a letter they cannot type,
# when they keep the sound (German-style oe/ue/ae; sh for the s-cedilla and s-comma).
TRANSCRIBE = {
    "ö": "oe",
    "ü": "ue",
    "ä": "ae",
    "ø": "oe",
    "ß": "ss",
    "ş": "sh",
    "ș": "sh",
    "ţ": "ts",
    "ț": "ts",
    "ç": "ch",
    "ł": "l",
    "\u0131": "i",
    "đ": "d",
}  # \u0131: dotless i
# Letters NFKD does not split into a base letter and a mark.
_PLAIN = {"ł": "l", "Ł": "L", "\u0131": "i", "ø": "o", "Ø": "O", "ß": "ss", "đ": "d", "Đ": "D"}


def has_diacritics(text: str) -> bool:
    return not text.isascii()


def diacritics_drop(text: str) -> str:
    """Öztürk -> Ozturk, Łucja -> Lucja, Ștefan -> Stefan."""
    text = "".join(_PLAIN.get(char, char) for char in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def diacritics_transcribe(text: str) -> str:
    """Öztürk -> Oeztuerk, Şahin -> Shahin; letters with no transcription lose their mark."""
    out = []
    for char in text:
        lower = char.lower()
        if lower in TRANSCRIBE:
            replacement = TRANSCRIBE[lower]
            out.append(replacement.capitalize() if char != lower else replacement)
        else:
            out.append(char)
    return diacritics_drop("".join(out))
