"""Contacts whose child is not matched yet: in the queue with running clocks, escalated like any
other, and when matching links the child later, the contact's triage and clocks follow it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from openmash.access.selectors import child_get_for_user
from openmash.intake.models import ContactSource, Urgency
from openmash.intake.services import contact_open
from openmash.mash import services
from openmash.mash.models import Outcome
from openmash.mash.tests.helpers import actor_of, child_make
from openmash.matching.models import LinkHow
from openmash.matching.services import identity_link
from openmash.notifications.models import Notification
from openmash.timescales.calendar import LONDON
from openmash.timescales.models import Clock
from openmash.timescales.services import clocks_escalate
from tests.factories import AgencyIdentityFactory

pytestmark = pytest.mark.django_db
RECEIVED = datetime(2026, 11, 16, 10, 0, tzinfo=LONDON)  # a Monday morning


def unmatched_contact(hub, identity=None, **fields):
    return contact_open(
        actor=actor_of(hub.school_teacher),
        source=ContactSource.PROFESSIONAL,
        summary="A pupil described as Jay, about 14, seen with older men near the bus station",
        identity_id=identity.pk if identity else None,
        urgency=fields.get("urgency", Urgency.IMMEDIATE),
        received_at=fields.get("received_at", RECEIVED),
        source_agency_id=hub.school_teacher.agency_id,
        hub_team=hub.team,
    )


def clocks_of(contact):
    return Clock.objects.filter(subject_type="intake.Contact", subject_id=str(contact.pk))


def test_a_contact_with_no_matched_child_runs_its_clocks_and_is_in_the_queue(hub, sign_in):
    contact = unmatched_contact(hub)

    clocks = {clock.rule_code: clock for clock in clocks_of(contact)}
    assert set(clocks) == {"mash_decision", "rag_red"}
    assert all(clock.child_id is None and clock.responsible_team == hub.team for clock in clocks.values())
    page = sign_in(hub.officer).get(reverse("mash:queue") + "?unmatched=1").content.decode()
    assert contact.reference in page
    assert f'href="{reverse("mash:identify", args=[contact.pk])}"' in page  # "Find the child"


def test_an_overdue_unmatched_contact_is_escalated_to_the_hubs_managers_once_a_day(hub):
    unmatched_contact(hub)
    now = RECEIVED + timedelta(days=3)

    assert clocks_escalate(now=now) == 2  # the decision and the red rating are both overdue
    assert clocks_escalate(now=now + timedelta(hours=2)) == 0

    for manager in (hub.manager, hub.second_manager):
        notes = Notification.objects.filter(recipient=manager.user, kind="overdue")
        assert notes.count() == 2
        titles = sorted(note.title for note in notes)
        assert titles[0].startswith("Overdue: MASH contact decision (2 working days late)")


def test_the_team_due_page_lists_an_unmatched_contact_without_a_child(hub, sign_in):
    contact = unmatched_contact(hub)

    page = sign_in(hub.manager).get(reverse("timescales:due")).content.decode()

    assert "Not yet matched to a child" in page
    assert reverse("mash:contact", args=[contact.pk]) in page


def test_when_the_hub_officer_links_the_child_the_clocks_and_triage_follow(hub, sign_in):
    identity = AgencyIdentityFactory(child=None, agency=hub.school_teacher.agency)
    contact = unmatched_contact(hub, identity)
    services.rag_rate(actor=actor_of(hub.officer), contact=contact, rag="amber", reason="Seen by a teacher")
    child = child_make(forename="Jaylen")

    # The hub officer decides the possible match: matching links the identity through intake.
    assert identity_link(actor=actor_of(hub.officer), identity_id=identity.pk, child_id=child.pk,
                         how=LinkHow.REVIEW)  # fmt: skip

    contact.refresh_from_db()
    assert contact.child_id == child.pk
    assert contact.triage.rag == "amber"  # the triage state stays with the contact
    assert all(clock.child_id == child.pk for clock in clocks_of(contact))
    running = clocks_of(contact).filter(completed_at__isnull=True, cancelled_at__isnull=True)
    assert {clock.rule_code for clock in running} == {"mash_decision", "rag_amber"}
    page = sign_in(hub.officer).get(reverse("mash:queue")).content.decode()
    assert "Jaylen" in page

    # The decision now completes the clocks that ran before the child was known.
    access = child_get_for_user(actor=actor_of(hub.manager), child_id=child.pk, purpose="test")
    services.threshold_decision_record(
        actor=actor_of(hub.manager),
        contact=contact,
        access=access,
        outcome=Outcome.INFORMATION_ADVICE,
        rationale="Advice given to the school; the family is already working with early help.",
        late_reason="Waiting for the child to be identified",
    )
    assert not clocks_of(contact).filter(completed_at__isnull=True, cancelled_at__isnull=True).exists()
    assert clocks_of(contact).filter(rule_code="mash_decision", completed_at__isnull=False).exists()
