"""Intake tests: the project's shared fixtures, plus people and agencies the feeds need."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from openmash.accounts.models import Agency, AgencyKind, Membership, Team, TeamKind
from openmash.accounts.roles import Role
from openmash.intake.feeds.samples import SamplePerson, persons_synthetic
from openmash.people.models import Child
from tests.factories import AgencyFactory, ChildFactory, MembershipFactory, TeamFactory

AS_OF = date(2026, 11, 20)


@pytest.fixture
def council(db: None) -> Agency:
    return AgencyFactory(name="Omtown Council", kind=AgencyKind.CHILDRENS_SERVICES, code="omtown-council")


@pytest.fixture
def hub_team(council: Agency) -> Team:
    return TeamFactory(agency=council, name="Omtown MASH", kind=TeamKind.MASH)


@pytest.fixture
def police(db: None) -> Agency:
    return AgencyFactory(name="Omshire Police", kind=AgencyKind.POLICE, code="omshire-police")


@pytest.fixture
def hospital(db: None) -> Agency:
    return AgencyFactory(
        name="Omtown Hospitals NHS Trust", kind=AgencyKind.NHS_TRUST, code="omtown-hospitals"
    )


@pytest.fixture
def school(db: None) -> Agency:
    return AgencyFactory(name="Omtown Academy", kind=AgencyKind.SCHOOL, code="omtown-academy")


@pytest.fixture
def mash_officer(hub_team: Team) -> Membership:
    return MembershipFactory(agency=hub_team.agency, team=hub_team, role=Role.MASH_OFFICER)


@pytest.fixture
def people() -> list[SamplePerson]:
    return persons_synthetic(seed=7, count=30, as_of=AS_OF)


@pytest.fixture
def make_children(db: None) -> Callable[[list[SamplePerson]], dict[str, Child]]:
    """Children on the hub's records for these people (by NHS number or pupil number)."""

    def make(persons: list[SamplePerson]) -> dict[str, Child]:
        return {
            person.person_id: ChildFactory(
                forename=person.forename,
                surname=person.surname,
                date_of_birth=person.date_of_birth,
                nhs_number=person.nhs_number,
                unique_pupil_number=person.upn,
            )
            for person in persons
        }

    return make
