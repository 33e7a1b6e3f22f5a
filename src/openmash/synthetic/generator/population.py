"""Stage: households, children and adults, and where the children go to school."""

from __future__ import annotations

import bisect
import itertools
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from openmash.people.models import FamilyRelation
from openmash.synthetic import identifiers, names
from openmash.synthetic.generator._parts import (
    _CHILDREN_PER_HOUSEHOLD,
    _YEAR,
    _Address,
    _Adult,
    _Agency,
    _ay,
    _Child,
    _cum_weights,
    _Household,
)
from openmash.synthetic.generator.geography import GeographyStage
from openmash.synthetic.models import (
    AdultRole,
    HouseholdKind,
    Service,
)


class PopulationStage(GeographyStage):
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
