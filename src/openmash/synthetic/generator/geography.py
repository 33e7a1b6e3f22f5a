"""Stage: streets, homes and places."""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict

from openmash.synthetic import identifiers, names
from openmash.synthetic.generator._parts import (
    BOUNDING_BOX,
    _Address,
)
from openmash.synthetic.generator.agencies import AgenciesStage
from openmash.synthetic.models import (
    PlaceKind,
)


class GeographyStage(AgenciesStage):
    # ------------------------------------------------------------ geography

    def _geography(self) -> None:
        """Streets of numbered addresses in eight districts, each block of numbers one postcode."""
        rng = self._rng("geography")
        lat0, lon0, lat1, lon1 = BOUNDING_BOX
        districts = len(names.DISTRICTS)
        centres = [
            (lat0 + (lat1 - lat0) * (0.25 + 0.5 * (d // 4)), lon0 + (lon1 - lon0) * (0.125 + 0.25 * (d % 4)))
            for d in range(districts)
        ]
        # Homes for families, foster carers, adults of concern, venues, and earlier addresses.
        needed = int(self.size.children * 0.8) + 400
        street_names = {
            d: rng.sample(
                [f"{w} {k}" for w in names.STREET_WORDS for k in names.STREET_KINDS],
                len(names.STREET_WORDS) * len(names.STREET_KINDS),
            )
            for d in range(districts)
        }
        units = {
            (d, sector): identifiers.postcode_units(rng, 400)
            for d in range(districts)
            for sector in range(10)
        }
        used_units: dict[tuple[int, int], int] = defaultdict(int)
        streets_in: dict[int, int] = defaultdict(int)
        slots: list[_Address] = []
        d = 0
        while len(slots) < needed:
            index = streets_in[d]
            if index >= len(street_names[d]):
                raise ValueError("The borough has run out of street names; generate fewer children")
            streets_in[d] += 1
            street = street_names[d][index]
            sector = index % 10
            lat = centres[d][0] + rng.gauss(0, 0.006)
            lon = centres[d][1] + rng.gauss(0, 0.01)
            bearing = rng.random() * math.tau
            houses = rng.randint(24, 110)
            postcode = ""
            for number in range(1, houses + 1):
                if (number - 1) % 14 == 0:
                    unit_index = used_units[(d, sector)]
                    used_units[(d, sector)] += 1
                    unit = units[(d, sector)][unit_index % 400]
                    postcode = identifiers.postcode(district=d + 1, sector=sector, unit=unit)
                step = number * 0.00012
                slots.append(
                    _Address(
                        key=len(slots),
                        street=street,
                        number=number,
                        district=d,
                        postcode=postcode,
                        latitude=round(min(lat1, max(lat0, lat + step * math.sin(bearing))), 6),
                        longitude=round(min(lon1, max(lon0, lon + step * math.cos(bearing))), 6),
                    )
                )
            d = (d + 1) % districts
        rng.shuffle(slots)
        self._slots = slots

    def _new_home(self) -> _Address:
        if self._slot_cursor >= len(self._slots):
            raise ValueError("The borough has run out of addresses")
        slot = self._slots[self._slot_cursor]
        self._slot_cursor += 1
        return slot

    def _any_address(self, rng: random.Random) -> _Address:
        return self._slots[rng.randrange(len(self._slots))]

    def _place(self, address: _Address, *, kind: str = PlaceKind.HOME, name: str = "") -> uuid.UUID:
        """The place row for an address, written once however many households used it."""
        if address.place_id is None or kind != PlaceKind.HOME:
            place_id = self._id("place", f"{kind}:{address.key}:{name}")
            text = f"{name}, {address.text}" if name else address.text
            self._places.append(
                {
                    "id": place_id,
                    "kind": kind,
                    "name": name,
                    "address": text,
                    "postcode": address.postcode,
                    "latitude": address.latitude,
                    "longitude": address.longitude,
                }
            )
            if kind != PlaceKind.HOME:
                return place_id
            address.place_id = place_id
        return address.place_id
