"""Stage: each agency's noisy identity for the children it knows, the hub's records and families."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

from openmash.people.models import Adult, AgencyIdentity, Child, FamilyLink, FamilyRelation
from openmash.synthetic import names
from openmash.synthetic.generator._parts import (
    _YEAR,
    PROCESS,
    PROFILES,
    _Address,
    _age_years,
    _Agency,
    _ay,
    _Child,
    _Profile,
)
from openmash.synthetic.generator.exploitation import ExploitationStage
from openmash.synthetic.models import (
    IdentityTruth,
    RiskLevel,
    Service,
)
from openmash.synthetic.noise import postcode_typo, shift_year, swap_day_month, typo


class IdentitiesStage(ExploitationStage):
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
