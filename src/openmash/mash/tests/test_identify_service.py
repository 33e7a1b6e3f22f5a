"""The hub identifies the child for a contact that arrived without one (ADR 45): the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import IdentificationRefused, child_get_for_user
from openmash.audit.models import AccessEvent
from openmash.intake.models import Contact
from openmash.intake.services import contact_close, public_report_submit
from openmash.mash.models import Triage
from openmash.mash.services import (
    DescribedChild,
    contact_child_create,
    contact_child_identification_undo,
    contact_child_identify,
)
from openmash.mash.tests.helpers import actor_of, child_make
from openmash.timescales.models import Clock

pytestmark = pytest.mark.django_db
REASON = "Name, age and street match the report"


def public_report():
    return public_report_submit(
        client_hash="test-client",
        worry="A girl called Kiera, about 13, is picked up late at night by older men",
    )


def clocks_of(contact):
    return Clock.objects.filter(subject_type="intake.Contact", subject_id=str(contact.pk))


def test_identifying_the_child_sets_it_starts_the_hubs_relationship_and_the_clocks_follow(hub):
    contact = public_report()
    child = child_make(forename="Kiera", surname="Testbrook")
    triage_before = Triage.objects.values("rag", "rag_due_at", "decision_due_at").get(contact=contact)
    assert {clock.child_id for clock in clocks_of(contact)} == {None}

    contact_child_identify(actor=actor_of(hub.officer), contact=contact, child_id=child.pk, reason=REASON)

    contact.refresh_from_db()
    assert contact.child_id == child.pk
    relationship = Relationship.objects.get(pk=contact.hub_relationship_id)
    assert (relationship.holder_team_id, relationship.basis) == (hub.team.pk, RelationshipBasis.HUB_CONTACT)
    assert relationship.valid_to is None
    assert {clock.child_id for clock in clocks_of(contact)} == {child.pk}
    assert Triage.objects.values("rag", "rag_due_at", "decision_due_at").get(contact=contact) == triage_before
    # The hub may now read the child; the identification is in the read log and in the history.
    assert child_get_for_user(actor=actor_of(hub.officer), child_id=child.pk, purpose="test").child == child
    assert AccessEvent.objects.filter(
        child_id=child.pk, purpose=f"Identified the child for contact {contact.reference}"
    ).exists()
    event = Contact.pgh_event_model.objects.filter(pgh_obj_id=contact.pk).order_by("-pgh_id").first()
    assert event.child_id == child.pk and event.pgh_context.metadata["reason"] == REASON


def test_identifying_is_refused_twice_for_a_closed_contact_and_outside_the_hub_team(hub):
    contact = public_report()
    child, other = child_make(), child_make()
    with pytest.raises(IdentificationRefused):
        contact_child_identify(actor=actor_of(hub.police_researcher), contact=contact, child_id=child.pk,
                               reason=REASON)  # fmt: skip
    with pytest.raises(ValidationError):
        contact_child_identify(
            actor=actor_of(hub.officer), contact=contact, child_id=child.pk, reason="short"
        )
    contact_child_identify(actor=actor_of(hub.officer), contact=contact, child_id=child.pk, reason=REASON)

    with pytest.raises(ValidationError, match="already has a child"):
        contact_child_identify(actor=actor_of(hub.officer), contact=contact, child_id=other.pk, reason=REASON)
    closed = public_report()
    contact_close(actor=actor_of(hub.officer), contact=closed, reason="No child protection concern")
    with pytest.raises(ValidationError, match="closed"):
        contact_child_identify(actor=actor_of(hub.officer), contact=closed, child_id=other.pk, reason=REASON)


def test_the_hub_reuses_the_relationship_it_already_holds_for_another_open_contact(hub):
    child = child_make()
    earlier = hub.open_contact(child)
    contact = public_report()

    contact_child_identify(actor=actor_of(hub.officer), contact=contact, child_id=child.pk, reason=REASON)

    contact.refresh_from_db()
    assert contact.hub_relationship_id == earlier.hub_relationship_id
    assert contact.is_re_referral


def test_a_new_child_record_from_what_the_contact_describes(hub):
    contact = public_report()

    contact_child_create(
        actor=actor_of(hub.officer),
        contact=contact,
        described=DescribedChild(known_as="Kiera", approximate_age=13, postcode="zz99 3ad"),
        reason="Nobody the hub holds fits the description",
    )

    contact.refresh_from_db()
    child = child_get_for_user(actor=actor_of(hub.officer), child_id=contact.child_id, purpose="test").child
    assert (child.preferred_name, child.forename, child.date_of_birth, child.postcode) == (
        "Kiera",
        "",
        None,
        "ZZ99 3AD",
    )
    assert child.created_by_process == "hub.identify"
    assert {clock.child_id for clock in clocks_of(contact)} == {child.pk}
    with pytest.raises(ValidationError) as refused:
        contact_child_create(actor=actor_of(hub.officer), contact=public_report(), described=DescribedChild(),
                             reason=REASON)  # fmt: skip
    assert set(refused.value.message_dict) == {"forename", "date_of_birth"}


def test_a_manager_undoes_a_mistaken_identification_or_corrects_it_keeping_history(hub):
    contact = public_report()
    wrong, right = child_make(), child_make(date_of_birth=date(2013, 2, 2))
    contact_child_identify(actor=actor_of(hub.officer), contact=contact, child_id=wrong.pk, reason=REASON)
    contact.refresh_from_db()
    first_relationship = contact.hub_relationship_id

    with pytest.raises(IdentificationRefused):  # an officer cannot undo
        contact_child_identification_undo(actor=actor_of(hub.officer), contact=contact, reason="Wrong Kiera")
    contact_child_identification_undo(
        actor=actor_of(hub.manager),
        contact=contact,
        child_id=right.pk,
        reason="Wrong Kiera: the school confirmed",
    )

    contact.refresh_from_db()
    assert contact.child_id == right.pk and contact.hub_relationship_id != first_relationship
    assert Relationship.objects.get(pk=first_relationship).valid_to is not None
    assert {clock.child_id for clock in clocks_of(contact)} == {right.pk}
    history = Contact.pgh_event_model.objects.filter(pgh_obj_id=contact.pk).order_by("pgh_id")
    assert [event.child_id for event in history][-3:] == [wrong.pk, None, right.pk]

    contact_child_identification_undo(
        actor=actor_of(hub.manager), contact=contact, reason="Not this child either"
    )
    contact.refresh_from_db()
    assert contact.child_id is None and contact.hub_relationship_id is None
    assert {clock.child_id for clock in clocks_of(contact)} == {None}
    with pytest.raises(ValidationError, match="no child"):
        contact_child_identification_undo(
            actor=actor_of(hub.manager), contact=contact, reason="Nothing to undo"
        )


def test_a_child_made_for_a_feed_contact_is_linked_to_the_agency_record_that_raised_it(hub):
    from openmash.intake.models import ContactSource, IdentityReview, IdentityReviewStatus
    from openmash.intake.services import contact_open
    from openmash.matching.models import IdentityLink, LinkHow
    from openmash.people.models import AgencyIdentity
    from tests.factories import AgencyIdentityFactory

    record = AgencyIdentityFactory(child=None, forename="Kiera", surname="Feedtest")
    IdentityReview.objects.create(identity=record, reason="No NHS number or pupil number to match on")
    contact = contact_open(
        actor=actor_of(hub.officer),
        source=ContactSource.FEED,
        summary="Reported missing",
        identity_id=record.pk,
    )
    contact_child_create(
        actor=actor_of(hub.officer),
        contact=contact,
        described=DescribedChild(forename="Kiera", surname="Feedtest", approximate_age=13),
        reason="Nobody the hub holds fits the record",
    )
    contact.refresh_from_db()
    record = AgencyIdentity.objects.get(pk=record.pk)
    assert record.child_id == contact.child_id is not None
    assert IdentityLink.objects.get(identity=record).how == LinkHow.NEW_CHILD
    assert IdentityReview.objects.get(identity=record).status == IdentityReviewStatus.NEW_CHILD
