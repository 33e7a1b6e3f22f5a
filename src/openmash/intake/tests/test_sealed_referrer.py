"""A sealed referrer on the contact page (ADR 25): someone outside the hub and the referrer's agency
who may see the child sees the contact but never who reported it, unless they open it with a
written reason, which the read log records and the privacy officer is alerted to."""

from __future__ import annotations

import pytest

from openmash.access.models import AlertKind, PrivacyAlert, SealOverride
from openmash.accounts.actor import Actor
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent, Action
from openmash.intake.models import ContactSource, Referrer
from openmash.intake.services import contact_open
from tests.factories import MembershipFactory
from tests.fixtures import allocate

pytestmark = pytest.mark.django_db

REFERRER_NAME = "Rowan Example-Reporter"
REASON = "I am meeting the school tomorrow and need to know who raised this so I ask the right person"


@pytest.fixture
def sealed_contact(allocated_child, school, hub_team):
    contact = contact_open(
        actor=Actor.system("test"), source=ContactSource.PROFESSIONAL, summary="Worried about new adults",
        child_id=allocated_child.pk, source_agency_id=school.pk, hub_team=hub_team,
    )  # fmt: skip
    Referrer.objects.create(
        contact=contact, name=REFERRER_NAME, role="Teacher", agency_name="Omtown Academy",
        phone="01632 960000", sealed=True,
    )  # fmt: skip
    return contact


def _page(client, contact) -> str:
    response = client.get(f"/concerns/hub/{contact.pk}")
    assert response.status_code == 200
    return response.content.decode()


def test_another_agencys_worker_never_sees_the_sealed_referrer_without_an_override(
    sealed_contact, social_worker, sign_in
):
    client = sign_in(social_worker)
    page = _page(client, sealed_contact)
    assert sealed_contact.reference in page and "Sealed" in page
    assert REFERRER_NAME not in page and "01632 960000" not in page
    assert (
        "The referrer&#39;s details are restricted" in page or "The referrer's details are restricted" in page
    )
    assert "Open the sealed details" in page
    # A reason too short is refused, nothing is opened, and the page says why.
    refused = client.post(f"/concerns/hub/{sealed_contact.pk}/referrer", {"reason_text": "need it"})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "There is a problem" in body and REFERRER_NAME not in body
    assert not SealOverride.objects.exists() and not PrivacyAlert.objects.exists()


def test_an_override_with_a_reason_shows_the_referrer_logs_it_and_alerts_the_privacy_officer(
    sealed_contact, social_worker, sign_in
):
    client = sign_in(social_worker)
    response = client.post(f"/concerns/hub/{sealed_contact.pk}/referrer", {"reason_text": REASON})
    assert response.status_code == 302
    page = _page(client, sealed_contact)
    assert REFERRER_NAME in page and "You opened these sealed details" in page
    alert = PrivacyAlert.objects.get()
    assert alert.kind == AlertKind.SEAL_OVERRIDE and alert.agency_id == social_worker.agency_id
    assert alert.seal_override.reason_text == REASON
    referrer_id = str(sealed_contact.referrer.pk)
    assert AccessEvent.objects.filter(action=Action.BREAK_SEAL, resource_id=referrer_id).count() == 1
    assert AccessEvent.objects.filter(action=Action.VIEW, resource_id=referrer_id).count() == 1


def test_the_hub_and_the_referrers_agency_see_the_referrer_with_no_override(
    sealed_contact, mash_officer, school, sign_in
):
    assert REFERRER_NAME in _page(sign_in(mash_officer), sealed_contact)
    colleague = MembershipFactory(agency=school, role=Role.PRACTITIONER)
    allocate(sealed_contact.child, colleague)
    page = _page(sign_in(colleague), sealed_contact)
    assert REFERRER_NAME in page and "Open the sealed details" not in page
    assert not PrivacyAlert.objects.exists()


def test_someone_who_may_not_see_the_child_cannot_open_the_contact(sealed_contact, make_member, sign_in):
    stranger = make_member(Role.SOCIAL_WORKER)
    client = sign_in(stranger)
    assert client.get(f"/concerns/hub/{sealed_contact.pk}").status_code == 404
    assert (
        client.post(f"/concerns/hub/{sealed_contact.pk}/referrer", {"reason_text": REASON}).status_code == 404
    )
    assert not SealOverride.objects.exists()
