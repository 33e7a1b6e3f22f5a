"""The borough's own geography for the map: its box and districts (no tile server is ever reached).

The synthetic borough, Wrenford, lies in a box of open North Sea (so no generated point falls on
a real home) divided into eight districts, two rows of four; a test checks these figures match
the generator's. A real deployment sets ``OPENMASH_BOROUGH_GEOGRAPHY`` to its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings

WRENFORD: dict[str, Any] = {
    "name": "Wrenford",
    "box": (54.00, 0.90, 54.06, 1.06),  # south latitude, west longitude, north latitude, east longitude
    "rows": 2,
    "columns": 4,
    "districts": (
        "Wrenford Central",
        "Eastholme",
        "Cinder Bank",
        "Mardle Green",
        "Saltings",
        "Upper Wrenford",
        "Hollins Moor",
        "Brackley Vale",
    ),
}

WIDTH = 800


@dataclass(frozen=True)
class District:
    name: str
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2

    @property
    def label_y(self) -> float:
        return self.y + 18


@dataclass(frozen=True)
class MapFrame:
    name: str
    box: tuple[float, float, float, float]
    width: int
    height: int
    districts: list[District]

    def project(self, latitude: float, longitude: float) -> tuple[float, float] | None:
        south, west, north, east = self.box
        if not (south <= latitude <= north and west <= longitude <= east):
            return None
        x = (longitude - west) / (east - west) * self.width
        y = (north - latitude) / (north - south) * self.height
        return round(x, 1), round(y, 1)


def map_frame() -> MapFrame:
    geography = getattr(settings, "OPENMASH_BOROUGH_GEOGRAPHY", None) or WRENFORD
    south, west, north, east = geography["box"]
    # Equirectangular at the borough's latitude: a kilometre east is as long as a kilometre north.
    ratio = (north - south) / ((east - west) * math.cos(math.radians((north + south) / 2)))
    height = round(WIDTH * ratio)
    rows, columns = geography["rows"], geography["columns"]
    districts = [
        District(
            name=name,
            x=(index % columns) * WIDTH / columns,
            # District 0 is in the southern row (the generator puts row 0 at the lower latitudes).
            y=(rows - 1 - index // columns) * height / rows,
            width=WIDTH / columns,
            height=height / rows,
        )
        for index, name in enumerate(geography["districts"])
    ]
    return MapFrame(
        name=geography["name"], box=tuple(geography["box"]), width=WIDTH, height=height, districts=districts
    )
