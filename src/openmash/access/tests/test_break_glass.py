"""Emergency (break-glass) access: one child, a written reason, a few hours, and always an alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import AlertKind, AlertStatus, BreakGlassGrant, BreakGlassReason, PrivacyAlert
from openmash.access.services import MIN_REASON_LENGTH
from openmash.accounts.roles import BREAK_GLASS_ROLES, Role
from openmash.audit.models import AccessEvent, Action, Outcome
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

REASON_TEXT = "Police say she is in a car with an adult of concern now"


def open_emergency_access(client, child, reason_text: str = REASON_TEXT, identifier: str | None = None):
    return client.post(
        reverse("access:break-glass"),
        {
            "identifier": identifier or child.nhs_number,
            "reason": BreakGlassReason.IMMINENT_RISK,
            "reason_text": reason_text,
        },
    )


@pytest.fixture
def child():
    """A child the social worker has no relationship with."""
    return ChildFactory()


def test_emergency_access_opens_one_child_for_a_while_and_alerts_the_privacy_officer(
    social_worker, make_member, child, sign_in
):
    worker = sign_in(social_worker)
    child_url = reverse("people:child", args=[child.pk])
    assert worker.get(child_url).status_code == 404
    assert worker.get(reverse("access:break-glass")).status_code == 200

    response = open_emergency_access(worker, child)

    assert response.status_code == 302
    assert response["Location"] == child_url
    record = worker.get(child_url)
    assert record.status_code == 200
    assert child.surname in record.content.decode()
    assert "You are using emergency access" in record.content.decode()

    grant = BreakGlassGrant.objects.get(user=social_worker.user, child=child)
    assert grant.agency == social_worker.agency
    assert grant.reason_text == REASON_TEXT
    assert timedelta(0) < grant.expires_at - timezone.now() <= timedelta(hours=4)
    alert = PrivacyAlert.objects.get(break_glass_grant=grant)
    assert alert.agency == social_worker.agency
    assert alert.kind == AlertKind.BREAK_GLASS
    assert alert.status == AlertStatus.OPEN
    assert AccessEvent.objects.filter(child_id=child.pk, action=Action.BREAK_GLASS).count() == 1
    granted_view = AccessEvent.objects.get(child_id=child.pk, action=Action.VIEW, outcome=Outcome.GRANTED)
    assert (granted_view.basis_type, granted_view.basis_id) == ("break_glass", str(grant.pk))

    # The privacy officer of the worker's agency sees the alert, but not who the child is.
    officer = sign_in(make_member(Role.PRIVACY_OFFICER, agency=social_worker.agency))
    alerts_page = officer.get(reverse("access:alerts")).content.decode()
    assert alert.reference in alerts_page
    for detail in (child.forename, child.surname, child.nhs_number, str(child.pk)):
        assert detail not in alerts_page

    # When the grant runs out, so does the access.
    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        granted_at=timezone.now() - timedelta(hours=5), expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert worker.get(child_url).status_code == 404


def test_the_alert_goes_only_to_the_privacy_officer_of_the_agency_that_broke_the_glass(
    social_worker, make_member, child, sign_in
):
    open_emergency_access(sign_in(social_worker), child)
    alert = PrivacyAlert.objects.get()

    other_agencys_officer = sign_in(make_member(Role.PRIVACY_OFFICER))
    page = other_agencys_officer.get(reverse("access:alerts")).content.decode()

    assert alert.reference not in page
    assert other_agencys_officer.get(reverse("access:alert", args=[alert.reference])).status_code == 404


def test_emergency_access_does_not_put_the_child_on_my_children(social_worker, child, sign_in):
    worker = sign_in(social_worker)
    open_emergency_access(worker, child)

    my_children = worker.get(reverse("people:my-children")).content.decode()

    assert reverse("people:child", args=[child.pk]) not in my_children


@pytest.mark.parametrize(
    "reason_text",
    [
        pytest.param("Urgent, need it", id="short"),
        pytest.param("x" * (MIN_REASON_LENGTH - 1), id="one-character-short"),
        pytest.param(" " * 30 + "short" + " " * 30, id="padded-with-spaces"),
        pytest.param("", id="empty"),
    ],
)
def test_a_reason_under_20_characters_is_refused_with_a_clear_error(
    social_worker, child, sign_in, reason_text
):
    worker = sign_in(social_worker)

    response = open_emergency_access(worker, child, reason_text=reason_text)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="govuk-error-summary"' in body
    assert "Explain why you need access now" in body
    assert not BreakGlassGrant.objects.exists()
    assert not PrivacyAlert.objects.exists()
    assert worker.get(reverse("people:child", args=[child.pk])).status_code == 404


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        pytest.param("12345", "Enter a 10-digit NHS number", id="not-an-nhs-number"),
        pytest.param("9990000000999", "Enter a 10-digit NHS number", id="too-long"),
        pytest.param("1234567890", "No single child has that number", id="nobody-has-it"),
    ],
)
def test_an_identifier_that_finds_no_single_child_is_refused_with_a_clear_error(
    social_worker, child, sign_in, identifier, message
):
    response = open_emergency_access(sign_in(social_worker), child, identifier=identifier)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.parametrize("role", sorted(set(Role) - BREAK_GLASS_ROLES), ids=str)
def test_roles_without_emergency_access_get_403_and_no_grant(make_member, child, sign_in, role):
    client = sign_in(make_member(role))

    assert client.get(reverse("access:break-glass")).status_code == 403
    assert open_emergency_access(client, child).status_code == 403
    assert not BreakGlassGrant.objects.exists()
    assert client.get(reverse("people:child", args=[child.pk])).status_code == 404
