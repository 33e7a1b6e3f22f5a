"""The hub identifies the child for a contact that arrived without one (ADR 0045)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.intake.models import (
    Contact,
    ContactStatus,
)
from openmash.intake.services import contact_child_attach, contact_hub_relationship_release
from openmash.people.models import Child

# --- The hub identifies the child for a contact that arrived without one (ADR 45) --------------

IDENTIFY_PROCESS = "hub.identify"
MIN_IDENTIFY_REASON = 10


def _identify_checks(*, actor: Actor, contact: Contact, reason: str, manager_only: bool = False) -> str:
    from openmash.access.selectors import IdentificationRefused, may_identify_child_for_contact
    from openmash.accounts.roles import Role

    if not may_identify_child_for_contact(actor=actor, hub_team_id=contact.hub_team_id) or (
        manager_only and actor.role != Role.MASH_MANAGER
    ):
        raise IdentificationRefused("No such contact")
    reason = reason.strip()
    if len(reason) < MIN_IDENTIFY_REASON:
        raise ValidationError({"reason": f"Say why, in at least {MIN_IDENTIFY_REASON} characters."})
    if contact.status != ContactStatus.OPEN:
        raise ValidationError("This contact is closed: its child can no longer be changed here.")
    return reason


def _identified_record(*, actor: Actor, contact: Contact, child_id: uuid.UUID, what: str) -> None:
    from openmash.audit.models import Action, Outcome
    from openmash.audit.services import AccessBasis, access_event_record

    access_event_record(
        actor=actor,
        action=Action.VIEW,
        resource_type="contact",
        resource_id=str(contact.pk),
        child_id=child_id,
        purpose=f"{what} for contact {contact.reference}"[:200],
        outcome=Outcome.GRANTED,
        basis=AccessBasis(kind="relationship:hub_contact", id=str(contact.hub_relationship_id or "")),
    )


def _contact_identity_link(
    *, actor: Actor, contact: Contact, child_id: uuid.UUID, created: bool = False
) -> None:
    """The agency record that raised the contact is this child's too (ADR 0035): link it, if it
    has no child yet, with the evidence matching keeps for an unmerge."""
    from openmash.people.models import AgencyIdentity

    if contact.identity_id is None:
        return
    if not AgencyIdentity.objects.filter(pk=contact.identity_id, child__isnull=True).exists():
        return
    from openmash.intake.linking import identities_link_to_children
    from openmash.matching.models import LinkHow
    from openmash.matching.services import identity_link_record

    identities_link_to_children(
        links={contact.identity_id: child_id},
        resolved_by=actor.username,
        new_children={contact.identity_id} if created else set(),
    )
    how = LinkHow.NEW_CHILD if created else LinkHow.REVIEW
    identity_link_record(actor=actor, identity_id=contact.identity_id, child_id=child_id, how=how)


@transaction.atomic
def contact_child_identify(*, actor: Actor, contact: Contact, child_id: uuid.UUID, reason: str) -> Contact:
    """A hub officer says which known child a contact without one is about.

    The contact takes the child, the hub team its relationship to the child (the one it already
    holds for another open contact, or a new one), and the contacts-matched hooks run so the
    contact's clocks and a decision waiting for sign-off take the child too. The change is in the
    contact's history with the reason (pghistory context) and in the read log. Refused for a
    closed contact and for one that already has a child (ADR 45: correcting is a manager's undo).
    """
    import pghistory

    reason = _identify_checks(actor=actor, contact=contact, reason=reason)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    reason = _identify_checks(actor=actor, contact=contact, reason=reason)
    if contact.child_id is not None:
        raise ValidationError("This contact already has a child. A MASH manager can correct it.")
    if not Child.objects.filter(pk=child_id).exists():
        raise ValidationError({"child": "No such child."})
    with pghistory.context(process=IDENTIFY_PROCESS, action="identify", reason=reason, by=actor.username):
        contact_child_attach(contact=contact, child_id=child_id)
        _contact_identity_link(actor=actor, contact=contact, child_id=child_id)
    _identified_record(actor=actor, contact=contact, child_id=child_id, what="Identified the child")
    return contact


@dataclass(frozen=True)
class DescribedChild:
    """A child the hub does not hold yet, as the contact describes them."""

    forename: str = ""
    surname: str = ""
    known_as: str = ""  # a first name only, a nickname or a short description ("Jay, small, red coat")
    date_of_birth: date | None = None
    approximate_age: int | None = None
    postcode: str = ""


@transaction.atomic
def contact_child_create(
    *, actor: Actor, contact: Contact, described: DescribedChild, reason: str
) -> Contact:
    """None of the hub's children is the one: make a new child record from what the contact
    describes (a name or description, and a date of birth or an approximate age) and attach it,
    with the same effect as ``contact_child_identify``.

    The hub holds no "approximate age" field: without a date of birth, the child's record has
    none, and the age given is kept in the history context of the record's creation.
    """
    import pghistory

    reason = _identify_checks(actor=actor, contact=contact, reason=reason)
    names = [described.forename.strip(), described.surname.strip(), described.known_as.strip()]
    errors: dict[str, str] = {}
    if not any(names):
        errors["forename"] = "Enter a name, or describe the child in 'Known as or described as'."
    if described.date_of_birth is None and described.approximate_age is None:
        errors["date_of_birth"] = "Enter a date of birth or an approximate age."
    if described.approximate_age is not None and not 0 <= described.approximate_age <= 25:
        errors["approximate_age"] = "Enter an age between 0 and 25."
    if described.date_of_birth is not None and described.date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "The date of birth must be in the past."
    if errors:
        raise ValidationError(errors)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _identify_checks(actor=actor, contact=contact, reason=reason)
    if contact.child_id is not None:
        raise ValidationError("This contact already has a child. A MASH manager can correct it.")
    with pghistory.context(
        process=IDENTIFY_PROCESS,
        action="create_from_contact",
        reason=reason,
        by=actor.username,
        contact=contact.reference,
        approximate_age=described.approximate_age,
    ):
        child = Child(
            forename=names[0][:100],
            surname=names[1][:100],
            preferred_name=names[2][:100],
            date_of_birth=described.date_of_birth,
            postcode=" ".join(described.postcode.upper().split())[:8],
            created_by_process=IDENTIFY_PROCESS,
        )
        child.full_clean(exclude=["forename", "surname"])  # either may be unknown; one name is required
        child.save()
        contact_child_attach(contact=contact, child_id=child.pk)
        _contact_identity_link(actor=actor, contact=contact, child_id=child.pk, created=True)
    _identified_record(actor=actor, contact=contact, child_id=child.pk, what="Created a child record")
    return contact


@transaction.atomic
def contact_child_identification_undo(
    *, actor: Actor, contact: Contact, reason: str, child_id: uuid.UUID | None = None
) -> Contact:
    """A MASH manager undoes a mistaken identification: the contact goes back to unmatched
    (``child_id`` None) or to the right child.

    The hub's relationship the contact held ends unless another open contact still needs it;
    the contact's clocks drop the child they took and, when corrected, take the new one (through
    the contacts-matched hooks). Refused for a contact matched through an agency identity (that
    is matching's to correct), once a threshold decision is recorded, and for a closed contact.
    Every state is kept in the contact's history, with the reason.
    """
    import pghistory

    from openmash.timescales.services import clocks_child_clear

    reason = _identify_checks(actor=actor, contact=contact, reason=reason, manager_only=True)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _identify_checks(actor=actor, contact=contact, reason=reason, manager_only=True)
    if contact.child_id is None:
        raise ValidationError("This contact has no child to correct.")
    if contact.identity_id is not None:
        raise ValidationError(
            "This contact was matched through an agency's record: correct the match instead."
        )
    if contact.threshold_decisions.exists():  # type: ignore[attr-defined]
        raise ValidationError("A decision has been recorded on this contact: its child can no longer change.")
    if child_id is not None and child_id == contact.child_id:
        raise ValidationError({"child": "Choose a different child, or return the contact to unmatched."})
    if child_id is not None and not Child.objects.filter(pk=child_id).exists():
        raise ValidationError({"child": "No such child."})
    old_child_id, now = contact.child_id, timezone.now()
    with pghistory.context(process=IDENTIFY_PROCESS, action="undo", reason=reason, by=actor.username):
        contact_hub_relationship_release(contact=contact, at=now)
        if old_child_id is not None:
            clocks_child_clear(
                subject_type="intake.Contact", subject_ids=[str(contact.pk)], child_id=old_child_id
            )
        contact.child_id = None
        contact.hub_relationship = None
        contact.is_re_referral, contact.re_referral_reason = False, ""
        contact.save(
            update_fields=["child", "is_re_referral", "re_referral_reason", "hub_relationship", "updated_at"]
        )
        if child_id is not None:
            contact_child_attach(contact=contact, child_id=child_id)
    _identified_record(
        actor=actor,
        contact=contact,
        child_id=child_id or old_child_id,
        what="Corrected the child" if child_id else "Undid the identification of the child",
    )
    return contact
