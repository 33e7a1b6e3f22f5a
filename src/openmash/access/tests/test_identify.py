"""The hub's narrow rule for identifying the child a contact is about (ADR 45): only the hub team's
MASH officers and managers, only with a search, at most 20 candidates with identifying fields
only, and one SEARCH event in the read log naming the contact."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from openmash.access.selectors import (
    IDENTIFY_LIMIT,
    IdentificationRefused,
    IdentifyCriteria,
    children_for_contact_identification,
)
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent, Action, Outcome
from openmash.mash.tests.helpers import actor_of, child_make, hub_make
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
REF = "C-TEST-0001"


def search(membership, team, **criteria):
    return children_for_contact_identification(
        actor=actor_of(membership),
        contact_reference=REF,
        hub_team_id=team.pk,
        criteria=IdentifyCriteria(**criteria),
    )


def test_the_hub_officer_finds_a_child_the_hub_has_no_relationship_with_and_the_search_is_logged():
    hub = hub_make()
    child = child_make(
        forename="Kiera", surname="Testbrook", date_of_birth=date(2012, 5, 4), postcode="ZZ99 3AB"
    )
    child_make(forename="Kiera", surname="Otherfield")

    result = search(hub.officer, hub.team, name="kiera testbrook")

    assert [c.child_id for c in result.candidates] == [child.pk]
    found = result.candidates[0]
    assert (found.name, found.date_of_birth, found.postcode) == (
        "Kiera Testbrook",
        date(2012, 5, 4),
        "ZZ99 3AB",
    )
    assert found.nhs_number_last4 == child.nhs_number[-4:]
    assert not hasattr(found, "address") and not result.more
    event = AccessEvent.objects.get(action=Action.SEARCH)
    assert event.purpose == f"Identify the child for contact {REF}"
    assert event.outcome == Outcome.GRANTED and event.child_ids == [str(child.pk)]
    assert "kiera" not in event.resource_id.lower()
    expected = hashlib.sha256(IdentifyCriteria(name="kiera testbrook").fingerprint().encode()).hexdigest()[
        :32
    ]
    assert event.resource_id == expected


def test_criteria_narrow_together_by_age_postcode_and_national_numbers():
    hub = hub_make()
    today = date.today()
    fourteen = child_make(forename="Jay", surname="Testford", date_of_birth=date(today.year - 14, 1, 1),
                          postcode="ZZ99 3AC")  # fmt: skip
    child_make(
        forename="Jay", surname="Testholm", date_of_birth=date(today.year - 8, 1, 1), postcode="ZZ99 3AC"
    )

    assert [c.child_id for c in search(hub.officer, hub.team, name="Jay", age=14).candidates] == [fourteen.pk]
    assert [c.child_id for c in search(hub.manager, hub.team, postcode="zz993ac", age=13).candidates] == [
        fourteen.pk
    ]
    assert [c.child_id for c in search(hub.officer, hub.team, nhs_number=fourteen.nhs_number).candidates] == [
        fourteen.pk
    ]
    assert search(hub.officer, hub.team, pupil_number=fourteen.unique_pupil_number.lower()).candidates
    assert search(hub.officer, hub.team, name="Jay", date_of_birth=date(2001, 1, 1)).candidates == []


def test_at_most_twenty_candidates_and_the_officer_is_told_there_are_more():
    hub = hub_make()
    for _ in range(IDENTIFY_LIMIT + 3):
        child_make(surname="Testcommon")

    result = search(hub.officer, hub.team, name="Testcommon")

    assert len(result.candidates) == IDENTIFY_LIMIT and result.more


def test_empty_criteria_are_refused_no_browsing_everything():
    hub = hub_make()
    child_make()

    with pytest.raises(ValidationError):
        search(hub.officer, hub.team, name="   ")
    assert not AccessEvent.objects.filter(action=Action.SEARCH, outcome=Outcome.GRANTED).exists()


@pytest.mark.parametrize("who", ["police_researcher", "health_researcher", "school_teacher"])
def test_anyone_outside_the_hub_team_is_refused_and_the_refusal_is_logged(who):
    hub = hub_make()
    child_make(forename="Kiera", surname="Testbrook")

    with pytest.raises(IdentificationRefused):
        search(getattr(hub, who), hub.team, name="Kiera")
    event = AccessEvent.objects.get(action=Action.SEARCH)
    assert event.outcome == Outcome.DENIED and event.child_ids == []


def test_a_practitioner_in_the_hub_team_and_an_officer_of_a_non_hub_team_are_refused():
    hub = hub_make()
    practitioner = MembershipFactory(agency=hub.team.agency, team=hub.team, role=Role.PRACTITIONER)
    officer_elsewhere = MembershipFactory(
        agency=hub.team.agency, team=hub.social_work_team, role=Role.MASH_OFFICER
    )

    with pytest.raises(IdentificationRefused):
        search(practitioner, hub.team, name="Kiera")
    with pytest.raises(IdentificationRefused):
        search(officer_elsewhere, hub.social_work_team, name="Kiera")  # a team that is not a MASH team


def test_a_child_merged_into_another_record_is_offered_as_the_survivor_only():
    from openmash.matching.merge import child_merge, child_unmerge

    hub = hub_make()
    survivor = child_make(forename="Rae", surname="Testmerge")
    duplicate = child_make(forename="Rae", surname="Testmerge")
    merge = child_merge(
        actor=actor_of(hub.officer), survivor_id=survivor.pk, merged_id=duplicate.pk,
        reason="Same NHS number and date of birth, confirmed by the school",
    )  # fmt: skip

    offered = search(hub.officer, hub.team, name="Rae Testmerge").candidates
    assert [c.child_id for c in offered] == [survivor.pk]

    child_unmerge(actor=actor_of(hub.officer), merge_id=merge.pk, reason="Twins: two children after all")
    found = {c.child_id for c in search(hub.officer, hub.team, name="Rae Testmerge").candidates}
    assert found == {survivor.pk, duplicate.pk}
