"""A small hub for the tests: the local authority's MASH team, police and health researchers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openmash.accounts.actor import Actor
from openmash.accounts.models import AgencyKind, Membership, Team, TeamKind
from openmash.accounts.roles import Role
from openmash.intake.models import Contact, ContactSource, Urgency
from openmash.intake.services import contact_open
from tests.factories import AgencyFactory, ChildFactory, MembershipFactory, TeamFactory


def actor_of(membership: Membership) -> Actor:
    return Actor(
        user_id=membership.user_id,
        username=membership.user.username,
        role=membership.role,
        agency_id=membership.agency_id,
        team_id=membership.team_id,
        membership_id=membership.pk,
    )


@dataclass
class Hub:
    team: Team
    officer: Membership
    manager: Membership
    second_manager: Membership
    police_researcher: Membership
    health_researcher: Membership
    school_teacher: Membership
    social_work_team: Team
    exploitation_team: Team

    def open_contact(self, child: Any = None, *, urgency: str = Urgency.ROUTINE,
                     received_at: datetime | None = None) -> Contact:  # fmt: skip
        return contact_open(
            actor=actor_of(self.school_teacher),
            source=ContactSource.PROFESSIONAL,
            summary="Seen getting into cars with older men after school",
            child_id=child.pk if child is not None else None,
            urgency=urgency,
            received_at=received_at,
            source_agency_id=self.school_teacher.agency_id,
            hub_team=self.team,
        )


def hub_make() -> Hub:
    council = AgencyFactory(name="Testshire Council", kind=AgencyKind.CHILDRENS_SERVICES)
    team = TeamFactory(agency=council, name="MASH", kind=TeamKind.MASH)
    police = AgencyFactory(name="Testshire Police", kind=AgencyKind.POLICE)
    police_team = TeamFactory(agency=police, name="Police MASH researchers", kind=TeamKind.MASH)
    health = AgencyFactory(name="Testshire NHS Trust", kind=AgencyKind.NHS_TRUST)
    health_team = TeamFactory(agency=health, name="Health MASH researchers", kind=TeamKind.MASH)
    school = AgencyFactory(name="Testshire Academy", kind=AgencyKind.SCHOOL)
    return Hub(
        team=team,
        officer=MembershipFactory(agency=council, team=team, role=Role.MASH_OFFICER),
        manager=MembershipFactory(agency=council, team=team, role=Role.MASH_MANAGER),
        second_manager=MembershipFactory(agency=council, team=team, role=Role.MASH_MANAGER),
        police_researcher=MembershipFactory(agency=police, team=police_team, role=Role.MASH_OFFICER),
        health_researcher=MembershipFactory(agency=health, team=health_team, role=Role.MASH_OFFICER),
        school_teacher=MembershipFactory(agency=school, role=Role.PRACTITIONER),
        social_work_team=TeamFactory(agency=council, name="Assessment team", kind=TeamKind.SOCIAL_WORK),
        exploitation_team=TeamFactory(agency=council, name="Exploitation team", kind=TeamKind.EXPLOITATION),
    )


def child_make(**fields: Any) -> Any:
    return ChildFactory(**fields)
