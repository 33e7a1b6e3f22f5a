"""Four agencies, who each of them knows, and when.

Each agency holds its own records of a child (an *identity*: one ``person_id``) and sends one row
per event (an attendance period, an A&E attendance, a missing report or return, a contact). A new
identity starts when a child first meets the agency, when a child changes school, and sometimes
when a child meets the agency again after a move (the agency did not find its earlier record).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .population import Borough, Child, Household


@dataclass(frozen=True)
class Agency:
    key: str
    feed: str
    code: str
    kind: str
    name: str
    style: str  # how it writes an address (places.Address.render)
    missing: dict[str, float]  # share of its identities with the field blank
    swap: float  # forename and surname swapped
    typo_forename: float
    typo_surname: float
    diacritics: tuple[float, float, float]  # kept, transcribed, dropped (names with diacritics)
    new_identity_after_move: float  # first event after a move opens a new person_id
    new_identity_otherwise: float  # any later event opens a new person_id
    updates: float  # an existing identity's later rows carry a new address or surname


AGENCIES: tuple[Agency, ...] = (
    Agency(
        "schools",
        "education_attendance",
        "thornmere-schools",
        "school",
        "Thornmere Schools Partnership",
        "school",
        {
            "nhs_number": 0.70,
            "upn": 0.03,
            "date_of_birth": 0.0,
            "postcode": 0.01,
            "address": 0.01,
            "sex": 0.0,
        },
        swap=0.003,
        typo_forename=0.01,
        typo_surname=0.012,
        diacritics=(0.70, 0.10, 0.20),
        new_identity_after_move=0.0,
        new_identity_otherwise=0.0,
        updates=0.85,
    ),
    Agency(
        "hospital",
        "health_ae",
        "thornmere-hospitals",
        "nhs_trust",
        "Thornmere and Ellerby Hospitals NHS Trust",
        "hospital",
        {
            "nhs_number": 0.06,
            "upn": 1.0,
            "date_of_birth": 0.004,
            "postcode": 0.03,
            "address": 0.02,
            "sex": 0.01,
        },
        swap=0.015,
        typo_forename=0.025,
        typo_surname=0.03,
        diacritics=(0.30, 0.25, 0.45),
        new_identity_after_move=0.25,
        new_identity_otherwise=0.03,
        updates=0.6,
    ),
    Agency(
        "police",
        "police_missing",
        "northvale-police",
        "police",
        "Northvale Police",
        "police",
        {
            "nhs_number": 0.85,
            "upn": 0.97,
            "date_of_birth": 0.02,
            "postcode": 0.06,
            "address": 0.03,
            "sex": 0.01,
        },
        swap=0.02,
        typo_forename=0.03,
        typo_surname=0.035,
        diacritics=(0.15, 0.25, 0.60),
        new_identity_after_move=0.3,
        new_identity_otherwise=0.06,
        updates=0.5,
    ),
    Agency(
        "council",
        "la_contacts",
        "thornmere-council",
        "childrens_services",
        "Thornmere Council Children's Services",
        "council",
        {
            "nhs_number": 0.25,
            "upn": 0.40,
            "date_of_birth": 0.03,
            "postcode": 0.04,
            "address": 0.03,
            "sex": 0.01,
        },
        swap=0.008,
        typo_forename=0.015,
        typo_surname=0.02,
        diacritics=(0.55, 0.15, 0.30),
        new_identity_after_move=0.2,
        new_identity_otherwise=0.04,
        updates=0.8,
    ),
)
BY_KEY = {agency.key: agency for agency in AGENCIES}

# Who each agency knows in the three years of data (see README.md, "Coverage").
COVERAGE: dict[str, float] = {
    "school_in_feed": 0.96,  # pupils whose school sends attendance (others: independent, home-educated)
    "ae_attends": 0.48,  # children with at least one A&E attendance
    "ae_repeat": 0.45,  # chance of each further attendance
    "council_household": 0.13,  # households with contacts to children's services
    "council_child_in_household": 0.85,  # each child of such a household is named in contacts
    "council_repeat": 0.4,  # chance of each further contact
    "police_missing_child": 0.04,  # children aged 10 and over reported missing
    "police_missing_in_care": 0.35,  # children in care reported missing
    "police_repeat": 0.5,  # chance of each further episode
    "police_returned": 0.9,  # episodes with a return row
    "council_after_missing": 0.4,  # a missing episode followed by a council contact
}
HALF_TERMS = ((9, 2, 10, 23), (11, 2, 12, 19), (1, 5, 2, 13), (2, 23, 3, 31), (4, 14, 5, 22), (6, 2, 7, 21))


@dataclass
class Event:
    at: datetime  # when it happened (for date-only feeds, the day at midnight)
    values: dict[str, str]
    group: str = ""  # the school (attendance), the episode (missing)

    @property
    def day(self) -> date:
        return self.at.date()


@dataclass(eq=False)
class Identity:
    agency: Agency
    child: Child
    events: list[Event]
    person_id: str = ""
    recorded: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    follows_changes: bool = False
    diacritics_mode: str = "kept"

    @property
    def start(self) -> date:
        return self.events[0].day


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def _at(rng: random.Random, day: date, hours: tuple[int, int] = (0, 23)) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(*hours), rng.choice((0, 15, 30, 45)))


def _repeats(rng: random.Random, chance: float, most: int = 8) -> int:
    count = 1
    while count < most and rng.random() < chance:
        count += 1
    return count


class Events:
    """Every agency's events for every child of a borough."""

    def __init__(self, borough: Borough, rng: random.Random) -> None:
        self.borough, self.rng = borough, rng
        self.start, self.end = borough.window_start, borough.as_of

    def _from(self, child: Child, age: int = 0) -> date:
        born = child.dob + timedelta(days=1)
        if age:
            born = date(child.dob.year + age, child.dob.month, min(child.dob.day, 28))
        return max(self.start, born)

    # --- schools ------------------------------------------------------------------------------
    def schools(self, child: Child) -> Iterator[Event]:
        rng = self.rng
        if not child.schools or rng.random() >= COVERAGE["school_in_feed"]:
            return
        for begin, finish, school in child.schools:
            terms = [
                (start, end)
                for year in range(self.start.year - 1, self.end.year + 1)
                for start, end in _half_terms(year)
                if max(begin, self.start) <= start and end <= min(finish, self.end)
            ]
            if not terms:
                continue
            wanted = min(len(terms), rng.choices((1, 2, 3), weights=(0.7, 0.22, 0.08))[0])
            for start, end in sorted(rng.sample(terms, wanted)):
                possible = 2 * sum(
                    1 for d in range((end - start).days + 1) if (start + timedelta(d)).weekday() < 5
                )
                rate = rng.choice((0.0, 0.0, 0.02, 0.04, 0.06, 0.08, 0.12, 0.18, 0.3))
                absent = min(possible, round(possible * rate))
                authorised = rng.randint(0, absent)
                yield Event(
                    datetime(end.year, end.month, end.day),
                    {
                        "period_start": start.isoformat(),
                        "period_end": end.isoformat(),
                        "sessions_possible": str(possible),
                        "sessions_attended": str(possible - absent),
                        "sessions_authorised_absence": str(authorised),
                        "sessions_unauthorised_absence": str(absent - authorised),
                    },
                    group=school,
                )

    # --- A&E ---------------------------------------------------------------------------------------
    def hospital(self, child: Child) -> Iterator[Event]:
        rng = self.rng
        if rng.random() >= COVERAGE["ae_attends"]:
            return
        first = self._from(child)
        if first > self.end:
            return
        for _ in range(_repeats(rng, COVERAGE["ae_repeat"])):
            day = _day(rng, first, self.end)
            age = (day - child.dob).days // 365
            reason = rng.choice(_AE_REASONS[0 if age < 2 else 1 if age < 12 else 2])
            injury = reason in _INJURIES
            yield Event(
                _at(rng, day),
                {
                    "attendance_reason": reason,
                    "injury": "Y" if injury else "N",
                    "injury_type": rng.choice(_INJURY_TYPES) if injury and rng.random() < 0.7 else "",
                    "self_harm": "Y" if reason == "self-harm" else "N",
                    "alcohol_or_drugs": "Y" if reason == "alcohol intoxication" else "N",
                    "safeguarding_concern": "Y" if rng.random() < 0.04 or reason == "self-harm" else "N",
                    "discharged_to": rng.choice(
                        ("home", "home", "home", "home", "admitted to ward", "GP follow-up")
                    ),
                    "site": rng.choice(("Thornmere General", "Thornmere General", "Ellerby UTC")),
                },
            )

    # --- police ------------------------------------------------------------------------------------
    def police(self, child: Child) -> Iterator[Event]:
        rng = self.rng
        chance = COVERAGE["police_missing_in_care"] if child.care_entry else COVERAGE["police_missing_child"]
        first = self._from(child, age=10)
        if first > self.end - timedelta(days=3) or rng.random() >= chance:
            return
        if child.care_entry and rng.random() < 0.7:
            first = max(first, child.care_entry)
        for episode in range(_repeats(rng, COVERAGE["police_repeat"])):
            day = _day(rng, first, self.end - timedelta(days=3))
            went = _at(rng, day, (7, 23))
            in_care = bool(child.care_entry and day >= child.care_entry)
            group = f"{child.id}-{episode}"
            yield Event(
                went,
                {
                    "event": "missing",
                    "risk_grade": rng.choices(("absent", "low", "medium", "high"), (0.2, 0.3, 0.4, 0.1))[0],
                    "from_care_placement": "Y" if in_care else "N",
                    "found_location": "",
                    "summary": rng.choice(_MISSING_SUMMARIES + (_FROM_CARE if in_care else ())),
                    "station": rng.choice(("Thornmere", "Ferrybank", "Northgate")),
                },
                group=group,
            )
            if rng.random() < COVERAGE["police_returned"]:
                back = went + timedelta(hours=rng.randint(2, 60), minutes=rng.choice((0, 15, 30, 45)))
                yield Event(
                    min(back, datetime(self.end.year, self.end.month, self.end.day, 23, 45)),
                    {
                        "event": "returned",
                        "risk_grade": "",
                        "from_care_placement": "Y" if in_care else "N",
                        "found_location": rng.choice(_FOUND),
                        "summary": "Returned",
                        "station": rng.choice(("Thornmere", "Ferrybank", "Northgate")),
                    },
                    group=group,
                )

    # --- the council -----------------------------------------------------------------------------
    def council(self, household: Household, police: dict[str, list[Event]]) -> dict[str, list[Event]]:
        """Contacts about a household's children (a contact names one child; siblings get their own)."""
        rng = self.rng
        out: dict[str, list[Event]] = {child.id: [] for child in household.children}
        days: list[date] = []
        if rng.random() < COVERAGE["council_household"]:
            days = [_day(rng, self.start, self.end) for _ in range(_repeats(rng, COVERAGE["council_repeat"]))]
        for child in household.children:
            own = []
            if days and rng.random() < COVERAGE["council_child_in_household"]:
                own += [d for d in days if d > child.dob]
            if child.care_entry:
                own.append(max(child.care_entry - timedelta(days=rng.randint(1, 20)), self._from(child)))
            for event in police.get(child.id, []):
                if event.values["event"] == "missing" and rng.random() < COVERAGE["council_after_missing"]:
                    own.append(min(event.day + timedelta(days=rng.randint(1, 10)), self.end))
            for day in sorted(own):
                reasons = _CONTACT_REASONS if day < child.dob + timedelta(days=730) else _CONTACT_REASONS[:-1]
                reason = rng.choice(reasons)
                out[child.id].append(
                    Event(
                        _at(rng, day, (8, 19)),
                        {
                            "source_code": rng.choice(_SOURCE_CODES),
                            "reason": reason,
                            "urgency": rng.choice(("", "routine", "routine", "same_day", "immediate")),
                        },
                    )
                )
        return out


