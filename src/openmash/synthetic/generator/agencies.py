"""Stage: the borough's agencies and teams."""

from __future__ import annotations

import random

from openmash.accounts.models import Agency, AgencyKind, Team, TeamKind
from openmash.synthetic import names
from openmash.synthetic.generator._parts import (
    _GP_SUFFIXES,
    _PRIMARY_SUFFIXES,
    _SECONDARY_SUFFIXES,
    BOROUGH_AGENCIES,
    PROFILES,
    _Agency,
)
from openmash.synthetic.generator._state import _BoroughState
from openmash.synthetic.models import (
    BoroughAgency,
    Service,
)


class AgenciesStage(_BoroughState):
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
                    {
                        "id": agency.id,
                        "name": agency.name,
                        "kind": agency.kind,
                        "code": agency.code,
                        "feeds": [],
                    }
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
