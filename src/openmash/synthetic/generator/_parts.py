"""The borough's fixed parts: its name, date and version, the in-memory people and places the
stages build, the agencies it has, and the result of a run.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from openmash.accounts.models import AgencyKind
from openmash.synthetic import names
from openmash.synthetic.models import (
    CpCategory,
    RiskLevel,
    Service,
)

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
