"""The synthetic borough of Wrenford: a deterministic function of a seed, a size and a date.

The generator builds the true population in memory (households, children, adults,
statuses, exploitation groups), then writes three things to a sink:

1. the agencies and teams of the borough (accounts tables);
2. what each agency holds: its own noisy identity for each child it knows (people
   tables), hub records for the children known to children's services, their families;
3. the truth (this app's tables) that the noisy records are scored against.

Every random draw comes from a named stream (`random.Random("openmash-synthetic:<seed>:<name>")`),
so one part changing does not reshuffle the others, and every id is a UUID5 of the seed and
the row's place in the borough. Same seed, size, date and noise: the same rows, byte for byte.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from openmash.accounts.models import Agency, AgencyKind, Team, TeamKind
from openmash.people.models import Adult, AgencyIdentity, Child, FamilyLink, FamilyRelation

from . import identifiers, names
from .calibration import BoroughSize
from .models import (
    AdultRole,
    BoroughAgency,
    CpCategory,
    EntityKind,
    ExploitationGroup,
    ExploitationPattern,
    Household,
    HouseholdKind,
    IdentityTruth,
    Kinship,
    LinkKind,
    NetworkLink,
    Phone,
    Place,
    PlaceKind,
    RiskLevel,
    Service,
    TrueAdult,
    TrueChild,
    Vehicle,
)
from .noise import NoiseConfig, postcode_typo, shift_year, swap_day_month, typo
from .sinks import RowSink

GENERATOR_VERSION = 1
BOROUGH_NAME = "Wrenford"
# The borough describes this day unless told otherwise, so the same seed gives the same
# ages and histories whenever it is run. Pass as_of to describe another day.
DEFAULT_AS_OF = date(2026, 11, 21)
PROCESS = "synthetic"

# Latitude and longitude of the borough: a box of open North Sea, so that no generated
# coordinate can fall on a real home.
BOUNDING_BOX = (54.00, 0.90, 54.06, 1.06)

ProgressFn = Callable[[str, int, int], None]

_YEAR = 365.25


def _ay(day: date) -> int:
    """The academic year (starting 1 September) a day falls in, by its first calendar year."""
    return day.year if day.month >= 9 else day.year - 1


def _age_years(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _cum_weights(count: int, flatten: float = 8.0) -> list[float]:
    """Zipf-like weights: the first names in a list are drawn most often."""
    return list(itertools.accumulate(1.0 / (i + flatten) for i in range(count)))


@dataclass(slots=True)
class _Address:
    key: int
    street: str
    number: int
    district: int
    postcode: str
    latitude: float
    longitude: float
    place_id: uuid.UUID | None = None

    @property
    def text(self) -> str:
        return f"{self.number} {self.street}, {names.DISTRICTS[self.district]}, {BOROUGH_NAME}"


@dataclass(slots=True)
class _Agency:
    id: uuid.UUID
    name: str
    code: str
    kind: str
    service: str
    prefix: str
    district: int | None = None
    establishment: int | None = None
    records: int = 0
    record_base: int = 0


@dataclass(slots=True)
class _Adult:
    id: uuid.UUID
    number: int
    role: str
    forename: str
    middle: str
    surname: str
    dob: date
    sex: str
    address: _Address
    household: _Household | None = None
    group: _Group | None = None
    hub_id: uuid.UUID | None = None


@dataclass(slots=True)
class _Household:
    id: uuid.UUID
    number: int
    kind: str
    home: _Address
    district: int
    previous: _Address | None = None
    moved_on: date | None = None
    gp: _Agency | None = None
    primary: _Agency | None = None
    secondary: _Agency | None = None
    lone_parent: bool = False
    capacity: int = 0
    adults: list[_Adult] = field(default_factory=list)
    children: list[_Child] = field(default_factory=list)


@dataclass(slots=True)
class _Child:
    id: uuid.UUID
    number: int
    household: _Household
    forename: str
    middle: str
    surname: str
    dob: date
    sex: str
    nhs: str
    address: _Address
    father_key: int
    # (adult, relation, parental responsibility): true relations to household adults.
    kin: list[tuple[_Adult, str, bool]] = field(default_factory=list)
    previous_surname: str = ""
    surname_changed_on: date | None = None
    preferred: str = ""
    previous_address: _Address | None = None
    moved_on: date | None = None
    upn: str = ""
    year_group: int = -1
    gp: _Agency | None = None
    school: _Agency | None = None
    placement: _Household | None = None
    known: bool = False
    first_contact_on: date | None = None
    cin: bool = False
    cp_category: str = ""
    cp_start: date | None = None
    lac: bool = False
    lac_since: date | None = None
    care_leaver: bool = False
    risk: str = RiskLevel.NONE
    risk_on: date | None = None
    group: _Group | None = None
    introduced_by: _Child | None = None
    hub_id: uuid.UUID | None = None
    hub_nhs: str = ""
    hub_upn: str = ""


@dataclass(slots=True)
class _Group:
    id: uuid.UUID
    number: int
    pattern: str
    formed_on: date
    adults: list[_Adult] = field(default_factory=list)
    children: list[_Child] = field(default_factory=list)
    places: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class _Profile:
    """How one kind of agency records children."""

    prefix: str
    nhs_held: float
    upn_held: float
    informality: float
    duplicate_rate: float
    middle_kept: float
    address_held: float = 1.0
    stale_address_factor: float = 1.0
    dob_missing_factor: float = 1.0
    other_names_known: float = 0.3


PROFILES: dict[str, _Profile] = {
    Service.CHILDRENS_SERVICES: _Profile("CS", 0.85, 0.65, 0.3, 0.015, 0.8, other_names_known=0.6),
    Service.GP_PRACTICE: _Profile("G", 0.995, 0.0, 0.2, 0.005, 0.9, stale_address_factor=0.35),
    Service.PRIMARY_SCHOOL: _Profile("S", 0.15, 0.99, 0.8, 0.003, 0.7),
    Service.SECONDARY_SCHOOL: _Profile("S", 0.15, 0.99, 0.8, 0.003, 0.7),
    Service.ACUTE_TRUST: _Profile("M", 0.93, 0.0, 0.5, 0.04, 0.3),
    Service.SEXUAL_HEALTH: _Profile("SH", 0.45, 0.0, 1.0, 0.03, 0.1, address_held=0.6),
    Service.POLICE: _Profile("P", 0.05, 0.02, 1.0, 0.05, 0.4, other_names_known=0.4),
    Service.YOUTH_CHARITY: _Profile(
        "Y", 0.0, 0.0, 1.5, 0.02, 0.05, address_held=0.5, dob_missing_factor=20.0
    ),
}

BOROUGH_AGENCIES = (
    (Service.POLICE, f"{BOROUGH_NAME} Police", AgencyKind.POLICE, "wrenford-police"),
    (
        Service.CHILDRENS_SERVICES,
        f"{BOROUGH_NAME} Borough Council Children's Services",
        AgencyKind.CHILDRENS_SERVICES,
        "wrenford-childrens",
    ),
    (Service.ACUTE_TRUST, f"{BOROUGH_NAME} Hospitals NHS Trust", AgencyKind.NHS_TRUST, "wrenford-hospitals"),
    (
        Service.SEXUAL_HEALTH,
        f"{BOROUGH_NAME} Community Health NHS Trust",
        AgencyKind.NHS_TRUST,
        "wrenford-community-health",
    ),
    (
        Service.LICENSING,
        f"{BOROUGH_NAME} Borough Council Licensing",
        AgencyKind.LICENSING,
        "wrenford-licensing",
    ),
    (Service.YOUTH_CHARITY, f"{BOROUGH_NAME} Youth Trust", AgencyKind.VOLUNTARY, "wrenford-youth-trust"),
    (
        Service.PROBATION,
        f"{BOROUGH_NAME} Probation Delivery Unit",
        AgencyKind.PROBATION,
        "wrenford-probation",
    ),
    (Service.HOUSING, f"{BOROUGH_NAME} Homes", AgencyKind.HOUSING, "wrenford-homes"),
)
_GP_SUFFIXES = ("Medical Centre", "Surgery", "Health Centre", "Family Practice")
_PRIMARY_SUFFIXES = (
    "Primary School",
    "Primary Academy",
    "Community Primary School",
    "Church of England Primary School",
)
_SECONDARY_SUFFIXES = ("Academy", "High School", "Community College", "School")
_CP_CATEGORIES = (
    (CpCategory.NEGLECT, 0.50),
    (CpCategory.EMOTIONAL, 0.36),
    (CpCategory.PHYSICAL, 0.07),
    (CpCategory.SEXUAL, 0.04),
    (CpCategory.MULTIPLE, 0.03),
)
# Share of looked-after children by age band (years), as in the national SSDA903 figures.
_LAC_AGE_BANDS = (((0, 1), 0.05), ((1, 5), 0.14), ((5, 10), 0.18), ((10, 16), 0.39), ((16, 18), 0.24))
_CHILDREN_PER_HOUSEHOLD = ((1, 0.42), (2, 0.37), (3, 0.14), (4, 0.055), (5, 0.015))


@dataclass
class GenerationResult:
    counts: dict[str, int]
    rows: dict[str, int]


class BoroughGenerator:
    def __init__(
        self,
        *,
        seed: int,
        children: int,
        as_of: date = DEFAULT_AS_OF,
        noise: NoiseConfig | None = None,
        now: datetime | None = None,
    ) -> None:
        self.seed = seed
        self.size = BoroughSize.for_children(children)
        self.as_of = as_of
        self.noise = noise or NoiseConfig()
        # Row timestamps say when the rows were written, so they are the one thing not seeded.
        self.now = now or timezone.now()
        self._namespace = uuid.uuid5(uuid.NAMESPACE_OID, f"openmash-synthetic:{seed}")
        self._progress: ProgressFn = lambda stage, done, total: None
        self._max_age_days = (as_of - shift_year(as_of, -18)).days - 1

        self.agencies: list[_Agency] = []
        self.by_service: dict[str, list[_Agency]] = defaultdict(list)
        self.teams: list[tuple[uuid.UUID, _Agency, str, str]] = []
        self.households: list[_Household] = []
        self.children: list[_Child] = []
        self.adults: list[_Adult] = []
        self.groups: list[_Group] = []
        self.counts: dict[str, int] = defaultdict(int)
        self._slots: list[_Address] = []
        self._slot_cursor = 0
        self._places: list[dict[str, Any]] = []
        self._sink: RowSink | None = None
        self._held: list[tuple[type, dict[str, Any]]] = []
        self._truth_written = False
        self._hub_by_nhs: dict[str, uuid.UUID] = {}
        self._hub_by_upn: dict[str, uuid.UUID] = {}

    # ----------------------------------------------------------------- plumbing

    def _rng(self, stream: str) -> random.Random:
        return random.Random(f"openmash-synthetic:{self.seed}:{stream}")

    def _id(self, kind: str, number: int | str) -> uuid.UUID:
        return uuid.uuid5(self._namespace, f"{kind}:{number}")

    def _emit(self, model: type, row: dict[str, Any]) -> None:
        assert self._sink is not None
        self._sink.add(model, row)

    def _hold(self, model: type, row: dict[str, Any]) -> None:
        """Keep a row until the truth rows it refers to have been written."""
        if self._truth_written:
            self._emit(model, row)
        else:
            self._held.append((model, row))

    def _stamped(self, row: dict[str, Any]) -> dict[str, Any]:
        row["created_at"] = self.now
        row["updated_at"] = self.now
        return row

    def _days_before(
        self, rng: random.Random, low: int, high: int, *, not_before: date | None = None
    ) -> date:
        day = self.as_of - timedelta(days=rng.randint(low, max(low, high)))
        if not_before is not None and day < not_before:
            day = min(not_before, self.as_of)
        return day

    def _between(self, rng: random.Random, start: date, end: date | None = None) -> date:
        end = end or self.as_of
        if start >= end:
            return end
        return start + timedelta(days=rng.randint(0, (end - start).days))

    # ------------------------------------------------------------------ the run

    def run(self, sink: RowSink, progress: ProgressFn | None = None) -> GenerationResult:
        self._sink = sink
        if progress is not None:
            self._progress = progress
        # Parents are written before the rows that refer to them (the sink checks foreign keys
        # as it goes): agencies, hub records, families, the truth, then the other agencies' records.
        self._agencies()
        self._geography()
        self._population()
        self._statuses()
        self._exploitation()
        self._children_in_need(self._rng("contacts"))
        self._hub_records()
        self._hub_families()
        self._truth()
        self._agency_records()
        sink.close()
        rows = dict(getattr(sink, "counts", {}))
        return GenerationResult(counts=dict(self.counts), rows=rows)

    # ------------------------------------------------------------- agencies

    def _agency(
        self,
        rng: random.Random,
        *,
        name: str,
        kind: str,
        code: str,
        service: str,
        district: int | None = None,
        establishment: int | None = None,
    ) -> _Agency:
        profile = PROFILES.get(service)
        agency = _Agency(
            id=self._id("agency", code),
            name=name,
            code=code,
            kind=kind,
            service=service,
            prefix=profile.prefix if profile else code[:2].upper(),
            district=district,
            establishment=establishment,
            record_base=rng.randrange(100_000, 900_000) * 10,
        )
        self.agencies.append(agency)
        self.by_service[service].append(agency)
        return agency

    def _team(self, agency: _Agency, name: str, kind: str) -> None:
        self.teams.append((self._id("team", f"{agency.code}:{name}"), agency, name, kind))

    def _agencies(self) -> None:
        rng = self._rng("agencies")
        size = self.size
        districts = len(names.DISTRICTS)
        singles = {
            service: self._agency(rng, name=name, kind=kind, code=code, service=service)
            for service, name, kind, code in BOROUGH_AGENCIES
        }
        # GP practices and schools: named after local streets, spread over the districts.
        for service, kind, count, suffixes, first_establishment in (
            (Service.GP_PRACTICE, AgencyKind.GP_PRACTICE, size.gp_practices, _GP_SUFFIXES, None),
            (Service.PRIMARY_SCHOOL, AgencyKind.SCHOOL, size.primary_schools, _PRIMARY_SUFFIXES, 2001),
            (Service.SECONDARY_SCHOOL, AgencyKind.SCHOOL, size.secondary_schools, _SECONDARY_SUFFIXES, 4001),
        ):
            candidates = [f"{word} {suffix}" for word in names.STREET_WORDS for suffix in suffixes]
            for i, name in enumerate(rng.sample(candidates, count)):
                self._agency(
                    rng,
                    name=name,
                    kind=kind,
                    code=f"{service.split('_')[0]}-{i + 1:03d}",
                    service=service,
                    district=i % districts,
                    # DfE numbers primary schools 2xxx and secondary schools 4xxx.
                    establishment=first_establishment + i if first_establishment else None,
                )
        council = singles[Service.CHILDRENS_SERVICES]
        police = singles[Service.POLICE]
        acute = singles[Service.ACUTE_TRUST]
        community = singles[Service.SEXUAL_HEALTH]

        self._team(council, "Multi-Agency Safeguarding Hub", TeamKind.MASH)
        for team in (
            "Assessment Team North",
            "Assessment Team South",
            "Child Protection Team",
            "Children in Care Team",
        ):
            self._team(council, team, TeamKind.SOCIAL_WORK)
        self._team(council, "Exploitation and Missing Team", TeamKind.EXPLOITATION)
        self._team(council, "Leaving Care Team", TeamKind.LEAVING_CARE)
        self._team(police, "Intelligence Unit", TeamKind.INTELLIGENCE)
        self._team(police, "Public Protection Unit", TeamKind.OTHER)
        self._team(acute, "Safeguarding Children Team", TeamKind.SAFEGUARDING)
        self._team(community, "Safeguarding Team", TeamKind.SAFEGUARDING)
        # Secondary schools first: that is where the demo's school practitioner works.
        for school in (
            self.by_service[Service.SECONDARY_SCHOOL][:3] + self.by_service[Service.PRIMARY_SCHOOL][:2]
        ):
            self._team(school, "Safeguarding Team", TeamKind.SAFEGUARDING)

        for agency in self.agencies:
            self._emit(
                Agency,
                self._stamped(
                    {"id": agency.id, "name": agency.name, "kind": agency.kind, "code": agency.code}
                ),
            )
            self._emit(
                BoroughAgency,
                {
                    "agency_id": agency.id,
                    "service": agency.service,
                    "district": agency.district,
                    "establishment_number": agency.establishment,
                },
            )
        for team_id, agency, name, team_kind in self.teams:
            self._emit(
                Team, self._stamped({"id": team_id, "agency_id": agency.id, "name": name, "kind": team_kind})
            )
        self.counts["agencies"] = len(self.agencies)
        self.counts["teams"] = len(self.teams)

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

    # ----------------------------------------------------------- population

    def _person_names(self, rng: random.Random) -> dict[str, tuple[Sequence[str], list[float]]]:
        lists = {
            "F": names.GIRLS,
            "M": names.BOYS,
            "women": names.WOMEN,
            "men": names.MEN,
            "surname": names.SURNAMES,
        }
        return {key: (values, _cum_weights(len(values))) for key, values in lists.items()}

    def _draw(self, rng: random.Random, key: str) -> str:
        values, weights = self._names[key]
        return values[bisect.bisect(weights, rng.random() * weights[-1])]

    def _middle(self, rng: random.Random, sex: str) -> str:
        pool = names.MIDDLE_GIRLS if sex == "F" else names.MIDDLE_BOYS
        draw = rng.random()
        if draw < 0.65:
            return rng.choice(pool)
        if draw < 0.75:
            return " ".join(rng.sample(pool, 2))
        return ""

    def _new_adult(
        self,
        rng: random.Random,
        *,
        role: str,
        sex: str,
        surname: str,
        dob: date,
        address: _Address,
        household: _Household | None = None,
    ) -> _Adult:
        number = len(self.adults) + 1
        adult = _Adult(
            id=self._id("true-adult", number),
            number=number,
            role=role,
            forename=self._draw(rng, "women" if sex == "F" else "men"),
            middle=self._middle(rng, sex) if rng.random() < 0.6 else "",
            surname=surname,
            dob=dob,
            sex=sex,
            address=address,
            household=household,
        )
        self.adults.append(adult)
        if household is not None:
            household.adults.append(adult)
        return adult

    def _new_household(self, kind: str, home: _Address) -> _Household:
        number = len(self.households) + 1
        household = _Household(
            id=self._id("household", number), number=number, kind=kind, home=home, district=home.district
        )
        self.households.append(household)
        return household

    def _child_ages(self, rng: random.Random, count: int) -> list[int]:
        """Ages in days for a sibling group, oldest first, all under 18.

        Drawn independently so that ages across the borough stay even, then redrawn (a few
        times at most) while two siblings are closer than a year apart, as few real ones are.
        """
        top = self._max_age_days
        for _ in range(12):
            ages = sorted((rng.randint(0, top) for _ in range(count)), reverse=True)
            if all(a - b >= 330 for a, b in itertools.pairwise(ages)):
                break
        return ages

    def _population(self) -> None:
        rng = self._rng("population")
        self._names = self._person_names(rng)
        nhs_numbers = identifiers.nhs_numbers(self._rng("nhs"), self.size.children)
        gps = self.by_service[Service.GP_PRACTICE]
        primaries = self.by_service[Service.PRIMARY_SCHOOL]
        secondaries = self.by_service[Service.SECONDARY_SCHOOL]

        nearby: dict[tuple[str, int | None], list[_Agency]] = defaultdict(list)
        for agency in gps + primaries + secondaries:
            nearby[(agency.service, agency.district)].append(agency)

        def local(agencies: list[_Agency], district: int) -> _Agency:
            # Most families use the surgery and schools of their own district.
            near = nearby.get((agencies[0].service, district))
            return rng.choice(near if near and rng.random() < 0.85 else agencies)

        sizes = [n for n, _ in _CHILDREN_PER_HOUSEHOLD]
        size_weights = [w for _, w in _CHILDREN_PER_HOUSEHOLD]
        remaining = self.size.children
        upn_serials: dict[tuple[int, int], int] = {}
        as_of_ay = _ay(self.as_of)
        father_keys = itertools.count(1)
        while remaining > 0:
            count = min(remaining, rng.choices(sizes, weights=size_weights)[0])
            remaining -= count
            household = self._new_household(HouseholdKind.FAMILY, self._new_home())
            household.gp = local(gps, household.district)
            household.primary = local(primaries, household.district)
            household.secondary = local(secondaries, household.district)
            if rng.random() < 0.12:
                household.previous = self._any_address(rng)
                household.moved_on = self._days_before(rng, 30, int(6 * _YEAR))

            ages = self._child_ages(rng, count)
            eldest_dob = self.as_of - timedelta(days=ages[0])
            mother_dob = eldest_dob - timedelta(days=rng.randint(int(18 * _YEAR), int(38 * _YEAR)))
            partner_dob = mother_dob - timedelta(days=rng.randint(int(-3 * _YEAR), int(8 * _YEAR)))
            shape = rng.random()
            lone = shape < 0.25
            household.lone_parent = lone
            step = not lone and shape > 0.82
            family_surname = self._draw(rng, "surname")
            home = household.home
            mother: _Adult | None = None
            partner: _Adult | None = None
            if lone and rng.random() < 0.1:
                partner = self._new_adult(
                    rng,
                    role=AdultRole.PARENT,
                    sex="M",
                    surname=family_surname,
                    dob=partner_dob,
                    address=home,
                    household=household,
                )
            else:
                own_surname = self._draw(rng, "surname")
                married = not lone and not step and rng.random() < 0.75
                mother = self._new_adult(
                    rng,
                    role=AdultRole.PARENT,
                    sex="F",
                    surname=family_surname if married else own_surname,
                    dob=mother_dob,
                    address=home,
                    household=household,
                )
                if not lone:
                    partner = self._new_adult(
                        rng,
                        role=AdultRole.PARENT,
                        sex="M",
                        surname=family_surname,
                        dob=partner_dob,
                        address=home,
                        household=household,
                    )
            joined_on = self._days_before(rng, 180, int(8 * _YEAR)) if step else None
            earlier_father = (next(father_keys), self._draw(rng, "surname"))
            couple_key = next(father_keys)

            for age in ages:
                dob = self.as_of - timedelta(days=age)
                sex = "F" if rng.random() < 0.49 else "M"
                kin: list[tuple[_Adult, str, bool]] = []
                previous_surname = ""
                changed_on = None
                if mother is not None:
                    kin.append((mother, FamilyRelation.MOTHER, True))
                if partner is None:
                    # Lone mother: the child has her surname or their father's.
                    if rng.random() < 0.35:
                        earlier_father = (next(father_keys), self._draw(rng, "surname"))
                    father_key, surname = earlier_father
                    if rng.random() < 0.55:
                        surname = mother.surname if mother else family_surname
                elif step and joined_on is not None and dob < joined_on:
                    # A child from the mother's earlier relationship; some take the step-parent's name.
                    if rng.random() < 0.3:
                        earlier_father = (next(father_keys), self._draw(rng, "surname"))
                    father_key, surname = earlier_father
                    kin.append((partner, FamilyRelation.STEP_PARENT, False))
                    if rng.random() < 0.35:
                        previous_surname, surname = surname, partner.surname
                        changed_on = self._between(rng, max(joined_on, dob + timedelta(days=30)))
                elif not lone and rng.random() < 0.1 and mother is not None:
                    father_key, surname = earlier_father
                    kin.append((partner, FamilyRelation.STEP_PARENT, False))
                else:
                    father_key, surname = couple_key, family_surname
                    kin.append((partner, FamilyRelation.FATHER, rng.random() < 0.95 or mother is None))
                number = len(self.children) + 1
                forename = self._draw(rng, sex)
                child = _Child(
                    id=self._id("true-child", number),
                    number=number,
                    household=household,
                    forename=forename,
                    middle=self._middle(rng, sex),
                    surname=surname,
                    dob=dob,
                    sex=sex,
                    nhs=nhs_numbers[number - 1],
                    address=home,
                    father_key=father_key,
                    kin=kin,
                    previous_surname=previous_surname,
                    surname_changed_on=changed_on,
                )
                variants = names.NICKNAMES.get(forename)
                if variants and rng.random() < 0.35:
                    child.preferred = variants[0]
                if household.previous is not None and household.moved_on and dob < household.moved_on:
                    child.previous_address = household.previous
                    child.moved_on = household.moved_on
                if rng.random() < 0.985:
                    child.gp = household.gp
                child.year_group = as_of_ay - _ay(dob) - 5
                self._schooling(rng, child, primaries, secondaries, upn_serials)
                household.children.append(child)
                self.children.append(child)
            if len(self.children) % 5000 < count:
                self._progress("Population", len(self.children), self.size.children)
        self._progress("Population", len(self.children), self.size.children)
        self.counts["children"] = len(self.children)
        self.counts["households"] = len(self.households)

    def _schooling(
        self,
        rng: random.Random,
        child: _Child,
        primaries: list[_Agency],
        secondaries: list[_Agency],
        upn_serials: dict[tuple[int, int], int],
    ) -> None:
        household = child.household
        year = child.year_group
        if year < 0 or rng.random() < 0.006:  # too young, or educated at home or independently
            return
        if year <= 6:
            child.school = household.primary if rng.random() < 0.92 else rng.choice(primaries)
        elif year <= 11 or rng.random() < 0.55:
            child.school = household.secondary if rng.random() < 0.9 else rng.choice(secondaries)
        # The UPN comes from the first state school, in the child's reception year.
        first = child.school if year <= 6 and child.school else household.primary
        assert first is not None and first.establishment is not None
        allocated = _ay(child.dob) + 5
        key = (first.establishment, allocated)
        serial = upn_serials.get(key)
        if serial is None:
            serial = rng.randrange(0, 300)
        upn_serials[key] = serial + 1
        if serial > 999:
            raise ValueError("More than 1,000 pupils in one school year: generate more schools")
        child.upn = identifiers.upn(
            establishment=first.establishment, year_allocated=allocated, serial=serial
        )

    # ------------------------------------------------------------- statuses

    def _statuses(self) -> None:
        """Who is on a plan, looked after, in need, or known from earlier contacts."""
        rng = self._rng("statuses")
        size = self.size
        categories = [c for c, _ in _CP_CATEGORIES]
        category_weights = [w for _, w in _CP_CATEGORIES]

        # Plans usually cover a whole sibling group, so whole households are chosen.
        households = [h for h in self.households if h.kind == HouseholdKind.FAMILY]
        rng.shuffle(households)
        on_plan = 0
        for household in households:
            if on_plan >= size.cp_plans:
                break
            category = rng.choices(categories, weights=category_weights)[0]
            start = self._days_before(rng, 10, 540)
            for child in household.children[: size.cp_plans - on_plan]:
                child.cp_category = category
                child.cp_start = max(start, min(self.as_of, child.dob + timedelta(days=14)))
                on_plan += 1
        self.counts["cp_plans"] = on_plan

        by_band: dict[tuple[int, int], list[_Child]] = {band: [] for band, _ in _LAC_AGE_BANDS}
        for child in self.children:
            if child.cp_category:
                continue
            age = _age_years(child.dob, self.as_of)
            for band in by_band:
                if band[0] <= age < band[1]:
                    by_band[band].append(child)
        for pool in by_band.values():
            rng.shuffle(pool)
        bands = [b for b, _ in _LAC_AGE_BANDS]
        band_weights = [w for _, w in _LAC_AGE_BANDS]
        looked_after: list[_Child] = []
        while len(looked_after) < size.looked_after and any(by_band.values()):
            band = rng.choices(bands, weights=band_weights)[0]
            if by_band[band]:
                looked_after.append(by_band[band].pop())
        self._placements(rng, looked_after)
        self.counts["looked_after"] = len(looked_after)

        open_cases = {id(c) for c in looked_after} | {id(c) for c in self.children if c.cp_category}
        older = [c for c in self.children if id(c) not in open_cases and _age_years(c.dob, self.as_of) >= 16]
        for child in rng.sample(older, min(size.care_leavers, len(older))):
            child.care_leaver = True
            child.known = True
            child.first_contact_on = self._days_before(rng, 400, int(8 * _YEAR), not_before=child.dob)
        self.counts["care_leavers"] = sum(c.care_leaver for c in self.children)

    def _placements(self, rng: random.Random, looked_after: list[_Child]) -> None:
        foster: _Household | None = None
        homes: list[_Household] = []
        for child in looked_after:
            child.lac = True
            age_days = (self.as_of - child.dob).days
            child.lac_since = self._days_before(
                rng, 20, min(max(20, age_days - 1), int(8 * _YEAR)), not_before=child.dob
            )
            kind = rng.random()
            if kind < 0.72:
                if foster is None or len(foster.children) >= foster.capacity:
                    foster = self._new_household(HouseholdKind.FOSTER, self._new_home())
                    foster.capacity = rng.randint(1, 3)
                    surname = self._draw(rng, "surname")
                    dob = self.as_of - timedelta(days=rng.randint(int(32 * _YEAR), int(64 * _YEAR)))
                    self._new_adult(
                        rng,
                        role=AdultRole.CARER,
                        sex="F",
                        surname=surname,
                        dob=dob,
                        address=foster.home,
                        household=foster,
                    )
                    if rng.random() < 0.6:
                        self._new_adult(
                            rng,
                            role=AdultRole.CARER,
                            sex="M",
                            surname=surname,
                            dob=dob - timedelta(days=rng.randint(-700, 2000)),
                            address=foster.home,
                            household=foster,
                        )
                placement = foster
                relation: str = FamilyRelation.FOSTER_CARER
            elif kind < 0.86:
                placement = self._new_household(HouseholdKind.KINSHIP, self._new_home())
                dob = child.dob - timedelta(days=rng.randint(int(40 * _YEAR), int(55 * _YEAR)))
                self._new_adult(
                    rng,
                    role=AdultRole.CARER,
                    sex="F",
                    surname=child.surname,
                    dob=dob,
                    address=placement.home,
                    household=placement,
                )
                relation = FamilyRelation.KINSHIP_CARER
            else:
                if not homes or len(homes[-1].children) >= 4:
                    homes.append(self._new_household(HouseholdKind.CHILDREN_HOME, self._new_home()))
                placement = homes[-1]
                relation = ""
            placement.children.append(child)
            child.placement = placement
            for carer in placement.adults if relation else ():
                child.kin.append((carer, relation, False))
            # Where the child lives now is the placement; the family home becomes their earlier address.
            child.previous_address = child.household.home
            child.moved_on = child.lac_since
            child.address = placement.home

    # --------------------------------------------------------- exploitation

    def _exploitation(self) -> None:
        rng = self._rng("exploitation")
        size = self.size
        total = size.cse_total
        grouped_total = int(total * 0.85 + 0.5) if size.exploitation_groups else 0
        eligible = [c for c in self.children if _age_years(c.dob, self.as_of) >= 11 and not c.care_leaver]
        rng.shuffle(eligible)
        # Pools by circumstance and sex: exploited children are often looked after or on plans
        # already, and more often girls (CSE); drawing from pools keeps those shares realistic.
        pools: dict[tuple[str, str], list[_Child]] = defaultdict(list)
        for child in eligible:
            where = (
                "lac"
                if child.lac
                else "cp"
                if child.cp_category
                else f"school:{child.school.code}"
                if (child.school)
                else "other"
            )
            pools[(where, child.sex)].append(child)

        def pick(preferred: str) -> _Child | None:
            sex = "F" if rng.random() < 0.8 else "M"
            for where in (preferred, "other", *sorted({w for w, _ in pools})):
                for s in (sex, "M" if sex == "F" else "F"):
                    pool = pools.get((where, s))
                    if pool:
                        return pool.pop()
            return None

        def choose(school_code: str | None) -> _Child | None:
            draw = rng.random()
            if draw < 0.25:
                return pick("lac")
            if draw < 0.37:
                return pick("cp")
            if school_code and draw < 0.85:
                return pick(f"school:{school_code}")
            return pick("other")

        group_sizes: list[int] = []
        if size.exploitation_groups:
            groups = size.exploitation_groups
            group_sizes = [
                grouped_total // groups + (1 if i < grouped_total % groups else 0) for i in range(groups)
            ]
            for _ in range(groups * 2):  # uneven groups, none below two children
                a, b = rng.randrange(groups), rng.randrange(groups)
                if group_sizes[a] > 2:
                    group_sizes[a] -= 1
                    group_sizes[b] += 1
        secondaries = self.by_service[Service.SECONDARY_SCHOOL]
        venues = self._venues(rng)
        grouped: list[_Child] = []
        for number, members in enumerate(group_sizes, start=1):
            pattern = (
                ExploitationPattern.OLDER_PERSON
                if members <= 3 and rng.random() < 0.5
                else ExploitationPattern.ORGANISED_NETWORK
            )
            group = _Group(
                id=self._id("group", number),
                number=number,
                pattern=pattern,
                formed_on=self._days_before(rng, 120, 900),
            )
            self.groups.append(group)
            school = rng.choice(secondaries)
            for _ in range(members):
                member = choose(school.code)
                if member is None:
                    break
                member.group = group
                group.children.append(member)
                grouped.append(member)
            self._group_adults(rng, group, venues)
        unaffiliated: list[_Child] = []
        while len(grouped) + len(unaffiliated) < total:
            other = choose(None)
            if other is None:
                break
            unaffiliated.append(other)

        levels = (
            [RiskLevel.HIGH] * size.cse_high
            + [RiskLevel.MEDIUM] * size.cse_medium
            + [RiskLevel.LOW] * size.cse_low
        )
        ordered = rng.sample(grouped, len(grouped)) + rng.sample(unaffiliated, len(unaffiliated))
        for child, level in zip(ordered, levels, strict=False):
            child.risk = level
            floor = max(
                child.dob + timedelta(days=int(10 * _YEAR)),
                child.group.formed_on if child.group else child.dob,
            )
            child.risk_on = self._days_before(rng, 14, 600, not_before=floor)
            if not (child.cp_category or child.lac):
                child.cin = True
        for group in self.groups:
            # Some children were made to introduce others: an edge from an earlier child to a later one.
            in_order = sorted(group.children, key=lambda c: (c.risk_on or self.as_of, c.number))
            for i, child in enumerate(in_order[1:], start=1):
                if rng.random() < 0.35:
                    child.introduced_by = rng.choice(in_order[:i])
        self._background(rng)
        self._network(rng, venues)
        self.counts["exploitation_groups"] = len(self.groups)
        for level in (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH):
            self.counts[f"cse_{level}"] = sum(c.risk == level for c in self.children)
        self.counts["cse_in_groups"] = sum(
            c.group is not None and c.risk != RiskLevel.NONE for c in self.children
        )

    def _venues(self, rng: random.Random) -> dict[str, list[uuid.UUID]]:
        size = self.size
        venues: dict[str, list[uuid.UUID]] = defaultdict(list)

        def add(kind: str, name: str) -> None:
            venues[kind].append(self._place(self._new_home(), kind=kind, name=name))

        for i in range(size.takeaways):
            add(
                PlaceKind.TAKEAWAY,
                f"{rng.choice(names.TAKEAWAY_NAMES)} {i + 1}"
                if i >= 12
                else names.TAKEAWAY_NAMES[i % len(names.TAKEAWAY_NAMES)],
            )
        for i in range(size.parks):
            add(
                PlaceKind.PARK,
                f"{names.STREET_WORDS[(i * 7) % len(names.STREET_WORDS)]} "
                f"{names.PARK_NAMES[i % len(names.PARK_NAMES)]}",
            )
        for i in range(size.hotels):
            hotel = names.HOTEL_NAMES[i % len(names.HOTEL_NAMES)]
            add(PlaceKind.HOTEL, hotel if i < len(names.HOTEL_NAMES) else f"{hotel} {i + 1}")
        add(PlaceKind.STATION, f"{BOROUGH_NAME} railway station")
        add(PlaceKind.STATION, f"{BOROUGH_NAME} bus station")
        for i in range(size.shopping_centres):
            add(PlaceKind.SHOPPING_CENTRE, f"{names.DISTRICTS[i % len(names.DISTRICTS)]} Shopping Centre")
        for i in range(size.taxi_offices):
            add(PlaceKind.TAXI_OFFICE, f"{names.DISTRICTS[i % len(names.DISTRICTS)]} Cars")
        return venues

    def _group_adults(self, rng: random.Random, group: _Group, venues: dict[str, list[uuid.UUID]]) -> None:
        count = rng.randint(1, 2) if group.pattern == ExploitationPattern.OLDER_PERSON else rng.randint(3, 6)
        for _ in range(count):
            sex = "M" if rng.random() < 0.85 else "F"
            dob = self.as_of - timedelta(days=rng.randint(int(19 * _YEAR), int(48 * _YEAR)))
            adult = self._new_adult(
                rng,
                role=AdultRole.ADULT_OF_CONCERN,
                sex=sex,
                surname=self._draw(rng, "surname"),
                dob=dob,
                address=self._new_home(),
            )
            adult.group = group
            group.adults.append(adult)
        kinds = [
            PlaceKind.TAKEAWAY,
            PlaceKind.HOTEL,
            PlaceKind.PARK,
            PlaceKind.STATION,
            PlaceKind.TAXI_OFFICE,
        ]
        for kind in rng.sample(kinds, rng.randint(1, 3)):
            group.places.append(rng.choice(venues[kind]))

    def _background(self, rng: random.Random) -> None:
        """Vehicles kept by ordinary parents: what a registration search mostly finds."""
        parents = [a for a in self.adults if a.role == AdultRole.PARENT]
        self._background_vehicles = (
            [rng.choice(parents) for _ in range(self.size.background_vehicles)] if (parents) else []
        )

    def _network(self, rng: random.Random, venues: dict[str, list[uuid.UUID]]) -> None:
        group_adults = [a for g in self.groups for a in g.adults]
        exploited = [c for c in self.children if c.risk != RiskLevel.NONE]
        phones = identifiers.drama_mobile_numbers(self._rng("phones"), len(group_adults) * 2 + len(exploited))
        phone_of: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)

        def new_phone(*, adult: _Adult | None = None, child: _Child | None = None) -> None:
            if not phones:  # Ofcom reserves 1,000 drama numbers: the largest boroughs share them out
                return
            number = phones.pop()
            phone_id = self._id("phone", number)
            owner = adult.id if adult else child.id if child else None
            assert owner is not None
            self._hold(
                Phone,
                {
                    "id": phone_id,
                    "number": number,
                    "user_adult_id": adult.id if adult else None,
                    "user_child_id": child.id if child else None,
                },
            )
            phone_of[owner].append(phone_id)

        for adult in group_adults:
            new_phone(adult=adult)
            if rng.random() < 0.3:
                new_phone(adult=adult)
        for child in exploited:
            new_phone(child=child)

        registrations = identifiers.vehicle_registrations(
            self._rng("vehicles"), len(self.groups) * 3 + len(self._background_vehicles)
        )
        links: list[dict[str, Any]] = []

        def link(
            group: _Group | None,
            kind: str,
            source: tuple[str, uuid.UUID],
            target: tuple[str, uuid.UUID],
            start: date,
        ) -> None:
            links.append(
                {
                    "id": self._id("link", len(links) + 1),
                    "group_id": group.id if group else None,
                    "kind": kind,
                    "source_kind": source[0],
                    "source_id": source[1],
                    "target_kind": target[0],
                    "target_id": target[1],
                    "first_seen": self._between(rng, start),
                }
            )

        A, C, P, V, T = (
            EntityKind.ADULT,
            EntityKind.CHILD,
            EntityKind.PLACE,
            EntityKind.VEHICLE,
            EntityKind.PHONE,
        )
        for group in self.groups:
            start = group.formed_on
            for adult in group.adults:
                link(group, LinkKind.LIVES_AT, (A, adult.id), (P, self._place(adult.address)), start)
                for place in group.places:
                    if rng.random() < 0.7:
                        link(group, LinkKind.USES_PLACE, (A, adult.id), (P, place), start)
                for phone in phone_of.get(adult.id, []):
                    link(group, LinkKind.USES_PHONE, (A, adult.id), (T, phone), start)
            for a, b in itertools.combinations(group.adults, 2):
                if b is group.adults[group.adults.index(a) + 1] or rng.random() < 0.3:
                    link(group, LinkKind.ASSOCIATES_WITH, (A, a.id), (A, b.id), start)
            vehicles = []
            for _ in range(rng.randint(1, 3)):
                registration = registrations.pop()
                keeper = rng.choice(group.adults)
                vehicle_id = self._id("vehicle", registration)
                self._hold(
                    Vehicle,
                    {
                        "id": vehicle_id,
                        "registration": registration,
                        "description": rng.choice(names.VEHICLE_DESCRIPTIONS),
                        "keeper_id": keeper.id,
                    },
                )
                link(group, LinkKind.DRIVES, (A, keeper.id), (V, vehicle_id), start)
                vehicles.append(vehicle_id)
            for child in group.children:
                child_start = max(start, child.risk_on or start) if rng.random() < 0.5 else start
                for adult in rng.sample(group.adults, rng.randint(1, min(3, len(group.adults)))):
                    link(group, LinkKind.EXPLOITS, (A, adult.id), (C, child.id), child_start)
                    for adult_phone in phone_of.get(adult.id, [])[:1]:
                        for child_phone in phone_of.get(child.id, []):
                            link(group, LinkKind.CONTACTED, (T, adult_phone), (T, child_phone), child_start)
                for place in rng.sample(group.places, rng.randint(1, len(group.places))):
                    link(group, LinkKind.TAKEN_TO, (C, child.id), (P, place), child_start)
                if rng.random() < 0.5:
                    link(
                        group, LinkKind.TRANSPORTED_IN, (C, child.id), (V, rng.choice(vehicles)), child_start
                    )
                if child.introduced_by is not None:
                    link(group, LinkKind.INTRODUCED, (C, child.introduced_by.id), (C, child.id), child_start)
        for child in exploited:
            for phone in phone_of.get(child.id, []):
                link(child.group, LinkKind.USES_PHONE, (C, child.id), (T, phone), child.risk_on or self.as_of)
        for keeper in self._background_vehicles:
            registration = registrations.pop()
            self._hold(
                Vehicle,
                {
                    "id": self._id("vehicle", registration),
                    "registration": registration,
                    "description": rng.choice(names.VEHICLE_DESCRIPTIONS),
                    "keeper_id": keeper.id,
                },
            )
        self._links = links
        self.counts["network_links"] = len(links)
        del venues

    # ------------------------------------------------- identities and the hub

    def _children_in_need(self, rng: random.Random) -> None:
        size = self.size
        others = [
            c
            for c in self.children
            if not (c.cp_category or c.lac or c.care_leaver or c.risk != RiskLevel.NONE)
        ]
        rng.shuffle(others)
        cin = others[: size.children_in_need]
        past = others[size.children_in_need : size.children_in_need + size.past_contacts]
        for child in cin:
            child.cin = True
        for child in self.children:
            child.known = child.known or bool(
                child.cin or child.cp_category or child.lac or child.risk != RiskLevel.NONE
            )
        for child in past:
            child.known = True
        for child in self.children:
            if not child.known or child.first_contact_on is not None:
                continue
            starts = [d for d in (child.cp_start, child.lac_since, child.risk_on) if d]
            if starts:
                first = min(starts) - timedelta(days=rng.randint(0, 400))
                child.first_contact_on = max(first, child.dob)
            elif child.cin:
                child.first_contact_on = self._days_before(rng, 20, 700, not_before=child.dob)
            else:
                child.first_contact_on = self._days_before(rng, 60, int(6 * _YEAR), not_before=child.dob)
        self.counts["children_in_need"] = sum(c.cin for c in self.children)
        self.counts["known_to_childrens_services"] = sum(c.known for c in self.children)

    def _next_record_id(self, rng: random.Random, agency: _Agency) -> str:
        # Strictly increasing with random gaps: unique, and not the child's position in the borough.
        agency.records += 1
        return f"{agency.prefix}{agency.record_base + agency.records * 7 + rng.randrange(7):08d}"

    def _noisy(
        self, rng: random.Random, child: _Child, profile: _Profile, recorded_on: date, duplicate: bool
    ) -> tuple[dict[str, Any], list[str]]:
        """What one agency wrote down about a child on the day it first recorded them."""
        cfg = self.noise
        noise: list[str] = []
        surname, other = child.surname, ""
        if child.surname_changed_on and recorded_on < child.surname_changed_on:
            if rng.random() < cfg.stale_surname:
                surname = child.previous_surname
                noise.append("surname_previous")
            elif rng.random() < 0.5:
                other = child.previous_surname
        elif child.previous_surname and rng.random() < profile.other_names_known:
            other = child.previous_surname

        forename = child.forename
        variants = names.NICKNAMES.get(forename)
        if variants and rng.random() < cfg.nickname * profile.informality * (2.0 if child.preferred else 0.3):
            forename = child.preferred or rng.choice(variants)
            noise.append("nickname")
        elif rng.random() < cfg.forename_typo:
            forename = typo(rng, forename)
            noise.append("forename_typo")
        if rng.random() < cfg.surname_typo:
            surname = typo(rng, surname)
            noise.append("surname_typo")

        dob: date | None = child.dob
        draw = rng.random()
        missing = cfg.dob_missing * profile.dob_missing_factor
        if draw < missing:
            dob = None
            noise.append("dob_missing")
        elif draw < missing + cfg.dob_day_month_swapped:
            swapped = swap_day_month(child.dob)
            if swapped is not None:
                dob = swapped
                noise.append("dob_day_month_swapped")
        elif draw < missing + cfg.dob_day_month_swapped + cfg.dob_year_off_by_one:
            dob = shift_year(child.dob, rng.choice((-1, 1)))
            noise.append("dob_year_off_by_one")
        sex = child.sex
        if rng.random() < cfg.sex_not_recorded:
            sex = "U"
            noise.append("sex_not_recorded")

        address: _Address | None = child.address
        if (
            child.previous_address is not None
            and child.moved_on
            and recorded_on < child.moved_on
            and (rng.random() < cfg.stale_address * profile.stale_address_factor)
        ):
            address = child.previous_address
            noise.append("old_address")
        if profile.address_held < 1 and rng.random() > profile.address_held:
            address = None
            noise.append("address_missing")
        postcode = address.postcode if address else ""
        if address is not None:
            draw = rng.random()
            if draw < cfg.postcode_missing:
                postcode = ""
                noise.append("postcode_missing")
            elif draw < cfg.postcode_missing + cfg.postcode_typo:
                postcode = postcode_typo(rng, postcode)
                noise.append("postcode_typo")

        twice = 2.0 if duplicate else 1.0  # a second record is usually made in a hurry
        nhs = child.nhs
        if rng.random() < (1 - profile.nhs_held) * cfg.identifiers_missing * twice:
            nhs = ""
            noise.append("nhs_missing")
        upn = child.upn
        if upn and rng.random() < (1 - profile.upn_held) * cfg.identifiers_missing * twice:
            upn = ""
            noise.append("upn_missing")
        return {
            "forename": forename,
            "middle_names": child.middle if rng.random() < profile.middle_kept else "",
            "surname": surname,
            "other_surnames": other,
            "date_of_birth": dob,
            "sex": sex,
            "address": address.text if address else "",
            "postcode": postcode,
            "nhs_number": nhs,
            "unique_pupil_number": upn,
            "recorded_on": recorded_on,
        }, noise

    def _identity(
        self, rng: random.Random, agency: _Agency, child: _Child, recorded_on: date, *, hub: bool = False
    ) -> None:
        profile = PROFILES[agency.service]
        recorded_on = min(max(recorded_on, child.dob), self.as_of)
        copies = 2 if rng.random() < profile.duplicate_rate * self.noise.duplicates else 1
        for copy in range(copies):
            duplicate = copy == 1
            on = self._between(rng, recorded_on) if duplicate else recorded_on
            values, noise = self._noisy(rng, child, profile, on, duplicate)
            identity_id = self._id("identity", f"{agency.code}:{agency.records + 1}")
            record_id = self._next_record_id(rng, agency)
            if hub and not duplicate:
                child.hub_id = self._id("hub-child", child.number)
                child.hub_nhs = values["nhs_number"]
                child.hub_upn = values["unique_pupil_number"]
                self._emit(
                    Child,
                    self._stamped(
                        {
                            "id": child.hub_id,
                            **{
                                key: values[key]
                                for key in (
                                    "forename",
                                    "middle_names",
                                    "surname",
                                    "date_of_birth",
                                    "sex",
                                    "nhs_number",
                                    "unique_pupil_number",
                                    "address",
                                    "postcode",
                                )
                            },
                            "created_by_process": PROCESS,
                        }
                    ),
                )
                if values["nhs_number"]:
                    self._hub_by_nhs[values["nhs_number"]] = child.hub_id
                if values["unique_pupil_number"]:
                    self._hub_by_upn[values["unique_pupil_number"]] = child.hub_id
                linked: uuid.UUID | None = child.hub_id
            else:
                # The interim rule until probabilistic matching lands: link on an exact NHS number or UPN.
                linked = self._hub_by_nhs.get(values["nhs_number"]) if values["nhs_number"] else None
                if linked is None and values["unique_pupil_number"]:
                    linked = self._hub_by_upn.get(values["unique_pupil_number"])
            self._emit(
                AgencyIdentity,
                self._stamped(
                    {
                        "id": identity_id,
                        "agency_id": agency.id,
                        "agency_record_id": record_id,
                        "child_id": linked,
                        **values,
                    }
                ),
            )
            self._hold(
                IdentityTruth,
                {
                    "identity_id": identity_id,
                    "true_child_id": child.id,
                    "is_duplicate": duplicate,
                    "noise": noise,
                },
            )
            self.counts[f"identities_{agency.service}"] += 1
            self.counts["identities"] += 1
            self.counts["identities_duplicate"] += duplicate
            self.counts["identities_linked"] += linked is not None

    def _hub_records(self) -> None:
        """Children's services' records come first: they become the hub's own records."""
        rng = self._rng("hub-records")
        council = self.by_service[Service.CHILDRENS_SERVICES][0]
        for child in self.children:
            if child.known:
                assert child.first_contact_on is not None
                self._identity(rng, council, child, child.first_contact_on, hub=True)
        self.counts["hub_children"] = sum(1 for c in self.children if c.hub_id)

    def _agency_records(self) -> None:
        """Every other agency's records, linked to a hub child only on an exact NHS number or UPN."""
        rng = self._rng("identities")
        total = len(self.children)
        acute = self.by_service[Service.ACUTE_TRUST][0]
        sexual_health = self.by_service[Service.SEXUAL_HEALTH][0]
        police = self.by_service[Service.POLICE][0]
        youth = self.by_service[Service.YOUTH_CHARITY][0]
        years = lambda n: timedelta(days=int(n * _YEAR))  # noqa: E731

        for done, child in enumerate(self.children, start=1):
            age = _age_years(child.dob, self.as_of)
            exploited = child.risk != RiskLevel.NONE
            if child.gp is not None:
                self._identity(rng, child.gp, child, child.dob + timedelta(days=rng.randint(10, 56)))
            if child.school is not None:
                start_year = _ay(child.dob) + (5 if child.school.service == Service.PRIMARY_SCHOOL else 12)
                self._identity(rng, child.school, child, date(start_year, 9, 1))
            if rng.random() < (
                0.9 if exploited else 0.6 if child.cp_category else 0.5 if child.lac else 0.28
            ):
                self._identity(rng, acute, child, self._between(rng, max(child.dob, self.as_of - years(5))))
            if age >= 13 and rng.random() < (0.65 if exploited else 0.05):
                self._identity(
                    rng,
                    sexual_health,
                    child,
                    self._between(rng, max(child.dob + years(13), self.as_of - years(3))),
                )
            police_chances = {str(RiskLevel.HIGH): 1.0, str(RiskLevel.MEDIUM): 0.75, str(RiskLevel.LOW): 0.4}
            police_chance = police_chances.get(
                child.risk,
                0.45 if child.lac else 0.35 if child.cp_category else 0.3 if child.care_leaver else 0.025,
            )
            if rng.random() < police_chance:
                earliest = child.dob + years(8) if age >= 10 else child.dob
                self._identity(rng, police, child, self._between(rng, max(earliest, self.as_of - years(4))))
            if age >= 10 and rng.random() < (0.4 if exploited else 0.03):
                self._identity(
                    rng, youth, child, self._between(rng, max(child.dob + years(10), self.as_of - years(3)))
                )
            if done % 5000 == 0 or done == total:
                self._progress("Agency records", done, total)

    def _hub_families(self) -> None:
        """Adults and family links for children known to the hub, as children's services records them."""
        hub_children = [c for c in self.children if c.hub_id]
        links = 0
        for done, child in enumerate(hub_children, start=1):
            assert child.hub_id is not None
            for adult, relation, responsibility in child.kin:
                if adult.hub_id is None:
                    adult.hub_id = self._id("hub-adult", adult.number)
                    self._emit(
                        Adult,
                        self._stamped(
                            {
                                "id": adult.hub_id,
                                "forename": adult.forename,
                                "middle_names": adult.middle,
                                "surname": adult.surname,
                                "date_of_birth": adult.dob,
                                "sex": adult.sex,
                                "address": adult.address.text,
                                "postcode": adult.address.postcode,
                            }
                        ),
                    )
                carer = relation in (FamilyRelation.FOSTER_CARER, FamilyRelation.KINSHIP_CARER)
                links += 1
                self._emit(
                    FamilyLink,
                    self._stamped(
                        {
                            "id": self._id("family-link", f"{child.number}:adult:{adult.number}"),
                            "child_id": child.hub_id,
                            "adult_id": adult.hub_id,
                            "related_child_id": None,
                            "relation": relation,
                            "parental_responsibility": responsibility,
                            "lives_with": carer or not child.lac,
                            "valid_from": child.lac_since if carer else child.dob,
                            "valid_to": None,
                        }
                    ),
                )
            for sibling in child.household.children:
                if sibling is child or sibling.hub_id is None or sibling.household is not child.household:
                    continue
                links += 1
                relation = (
                    FamilyRelation.SIBLING
                    if sibling.father_key == child.father_key
                    else FamilyRelation.HALF_SIBLING
                )
                self._emit(
                    FamilyLink,
                    self._stamped(
                        {
                            "id": self._id("family-link", f"{child.number}:child:{sibling.number}"),
                            "child_id": child.hub_id,
                            "adult_id": None,
                            "related_child_id": sibling.hub_id,
                            "relation": relation,
                            "parental_responsibility": False,
                            "lives_with": not (child.lac or sibling.lac),
                            "valid_from": max(child.dob, sibling.dob),
                            "valid_to": None,
                        }
                    ),
                )
            if done % 2000 == 0 or done == len(hub_children):
                self._progress("Hub families", done, len(hub_children))
        self.counts["hub_adults"] = sum(1 for a in self.adults if a.hub_id)
        self.counts["family_links"] = links

    # ---------------------------------------------------------------- truth

    def _truth(self) -> None:
        for household in self.households:
            self._place(household.home)
            if household.previous is not None:
                self._place(household.previous)
        for row in self._places:
            self._emit(Place, row)
        for household in self.households:
            self._emit(
                Household,
                {
                    "id": household.id,
                    "number": household.number,
                    "kind": household.kind,
                    "home_id": self._place(household.home),
                    "previous_home_id": self._place(household.previous) if household.previous else None,
                    "moved_on": household.moved_on,
                    "gp_practice_id": household.gp.id if household.gp else None,
                    "lone_parent": household.lone_parent,
                },
            )
        for group in self.groups:
            self._emit(
                ExploitationGroup,
                {
                    "id": group.id,
                    "number": group.number,
                    "label": f"Group {group.number}",
                    "pattern": group.pattern,
                    "formed_on": group.formed_on,
                },
            )
        for adult in self.adults:
            self._emit(
                TrueAdult,
                {
                    "id": adult.id,
                    "number": adult.number,
                    "household_id": adult.household.id if adult.household else None,
                    "role": adult.role,
                    "forename": adult.forename,
                    "middle_names": adult.middle,
                    "surname": adult.surname,
                    "date_of_birth": adult.dob,
                    "sex": adult.sex,
                    "address": adult.address.text,
                    "postcode": adult.address.postcode,
                    "exploitation_group_id": adult.group.id if adult.group else None,
                    "hub_adult_id": adult.hub_id,
                },
            )
        kinship = 0
        # A child who was made to introduce another is written before that child (foreign key).
        introduced = sorted(
            (c for c in self.children if c.introduced_by is not None),
            key=lambda c: (c.risk_on or self.as_of, c.number),
        )
        in_order = [c for c in self.children if c.introduced_by is None] + introduced
        for done, child in enumerate(in_order, start=1):
            previous = child.previous_address
            self._emit(
                TrueChild,
                {
                    "id": child.id,
                    "number": child.number,
                    "household_id": child.household.id,
                    "placement_id": child.placement.id if child.placement else None,
                    "forename": child.forename,
                    "middle_names": child.middle,
                    "surname": child.surname,
                    "previous_surname": child.previous_surname,
                    "surname_changed_on": child.surname_changed_on,
                    "preferred_name": child.preferred,
                    "date_of_birth": child.dob,
                    "sex": child.sex,
                    "address": child.address.text,
                    "postcode": child.address.postcode,
                    "previous_address": previous.text if previous else "",
                    "previous_postcode": previous.postcode if previous else "",
                    "moved_on": child.moved_on,
                    "nhs_number": child.nhs,
                    "unique_pupil_number": child.upn,
                    "gp_practice_id": child.gp.id if child.gp else None,
                    "school_id": child.school.id if child.school else None,
                    "known_to_childrens_services": child.known,
                    "first_contact_on": child.first_contact_on,
                    "child_in_need": child.cin,
                    "cp_category": child.cp_category,
                    "cp_plan_start": child.cp_start,
                    "looked_after": child.lac,
                    "looked_after_since": child.lac_since,
                    "care_leaver": child.care_leaver,
                    "exploitation_risk": child.risk,
                    "exploitation_identified_on": child.risk_on,
                    "exploitation_group_id": child.group.id if child.group else None,
                    "introduced_by_id": child.introduced_by.id if child.introduced_by else None,
                    "hub_child_id": child.hub_id,
                },
            )
            for adult, relation, responsibility in child.kin:
                kinship += 1
                carer = relation in (FamilyRelation.FOSTER_CARER, FamilyRelation.KINSHIP_CARER)
                self._emit(
                    Kinship,
                    {
                        "id": self._id("kinship", f"{child.number}:{adult.number}"),
                        "child_id": child.id,
                        "adult_id": adult.id,
                        "relation": relation,
                        "parental_responsibility": responsibility,
                        "lives_with": carer or not child.lac,
                    },
                )
            if done % 10000 == 0 or done == len(self.children):
                self._progress("Ground truth", done, len(self.children))
        for row in self._links:
            self._emit(NetworkLink, row)
        self._truth_written = True
        for model, row in self._held:
            self._emit(model, row)
        self._held.clear()
        self.counts["adults"] = len(self.adults)
        self.counts["places"] = len(self._places)
        self.counts["kinship"] = kinship
