"""Stage: children's statuses (child in need, child protection, looked after) and placements."""

from __future__ import annotations

import random
from datetime import timedelta

from openmash.people.models import FamilyRelation
from openmash.synthetic.generator._parts import (
    _CP_CATEGORIES,
    _LAC_AGE_BANDS,
    _YEAR,
    _age_years,
    _Child,
    _Household,
)
from openmash.synthetic.generator.population import PopulationStage
from openmash.synthetic.models import (
    AdultRole,
    HouseholdKind,
)


class StatusesStage(PopulationStage):
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
