"""The hub is the local authority's MASH team, never a partner agency's research team."""

import pytest

from openmash.accounts.models import AgencyKind, TeamKind
from openmash.intake.services import hub_team_get
from tests.factories import AgencyFactory, TeamFactory


@pytest.mark.django_db
def test_the_hub_is_the_local_authoritys_mash_team_even_when_a_partners_came_first(settings):
    police_research = TeamFactory(kind=TeamKind.MASH, agency=AgencyFactory(kind=AgencyKind.POLICE))
    hub = TeamFactory(kind=TeamKind.MASH, agency=AgencyFactory(kind=AgencyKind.CHILDRENS_SERVICES))

    assert hub_team_get() == hub

    settings.OPENMASH_HUB_TEAM_ID = str(police_research.pk)  # an explicit choice wins
    assert hub_team_get() == police_research
