"""Sealed items (ADR 25): the hub and the owning agency see them; anyone else only by an override
with a written reason, which is logged in the read log and raises a privacy alert."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openmash.access.models import AlertKind, AlertStatus, PrivacyAlert, SealOverride
from openmash.access.selectors import SealedItem, sealed_item_access
from openmash.access.services import seal_override_open
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent, Action, Outcome
from tests.factories import AgencyFactory, ChildFactory

pytestmark = pytest.mark.django_db

REASON = "The allocated worker needs to ask the school nurse what she saw last week"


def _actor(membership: Membership) -> Actor:
    return Actor(
        user_id=membership.user_id, username=membership.user.username, role=membership.role,
        agency_id=membership.agency_id, team_id=membership.team_id,
    )  # fmt: skip


@pytest.fixture
def school():
    return AgencyFactory(kind="school")


@pytest.fixture
def item(school):
    return SealedItem(item_type="test.Sealed", item_id=str(uuid.uuid4()), owner_agency_id=school.pk,
                      child_id=ChildFactory().pk)  # fmt: skip


def test_the_hub_and_the_owning_agency_see_a_sealed_item_and_nobody_else(make_member, school, item):
    hub = make_member(Role.MASH_OFFICER)
    own = make_member(Role.PRACTITIONER, agency=school)
    other = make_member(Role.SOCIAL_WORKER)
    admin = make_member(Role.SYSTEM_ADMIN)
    assert sealed_item_access(actor=_actor(hub), item=item, purpose="p").why == "hub"
    assert sealed_item_access(actor=_actor(own), item=item, purpose="p").why == "own_agency"
    outsider = sealed_item_access(actor=_actor(other), item=item, purpose="p")
    assert (outsider.shown, outsider.may_override) == (False, True)
    assert sealed_item_access(actor=_actor(admin), item=item, purpose="p").may_override is False
    assert sealed_item_access(actor=Actor.system("job"), item=item, purpose="p").shown is False
    assert not AccessEvent.objects.filter(resource_type="test.Sealed").exists()


def test_an_override_needs_a_written_reason_and_is_refused_to_those_who_need_none(make_member, item, school):
    other = _actor(make_member(Role.SOCIAL_WORKER))
    with pytest.raises(ValidationError):
        seal_override_open(actor=other, item=item, reason_text="because")
    with pytest.raises(ValidationError):
        seal_override_open(actor=_actor(make_member(Role.MASH_OFFICER)), item=item, reason_text=REASON)
    with pytest.raises(ValidationError):
        seal_override_open(actor=_actor(make_member(Role.BOARD_MEMBER)), item=item, reason_text=REASON)
    assert not SealOverride.objects.exists() and not PrivacyAlert.objects.exists()


def test_an_override_opens_the_item_for_an_hour_logs_every_sight_and_alerts_the_privacy_officer(
    make_member, item
):
    member = make_member(Role.SOCIAL_WORKER)
    other = _actor(member)
    override = seal_override_open(actor=other, item=item, reason_text=REASON)

    alert = PrivacyAlert.objects.get()
    assert (alert.kind, alert.status, alert.agency_id, alert.seal_override) == (
        AlertKind.SEAL_OVERRIDE, AlertStatus.OPEN, member.agency_id, override,
    )  # fmt: skip
    broke = AccessEvent.objects.get(action=Action.BREAK_SEAL)
    assert (broke.resource_type, broke.resource_id, broke.outcome) == (
        "test.Sealed",
        item.item_id,
        Outcome.GRANTED,
    )
    assert REASON in broke.purpose and broke.basis_type == "seal_override"

    seen = sealed_item_access(actor=other, item=item, purpose="Contact C-1")
    assert (seen.shown, seen.why, seen.override) == (True, "override", override)
    view = AccessEvent.objects.filter(action=Action.VIEW, resource_type="test.Sealed").get()
    assert view.basis_id == str(override.pk) and view.actor_id == member.user_id

    # Only for that person and that item, and only for a while.
    assert not sealed_item_access(actor=_actor(make_member(Role.SOCIAL_WORKER)), item=item, purpose="p").shown
    another = SealedItem(item_type="test.Sealed", item_id="other", owner_agency_id=item.owner_agency_id)
    assert not sealed_item_access(actor=other, item=another, purpose="p").shown
    SealOverride.objects.filter(pk=override.pk).update(
        opened_at=timezone.now() - timedelta(hours=3), expires_at=timezone.now() - timedelta(hours=2)
    )
    assert not sealed_item_access(actor=other, item=item, purpose="p").shown


def test_the_privacy_officer_sees_the_reason_on_the_alert(make_member, item, sign_in):
    member = make_member(Role.SOCIAL_WORKER)
    seal_override_open(actor=_actor(member), item=item, reason_text=REASON)
    officer = make_member(Role.PRIVACY_OFFICER, agency=member.agency)
    alert = PrivacyAlert.objects.get()
    page = sign_in(officer).get(f"/access/alerts/{alert.reference}").content.decode()
    assert "Sealed item opened" in page and REASON in page
