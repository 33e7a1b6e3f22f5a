"""The borough's households and children, and what happens to them in the three years of data.

A household has a heritage, parents' surnames, an address history and its children. A child has
its true name, date of birth, NHS number, unique pupil number (once at school), and a history:
house moves with the household, a surname change on a parent's new relationship or at entry to
care, a care placement. Twins, siblings with a shared forename pattern and unrelated namesakes
born on the same day are made on purpose. Rates are in ``POPULATION_RATES`` (README.md).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import tables
from .checks import nhs_check_digit, upn_check_letter
from .places import Address, Places

POPULATION_RATES: dict[str, float] = {
    "twin_births": 0.016,  # share of births that are twins (both children generated)
    "household_moves": 0.15,  # households that move house in the window (a tenth of them twice)
    "care_entry": 0.015,  # children who enter care in the window (half with their siblings)
    "care_entry_surname_change": 0.35,  # of those, known by a new surname from then on
    "new_relationship": 0.03,  # households whose children under 14 take a new partner's surname
    "namesakes": 0.004,  # children given an unrelated namesake born the same day (in pairs)
    "half_siblings": 0.15,  # multi-child households whose younger children have another father
    "mixed_heritage": 0.08,  # households whose parents come from two heritages
    "middle_name": 0.55,  # children with a middle name
    "double_surname": 0.08,  # British-heritage households whose children carry both parents' names
}
CHILDREN_PER_HOUSEHOLD = ((1, 0.42), (2, 0.36), (3, 0.14), (4, 0.06), (5, 0.02))
# Families with several children who name them to a pattern (shares of such households):
# "muhammad": every son's first forename is Muhammad (in the family's spelling), the name he is
# called by second (Muslim heritages); "compound": daughters' names share an ending (Lily-Mae,
# Ellie-Mae; English heritage); "initial": every child's forename starts with the same letter.
SIBLING_PATTERNS = {"muhammad": 0.3, "compound": 0.08, "initial": 0.22}
MUHAMMAD_SPELLINGS = {
    "pakistani": "Muhammad",
    "bangladeshi": "Mohammed",
    "arabic": "Mohammed",
    "somali": "Mohamed",
    "turkish": "Muhammed",
}
DAUGHTER_SURNAMES = {"bangladeshi": ("Begum", "Khatun", "Akter", "Sultana"), "pakistani": ("Bibi", "Begum")}
SIKH_FAMILY = ("Gill", "Sandhu", "Dhillon", "Sidhu", "Bains")
SEX_MARKED_SURNAMES = {"Kaur", "Singh", *DAUGHTER_SURNAMES["bangladeshi"], *DAUGHTER_SURNAMES["pakistani"]}


@dataclass(eq=False)
class Child:
    id: str
    household: Household
    sex: str
    forename: str
    dob: date
    middle: str = ""
    calling: str = ""  # the name used day to day when the first forename is a family's Muhammad
    surname: str = ""  # at the start of the window
    nhs: str = ""
    upn: str = ""
    upn_from: date | None = None  # the September the child started school
    twin_of: str = ""
    namesake_of: str = ""
    surname_changes: list[tuple[date, str, str]] = field(default_factory=list)  # (from, surname, why)
    care_entry: date | None = None
    placement: Address | None = None
    schools: list[tuple[date, date, str]] = field(default_factory=list)  # (from, to, school code)

    @property
    def heritage(self) -> str:
        return self.household.heritage

    def surname_on(self, day: date) -> str:
        name = self.surname
        for start, new, _ in self.surname_changes:
            if start <= day:
                name = new
        return name

    def address_on(self, day: date) -> Address:
        if self.care_entry and self.placement and day >= self.care_entry:
            return self.placement
        return self.household.address_on(day)

    def moved_by(self, day: date, window_start: date) -> bool:
        """Whether the child lives somewhere else on ``day`` than at the start of the window."""
        return self.address_on(day) != self.address_on(window_start)


@dataclass(eq=False)
class Household:
    id: int
    heritage: str
    mother_heritage: str
    father_surname: str
    mother_surname: str
    addresses: list[tuple[date, Address]]
    pattern: str = ""
    children: list[Child] = field(default_factory=list)

    def address_on(self, day: date) -> Address:
        current = self.addresses[0][1]
        for start, address in self.addresses:
            if start <= day:
                current = address
        return current


def _gendered(surname: str, sex: str) -> str:
    return tables.surname_for_daughter(surname) if sex == "F" else surname


def _pattern(rng: random.Random, heritage: str) -> str:
    """How a family with several children names them (``SIBLING_PATTERNS``)."""
    if heritage in tables.MUSLIM_HERITAGES and rng.random() < SIBLING_PATTERNS["muhammad"]:
        return "muhammad"
    if heritage == "english" and rng.random() < SIBLING_PATTERNS["compound"]:
        return "compound"
    return "initial" if rng.random() < SIBLING_PATTERNS["initial"] else ""


def _weighted(
    rng: random.Random, pairs: tuple[tuple[object, float], ...] | list[tuple[object, float]]
) -> object:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


class Borough:
    """Builds the population: ``Borough(seed=, children=, as_of=).build()``."""

    def __init__(self, *, rng: random.Random, children: int, as_of: date, window_years: int = 3) -> None:
        self.rng = rng
        self.target = children
        self.as_of = as_of
        self.window_start = date(as_of.year - window_years, as_of.month, as_of.day) + timedelta(days=1)
        self.places = Places(rng)
        self.households: list[Household] = []
        self.children: list[Child] = []
        self.twins: list[tuple[Child, Child]] = []
        self.namesakes: list[tuple[Child, Child]] = []

    # --- households and births ---------------------------------------------------------------
    def build(self, progress: Callable[[int], None] | None = None) -> list[Child]:
        rng = self.rng
        heritages = tuple(tables.HERITAGE_SHARES.items())
        while len(self.children) < self.target:
            heritage = str(_weighted(rng, heritages))
            mother_heritage = heritage
            if rng.random() < POPULATION_RATES["mixed_heritage"]:
                mother_heritage = str(_weighted(rng, heritages))
            household = Household(
                id=len(self.households) + 1,
                heritage=heritage,
                mother_heritage=mother_heritage,
                father_surname=tables.surname_draw(rng, heritage),
                mother_surname=tables.surname_draw(rng, mother_heritage),
                addresses=[(date(2000, 1, 1), self.places.home(rng))],
            )
            if heritage == "somali":  # the children's "surname" starts with their father's name
                household.father_surname = tables.forename_draw(rng, "somali", "M", 1975, own=True)
            self.households.append(household)
            self._births(household)
            if progress:
                progress(min(len(self.children), self.target))
        self._namesakes()
        for number, child in enumerate(self.children, start=1):
            child.id = f"C{number:06d}"
        for first, second in self.twins + self.namesakes:
            kind = "twin_of" if (first, second) in self.twins else "namesake_of"
            setattr(first, kind, second.id)
            setattr(second, kind, first.id)
        self._moves()
        self._new_relationships()
        self._care()
        self._identifiers()
        return self.children

    def _birth_dates(self, count: int) -> list[list[date]]:
        """Birth dates of ``count`` births (a twin birth is one entry with two dates)."""
        rng = self.rng
        years = tuple(tables.BIRTHS_BY_YEAR.items())
        first_year = int(_weighted(rng, years))
        day = _random_day(rng, date(first_year, 1, 1), date(first_year, 12, 31))
        births = []
        last = date(tables.LAST_BIRTH_YEAR, 12, 31)
        for _ in range(count):
            if day > last:
                break
            twins = rng.random() < POPULATION_RATES["twin_births"]
            births.append([day, day] if twins else [day])
            day = day + timedelta(days=rng.randint(330, 1900))
        return births

    def _births(self, household: Household) -> None:
        rng = self.rng
        count = int(_weighted(rng, CHILDREN_PER_HOUSEHOLD))
        births = self._birth_dates(count)
        total = sum(len(b) for b in births)
        if total > 1:
            household.pattern = _pattern(rng, household.heritage)
        half_from = len(births) + 1
        if len(births) > 1 and rng.random() < POPULATION_RATES["half_siblings"]:
            half_from = rng.randrange(1, len(births))
        other_father = tables.surname_draw(rng, household.heritage)
        sikh = household.heritage == "indian" and rng.random() < 0.3
        if sikh:
            household.father_surname = rng.choice(SIKH_FAMILY)
        double = household.heritage in ("english", "welsh", "irish", "scottish") and (
            rng.random() < POPULATION_RATES["double_surname"]
        )
        grandfather = tables.forename_draw(rng, "somali", "M", 1970, own=True)
        for index, birth in enumerate(births):
            twin: Child | None = None
            for born in birth:
                if len(self.children) >= self.target:
                    return
                sex = rng.choice("FM")
                father = other_father if index + 1 >= half_from else household.father_surname
                child = Child(id="", household=household, sex=sex, forename="", dob=born)
                child.surname = self._surname(household, child, father, double, sikh, grandfather)
                if twin is not None:  # twins carry one surname (in its feminine form for a girl)
                    if twin.surname in SEX_MARKED_SURNAMES:
                        twin.surname = _gendered(father, twin.sex)
                    child.surname = _gendered(tables.surname_family_form(twin.surname) or twin.surname, sex)
                self._forenames(household, child, twin)
                if twin is not None:
                    self.twins.append((twin, child))
                household.children.append(child)
                self.children.append(child)
                twin = child

    def _surname(
        self, household: Household, child: Child, father: str, double: bool, sikh: bool, grandfather: str
    ) -> str:
        rng = self.rng
        heritage = household.heritage
        if heritage == "somali":
            # Given name, father's name, grandfather's name: the family "surname" is two names.
            return f"{household.father_surname} {grandfather}"
        if heritage == "portuguese" and rng.random() < 0.8:
            return f"{household.mother_surname} {father}"
        if double:
            return f"{household.mother_surname}-{father}"
        if sikh and rng.random() < 0.35:
            return "Kaur" if child.sex == "F" else "Singh"
        if child.sex == "F" and heritage in DAUGHTER_SURNAMES and rng.random() < 0.3:
            return rng.choice(DAUGHTER_SURNAMES[heritage])
        if heritage in ("english", "welsh", "irish", "scottish") and rng.random() < 0.22:
            father = household.mother_surname  # a lone mother's name
        return tables.surname_for_daughter(father) if child.sex == "F" else father

    def _forenames(self, household: Household, child: Child, twin: Child | None) -> None:
        rng = self.rng
        year = child.dob.year
        heritage = household.heritage if rng.random() < 0.5 else household.mother_heritage
        initial = ""
        if household.pattern == "initial" and household.children:
            initial = household.children[0].forename[0]
        elif twin is not None and rng.random() < 0.4:
            initial = twin.forename[0]
        taken = {c.forename for c in household.children} | {c.calling for c in household.children}
        ending = ""
        if household.pattern == "compound" and child.sex == "F":
            sisters = [c.forename for c in household.children if c.sex == "F" and "-" in c.forename]
            ending = sisters[0].rpartition("-")[2] if sisters else rng.choice(("Mae", "Rose", "Leigh"))
        name = ""
        for attempt in range(60):  # a brother or sister never has the same name (nor a twin)
            name = tables.forename_draw(rng, heritage, child.sex, year, initial if attempt < 40 else "")
            if ending:
                name = f"{name.split('-')[0]}-{ending}"
            if name not in taken:
                break
        if household.pattern == "initial" and not name.startswith(initial):
            household.pattern = ""  # no other name with that initial: the pattern is broken
        if household.pattern == "muhammad" and child.sex == "M":
            child.forename = MUHAMMAD_SPELLINGS.get(household.heritage, "Muhammad")
            for _ in range(60):
                calling = tables.forename_draw(rng, household.heritage, "M", year)
                if calling not in taken and not calling.lower().startswith(("muh", "moh", "mah")):
                    break
            child.calling = child.middle = calling
            return
        child.forename = name
        if rng.random() < POPULATION_RATES["middle_name"]:
            middle = tables.forename_draw(rng, heritage, child.sex, year)
            if middle != name:
                child.middle = middle

    # --- people born the same day with the same name -----------------------------------------
    def _namesakes(self) -> None:
        rng = self.rng
        by_name: dict[tuple[str, str], list[Child]] = defaultdict(list)
        for child in self.children:
            by_name[(child.surname, child.sex)].append(child)
        wanted = round(self.target * POPULATION_RATES["namesakes"] / 2)
        made, tries = 0, 0
        paired = {child for pair in self.twins for child in pair}
        shuffled = list(self.children)
        rng.shuffle(shuffled)
        for first in shuffled:
            if made >= wanted or tries > 50 * max(wanted, 1):
                break
            tries += 1
            if first in paired or first.calling:
                continue
            for other in by_name[(first.surname, first.sex)]:
                if other.household is first.household or other in paired or other.household.pattern:
                    continue
                near = [
                    c
                    for c in other.household.children
                    if c is not other and abs((c.dob - first.dob).days) < 300
                ]
                if near or first.forename in {c.forename for c in other.household.children}:
                    continue
                other.forename, other.middle, other.dob = first.forename, "", first.dob
                self.namesakes.append((first, other))
                paired.update((first, other))
                made += 1
                break

    # --- what happens in the window ----------------------------------------------------------
    def _moves(self) -> None:
        rng = self.rng
        for household in self.households:
            if rng.random() < POPULATION_RATES["household_moves"]:
                moves = 2 if rng.random() < 0.1 else 1
                days = sorted(
                    _random_day(rng, self.window_start, self.as_of - timedelta(days=20)) for _ in range(moves)
                )
                for day in days:
                    household.addresses.append((day, self.places.home(rng)))

    def _new_relationships(self) -> None:
        """Households (``new_relationship`` of all) whose younger children take a new partner's name."""
        rng = self.rng
        wanted = round(len(self.households) * POPULATION_RATES["new_relationship"])
        order = list(self.households)
        rng.shuffle(order)
        for household in order:
            if wanted <= 0:
                break
            day = _random_day(rng, self.window_start, self.as_of - timedelta(days=30))
            young = [c for c in household.children if day - timedelta(days=14 * 365) < c.dob < day]
            if household.heritage == "somali" or not young:
                continue
            partner = tables.surname_draw(rng, household.heritage if rng.random() < 0.5 else "english")
            double = rng.random() < 0.4
            for child in young:
                old = child.surname_on(day)
                new = f"{old.split('-')[0].split(' ')[-1]}-{partner}" if double else partner
                child.surname_changes.append((day, new, "new relationship"))
            wanted -= 1

    def _care(self) -> None:
        """Children (``care_entry`` of all) entering care, half the time with their brothers and sisters."""
        rng = self.rng
        wanted = round(len(self.children) * POPULATION_RATES["care_entry"])
        order = list(self.children)
        rng.shuffle(order)
        for child in order:
            if wanted <= 0:
                break
            start = max(self.window_start, child.dob + timedelta(days=2))
            if child.care_entry or start >= self.as_of - timedelta(days=30):
                continue
            day = _random_day(rng, start, self.as_of - timedelta(days=30))
            group = [child]
            if rng.random() < 0.5:
                group += [
                    c for c in child.household.children if c is not child and c.dob < day and not c.care_entry
                ][: max(wanted - 1, 0)]
            placement = self.places.placement(rng)
            carer = tables.surname_draw(rng, "english")
            for member in group:
                member.care_entry, member.placement = day, placement
                if rng.random() < POPULATION_RATES["care_entry_surname_change"]:
                    member.surname_changes = [s for s in member.surname_changes if s[0] < day]
                    member.surname_changes.append((day, carer, "entry to care"))
            wanted -= len(group)

    # --- identifiers --------------------------------------------------------------------------
    def _identifiers(self) -> None:
        rng = self.rng
        serial = rng.randrange(10**6, 2 * 10**6)
        for child in sorted(self.children, key=lambda c: (c.dob, c.id)):
            while True:
                serial += rng.randint(1, 29)
                first_nine = f"999{serial % 10**6:06d}"
                check = nhs_check_digit(first_nine)
                if check is not None:
                    child.nhs = f"{first_nine}{check}"
                    break
        self._schools()

    def _schools(self) -> None:
        """Primary from the September after the fourth birthday, secondary from Year 7."""
        rng = self.rng
        serials: dict[tuple[str, int], int] = defaultdict(int)
        for child in sorted(self.children, key=lambda c: c.id):
            start_year = child.dob.year + (5 if (child.dob.month, child.dob.day) >= (9, 1) else 4)
            reception = date(start_year, 9, 1)
            if reception > self.as_of:
                continue
            year7, leaves = date(start_year + 7, 9, 1), date(start_year + 12, 7, 31)
            home = child.household.address_on(reception)
            primary = self.places.school(rng, home, "primary")
            serials[(primary, start_year)] += 1
            twelve = f"990{primary[-4:]}{start_year % 100:02d}{serials[(primary, start_year)]:03d}"
            child.upn, child.upn_from = upn_check_letter(twelve) + twelve, reception
            segments = [(reception, min(year7 - timedelta(days=1), leaves), "primary")]
            if year7 <= self.as_of:
                segments.append((year7, leaves, "secondary"))
            for begin, end, phase in segments:
                school = (
                    primary
                    if phase == "primary"
                    else self.places.school(rng, child.address_on(begin), "secondary")
                )
                moves = [day for day, _ in child.household.addresses[1:] if begin < day < end]
                if child.care_entry and begin < child.care_entry < end:
                    moves.append(child.care_entry)
                cursor = begin
                for day in sorted(moves):
                    if rng.random() < 0.5:  # a move changes school half the time
                        child.schools.append((cursor, day - timedelta(days=1), school))
                        cursor = day
                        school = self.places.school(rng, child.address_on(day), phase)
                child.schools.append((cursor, end, school))
