"""What tells a gang (young, territorial, closely tied) from a looser group of adults, in words."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date

from .communities import CandidateGroup
from .graph import PictureGraph

YOUNG_MEDIAN_AGE = 25
TERRITORY_KM = 1.5
CLOSE_DENSITY = 0.5


@dataclass(frozen=True)
class GroupFeatures:
    median_adult_age: float | None
    place_spread_km: float | None
    adult_density: float
    young: bool
    territorial: bool
    closely_tied: bool
    kind: str  # "gang-like" or "looser group"
    explanation: str


def _age(born: str | None, on: date) -> float | None:
    if not born:
        return None
    try:
        day = date.fromisoformat(str(born))
    except ValueError:
        return None
    return (on - day).days / 365.25


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    dy = (a[0] - b[0]) * 111.32
    dx = (a[1] - b[1]) * 111.32 * math.cos(lat)
    return math.hypot(dx, dy)


def group_features(
    pg: PictureGraph, group: CandidateGroup, attributes: dict[object, dict[str, object]], *, on: date
) -> GroupFeatures:
    """``attributes``: entity id -> current attributes (date_of_birth of adults, coordinates of places)."""
    adults = [v for v in group.members if pg.kinds[v] == "adult"]
    places = [v for v in group.members if pg.kinds[v] == "place"]
    ages = [a for a in (_age(attributes.get(pg.ids[v], {}).get("date_of_birth"), on) for v in adults) if a]  # type: ignore[arg-type]
    median_age = statistics.median(ages) if ages else None
    points = []
    for v in places:
        attrs = attributes.get(pg.ids[v], {})
        if attrs.get("latitude") is not None and attrs.get("longitude") is not None:
            points.append((float(attrs["latitude"]), float(attrs["longitude"])))  # type: ignore[arg-type]
    spread = None
    if len(points) >= 2:
        centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
        spread = max(_km(p, centre) for p in points)
    possible = len(adults) * (len(adults) - 1) / 2
    density = group.adult_links / possible if possible else 0.0
    young = median_age is not None and median_age < YOUNG_MEDIAN_AGE
    territorial = spread is not None and spread <= TERRITORY_KM
    close = possible > 0 and density >= CLOSE_DENSITY
    score = sum((young, territorial, close))
    kind = "gang-like" if score >= 2 else "looser group"
    reasons = [
        f"the adults' median age is {median_age:.0f}"
        if median_age is not None
        else "the adults' ages are not known",
        f"its places lie within {spread:.1f} km of their centre"
        if spread is not None
        else "it has fewer than two mapped places",
        f"{density:.0%} of the possible links between its adults are recorded"
        if possible
        else "it has one adult",
    ]
    explanation = (
        f"Reads as a {kind}: {'; '.join(reasons)}. A gang tends to be young "
        f"(median under {YOUNG_MEDIAN_AGE}), territorial (places within {TERRITORY_KM:g} km) "
        f"and closely tied (at least {CLOSE_DENSITY:.0%} of "
        f"adult pairs linked); this group meets {score} of the 3. Association is not membership."
    )
    return GroupFeatures(median_age, spread, density, young, territorial, close, kind, explanation)