def _half_terms(year: int) -> Iterator[tuple[date, date]]:
    for index, (m1, d1, m2, d2) in enumerate(HALF_TERMS):
        y = year if index < 2 else year + 1
        yield date(y, m1, d1), date(y, m2, d2)


def identities(agency: Agency, child: Child, events: list[Event], rng: random.Random) -> list[Identity]:
    """Group one agency's events about one child into the person records it holds."""
    events = sorted(events, key=lambda e: e.at)
    found: list[Identity] = []
    current: Identity | None = None
    for event in events:
        if current is not None and agency.key == "schools":
            new = event.group != current.events[0].group
        elif current is not None and event.group and event.group == current.events[-1].group:
            new = False  # a return goes with its missing report
        elif current is not None:
            moved = child.address_on(event.day) != child.address_on(current.events[-1].day)
            chance = agency.new_identity_after_move if moved else agency.new_identity_otherwise
            new = rng.random() < chance
        else:
            new = True
        if new:
            current = Identity(agency, child, [])
            found.append(current)
        assert current is not None
        current.events.append(event)
    return found


_AE_REASONS = (
    ("fever", "breathing difficulty", "feeding problem", "rash", "fall", "vomiting", "head injury"),
    (
        "fall",
        "head injury",
        "limb injury",
        "abdominal pain",
        "asthma",
        "burn",
        "swallowed an object",
        "sports injury",
        "dog bite",
        "allergic reaction",
        "fever",
    ),
    (
        "sports injury",
        "limb injury",
        "abdominal pain",
        "head injury",
        "assault",
        "self-harm",
        "alcohol intoxication",
        "chest pain",
        "asthma",
        "fall",
    ),
)
_INJURIES = {"fall", "head injury", "limb injury", "burn", "sports injury", "dog bite", "assault"}
_INJURY_TYPES = ("laceration", "fracture", "sprain", "bruising", "burn", "concussion")
_MISSING_SUMMARIES = (
    "Did not return home after school",
    "Not home by the agreed time; phone switched off",
    "Parent reported the child had not returned from a friend's house",
    "Not seen since the morning",
)
_FROM_CARE = ("Left the placement in the evening and did not come back",)
_FOUND = (
    "friend's address",
    "town centre",
    "railway station",
    "relative's home",
    "came back by themselves",
    "retail park",
    "bus station",
)
_CONTACT_REASONS = (
    "Concern about neglect at home",
    "Domestic abuse notification from police",
    "Parent's mental health: school asked for support",
    "School raised concerns about attendance and wellbeing",
    "Child said they had been hit at home",
    "Concern about a parent's drug or alcohol use",
    "Follow-up after a missing episode",
    "Family asked for help with housing and money",
    "Youth service concerned about older people around the child",
    "Health visitor concerned about the baby's weight",
)
_SOURCE_CODES = ("1A", "1B", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "4", "5A", "5C", "6", "8", "9")
