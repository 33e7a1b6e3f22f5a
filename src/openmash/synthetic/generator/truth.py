"""Stage: the ground truth the noisy records are scored against."""

from __future__ import annotations

from openmash.people.models import FamilyRelation
from openmash.synthetic.generator.identities import IdentitiesStage
from openmash.synthetic.models import (
    ExploitationGroup,
    Household,
    Kinship,
    NetworkLink,
    Place,
    TrueAdult,
    TrueChild,
)


class TruthStage(IdentitiesStage):
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
