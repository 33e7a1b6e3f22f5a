"""Thornmere, an invented borough: districts, streets, postcodes, schools and how each agency writes
an address. Postcodes use the area XH (placements out of the borough XK), which no real postcode
uses, in the shape the hub accepts."""

from __future__ import annotations

import random
from dataclasses import dataclass

TOWN = "Thornmere"
DISTRICTS = (
    "Thornmere Central",
    "Eastbridge",
    "Cobble Hill",
    "Wickham Fields",
    "Saltmarsh",
    "Northgate",
    "Ferrybank",
    "Lowdham Park",
)
OUT_OF_BOROUGH = ("Ellerby", "Haxworth", "Brindle Cross", "Saltcote", "Upper Wendle")
_FIRST = (
    "Tanner's",
    "Weaver",
    "Chandler",
    "Osier",
    "Lantern",
    "Foundry",
    "Quarry",
    "Mill",
    "Kiln",
    "Rope",
    "Barley",
    "Hazel",
    "Sorrel",
    "Heron",
    "Kingfisher",
    "Larkspur",
    "Rowan",
    "Aspen",
    "Juniper",
    "Furlong",
    "Tithe",
    "Glebe",
    "Cobden",
    "Peel",
    "Gladstone",
    "Balfour",
    "Jubilee",
    "Coronation",
    "Windrush",
    "Cranmer",
    "Latimer",
    "Orchard",
    "Brewery",
    "Canal",
    "Wharf",
    "Station",
    "Chapel",
    "St Aidan's",
    "Beacon",
    "Harrier",
    "Meadowsweet",
    "Saxon",
    "Ropewalk",
    "Pinfold",
    "Ashby",
    "Fennel",
    "Thistle",
    "Cotton",
    "Spinner's",
    "Dyer's",
)
_SECOND = (
    "Street",
    "Road",
    "Lane",
    "Close",
    "Way",
    "Gardens",
    "Terrace",
    "Court",
    "Crescent",
    "Rise",
    "Walk",
    "Row",
    "Avenue",
    "Place",
    "Mews",
    "Grove",
    "Drive",
)
_BLOCKS = (
    "Kestrel House",
    "Merlin Court",
    "Goldcrest House",
    "Skylark Tower",
    "Linnet House",
    "Falcon Court",
    "Wren House",
    "Swift Tower",
)
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ABBREVIATIONS = {
    "Street": "St",
    "Road": "Rd",
    "Lane": "Ln",
    "Close": "Cl",
    "Gardens": "Gdns",
    "Terrace": "Terr",
    "Court": "Ct",
    "Crescent": "Cres",
    "Avenue": "Ave",
    "Place": "Pl",
    "Grove": "Gr",
    "Drive": "Dr",
}


@dataclass(frozen=True)
class Address:
    number: int
    street: str
    district: str
    postcode: str
    town: str = TOWN
    flat: int = 0
    building: str = ""

    def render(self, style: str) -> str:
        """The address as one agency's system writes it."""
        where = (
            f"{self.building}, {self.number} {self.street}"
            if self.building
            else f"{self.number} {self.street}"
        )
        if style == "school":
            first = f"Flat {self.flat}, {where}" if self.flat else where
            return f"{first}, {self.district}, {self.town}"
        if style == "hospital":
            first = f"FLAT {self.flat} {where}" if self.flat else where
            return f"{first}, {self.town}".upper().replace("'", "").replace(",", "")
        if style == "police":
            street = self.street
            last = street.rsplit(" ", 1)[-1]
            street = street[: -len(last)] + ABBREVIATIONS.get(last, last)
            short = f"{self.number} {street}"
            first = f"{self.flat}/{short}" if self.flat else short
            return f"{first}, {self.district}"
        first = f"Flat {self.flat} {where}" if self.flat else where  # the council
        return f"{first}, {self.district}, {self.town}"


@dataclass
class _Street:
    name: str
    district: int
    houses: int
    units: list[str]
    block: str = ""
    block_unit: str = ""


class Places:
    def __init__(self, rng: random.Random) -> None:
        self.streets: list[_Street] = []
        names = [f"{a} {b}" for a in _FIRST for b in _SECOND]
        rng.shuffle(names)
        used_units: set[str] = set()
        blocks = list(_BLOCKS)
        for district in range(len(DISTRICTS)):
            for _ in range(18):
                houses = rng.randint(20, 140)
                units = [self._unit(rng, district + 1, used_units) for _ in range(1 + houses // 45)]
                street = _Street(names.pop(), district, houses, units)
                if blocks and rng.random() < 0.08:
                    street.block, street.block_unit = blocks.pop(), self._unit(rng, district + 1, used_units)
                self.streets.append(street)
        self.taken: set[tuple[str, int, int]] = set()
        self.primaries = {d: [f"P{2001 + d * 5 + i}" for i in range(5)] for d in range(len(DISTRICTS))}
        self.secondaries = {d: f"S{4001 + d}" for d in range(len(DISTRICTS))}

    @staticmethod
    def _unit(rng: random.Random, district: int, used: set[str]) -> str:
        while True:
            unit = f"XH{district} {rng.randint(1, 9)}{rng.choice(_UNIT_LETTERS)}{rng.choice(_UNIT_LETTERS)}"
            if unit not in used:
                used.add(unit)
                return unit

    def home(self, rng: random.Random) -> Address:
        """An address no other household in the borough has."""
        while True:
            street = rng.choice(self.streets)
            if street.block and rng.random() < 0.35:
                flat = rng.randint(1, 64)
                key = (street.name, -1, flat)
                if key not in self.taken:
                    self.taken.add(key)
                    number = 1 + len(street.name) % 7
                    return Address(
                        number,
                        street.name,
                        DISTRICTS[street.district],
                        street.block_unit,
                        flat=flat,
                        building=street.block,
                    )
                continue
            number = rng.randint(1, street.houses)
            flat = rng.randint(1, 4) if rng.random() < 0.12 else 0
            key = (street.name, number, flat)
            if key in self.taken:
                continue
            self.taken.add(key)
            unit = street.units[(number - 1) * len(street.units) // street.houses]
            return Address(number, street.name, DISTRICTS[street.district], unit, flat=flat)

    def placement(self, rng: random.Random) -> Address:
        """A care placement: in the borough most of the time, otherwise in a nearby town."""
        if rng.random() < 0.6:
            return self.home(rng)
        town = rng.choice(OUT_OF_BOROUGH)
        street = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
        district = rng.randint(1, 12)
        unit = f"{rng.randint(1, 9)}{rng.choice(_UNIT_LETTERS)}{rng.choice(_UNIT_LETTERS)}"
        postcode = f"XK{district} {unit}"
        return Address(rng.randint(1, 90), street, town, postcode, town=town)

    def school(self, rng: random.Random, address: Address, phase: str) -> str:
        """The code of a school near this address ('P2013': establishment 2013)."""
        district = DISTRICTS.index(address.district) if address.district in DISTRICTS else rng.randrange(8)
        if rng.random() < 0.15:
            district = rng.randrange(len(DISTRICTS))
        if phase == "primary":
            return rng.choice(self.primaries[district])
        return self.secondaries[district]
