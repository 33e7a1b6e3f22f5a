"""How an agency's record of a child comes to differ from the truth.

The rates are per identity and were chosen to resemble what record-linkage studies of
English children's data describe (see shared/reference/record-linkage.md): a few
per cent typos, nicknames where the child is known informally, day and month swapped,
surnames changed by a step-family but not updated everywhere, addresses left behind
after a move, identifiers that an agency does not collect.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import date

# Keys next to each other on a UK keyboard: the usual source of a substituted letter.
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _row in _KEYBOARD_ROWS:
    for _i, _key in enumerate(_row):
        _NEIGHBOURS[_key] = _row[max(0, _i - 1) : _i] + _row[_i + 1 : _i + 2]


@dataclass(frozen=True)
class NoiseConfig:
    """Per-identity probabilities. `scaled(0)` gives identities that equal the truth."""

    forename_typo: float = 0.02
    surname_typo: float = 0.025
    # Multiplied by each agency's informality and by whether the child goes by a nickname.
    nickname: float = 0.3
    dob_day_month_swapped: float = 0.015
    dob_year_off_by_one: float = 0.007
    dob_missing: float = 0.004
    sex_not_recorded: float = 0.01
    # After a surname change: the chance an agency that knew the old name never updated it.
    stale_surname: float = 0.6
    # After a move: the chance an agency that knew the old address never updated it.
    stale_address: float = 0.6
    postcode_typo: float = 0.015
    postcode_missing: float = 0.02
    # Multiplies each agency's share of records that lack an NHS number or UPN.
    identifiers_missing: float = 1.0
    # Multiplies each agency's duplicate-record rate.
    duplicates: float = 1.0

    def scaled(self, factor: float) -> NoiseConfig:
        """Every rate times `factor`, capped at 1 (0 switches noise off)."""
        values = {f.name: min(1.0, getattr(self, f.name) * factor) for f in dataclasses.fields(self)}
        return NoiseConfig(**values)


def typo(rng: random.Random, text: str) -> str:
    """One substitution, transposition, deletion or doubled letter; never returns `text` unchanged."""
    if len(text) < 3:
        return text + text[-1:].lower() if text else text
    for _ in range(8):
        # The first letter is usually right: people check it, and indexes sort by it.
        pos = rng.randrange(1, len(text))
        op = rng.random()
        if op < 0.4:
            char = text[pos].lower()
            options = _NEIGHBOURS.get(char, "")
            if not options:
                continue
            result = text[:pos] + rng.choice(options) + text[pos + 1 :]
        elif op < 0.65 and pos < len(text) - 1:
            result = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
        elif op < 0.85:
            result = text[:pos] + text[pos + 1 :]
        else:
            result = text[: pos + 1] + text[pos] + text[pos + 1 :]
        if result != text:
            return result
    return text[:-1]


def swap_day_month(day: date) -> date | None:
    """The same date written the American way round; None where that is no different or impossible."""
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def postcode_typo(rng: random.Random, postcode: str) -> str:
    """Change one character of the inward code (the part after the space)."""
    outward, _, inward = postcode.partition(" ")
    if not inward:
        return postcode
    pos = rng.randrange(len(inward))
    pool = "0123456789" if inward[pos].isdigit() else "ABDEFGHJLNPQRSTUWXYZ"
    replacement = rng.choice([c for c in pool if c != inward[pos]])
    return f"{outward} {inward[:pos]}{replacement}{inward[pos + 1 :]}"
