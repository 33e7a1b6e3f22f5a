"""Professional concerns: drafts saved page by page and the submitted concern."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency
from openmash.intake.models import (
    Concern,
    ConcernDraft,
    Contact,
    ContactSource,
    Referrer,
)
from openmash.intake.services._common import _concern_submitted_hooks
from openmash.intake.services.contacts import contact_open
from openmash.people.models import Child

# --- Professional concerns ------------------------------------------------------------------


@transaction.atomic
def concern_draft_start(*, actor: Actor) -> ConcernDraft:
    if actor.user_id is None or actor.agency_id is None:
        raise ValidationError("Choose the role you are acting in before reporting a concern.")
    return ConcernDraft.objects.create(owner_id=actor.user_id, agency_id=actor.agency_id, answers={})


@transaction.atomic
def concern_draft_save(
    *, actor: Actor, draft: ConcernDraft, step: str, answers: dict[str, Any]
) -> ConcernDraft:
    """Keep one step's answers (already validated by its form). Nothing typed is ever lost."""
    if draft.owner_id != actor.user_id:
        raise ValidationError("This is not your draft.")
    if draft.submitted_contact_id is not None:
        raise ValidationError("This concern has already been sent.")
    draft.answers = {**draft.answers, step: answers}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


@dataclass(frozen=True)
class ConcernAnswers:
    """Everything a concern needs, validated; built from a draft's answers by the forms layer."""

    child_id: uuid.UUID | None
    child: dict[str, Any]
    what_happened: str
    happened_on: date | None
    happened_when_text: str
    where: str
    what_seen_or_told: str
    child_words: str
    indicator_codes: list[str]
    adults: list[str]
    places: list[str]
    vehicles: list[str]
    phones: list[str]
    urgency: str
    family_knows: str
    family_not_told_reason: str
    sharing_basis: str
    referrer: dict[str, Any]


def _concern_summary(answers: ConcernAnswers) -> str:
    text = " ".join(answers.what_happened.split())
    return text if len(text) <= 140 else text[:137] + "..."


@transaction.atomic
def concern_submit(
    *, actor: Actor, draft: ConcernDraft, answers: ConcernAnswers, chosen_child: Child | None = None
) -> Contact:
    """Send a professional's concern to the hub: a contact, the concern, and its (sealable) referrer.

    ``chosen_child`` is a child the reporter already works with, read through the access
    choke point by the caller. A described child is matched by the hub (exact NHS number
    or pupil number now; the matching capability later), never by the reporter.
    """
    from openmash.intake.linking import IncomingIdentity, identities_link

    draft = ConcernDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.owner_id != actor.user_id:
        raise ValidationError("This is not your draft.")
    if draft.submitted_contact_id is not None:
        return Contact.objects.get(pk=draft.submitted_contact_id)
    agency = Agency.objects.get(pk=draft.agency_id)
    now = timezone.now()
    reference_hint = f"concern-{draft.pk}"
    child_id: uuid.UUID | None = None
    identity_id: uuid.UUID | None = None
    if chosen_child is not None:
        child_id = chosen_child.pk
    else:
        described = answers.child
        link = identities_link(
            agency=agency,
            incoming=[
                IncomingIdentity(
                    agency_record_id=reference_hint,
                    forename=described.get("forename") or "Not known",
                    surname=described.get("surname") or "Not known",
                    date_of_birth=described.get("date_of_birth"),
                    nhs_number=described.get("nhs_number") or "",
                    unique_pupil_number=described.get("upn") or "",
                    address=described.get("address") or "",
                    postcode=described.get("postcode") or "",
                    recorded_on=timezone.localdate(),
                )
            ],
            process="concern",
        )[reference_hint]
        child_id, identity_id = link.child_id, link.identity_id
    contact = contact_open(
        actor=actor,
        source=ContactSource.PROFESSIONAL,
        summary=_concern_summary(answers),
        received_at=now,
        child_id=child_id,
        identity_id=identity_id,
        urgency=answers.urgency,
        source_agency_id=agency.pk,
    )
    child = answers.child
    concern = Concern(
        contact=contact,
        chosen_child=chosen_child is not None,
        child_forename=(chosen_child.forename if chosen_child else child.get("forename")) or "",
        child_surname=(chosen_child.surname if chosen_child else child.get("surname")) or "",
        child_known_as=child.get("known_as") or "",
        child_date_of_birth=chosen_child.date_of_birth if chosen_child else child.get("date_of_birth"),
        child_age_text=child.get("age") or "",
        child_nhs_number=(chosen_child.nhs_number if chosen_child else child.get("nhs_number")) or "",
        child_upn=(chosen_child.unique_pupil_number if chosen_child else child.get("upn")) or "",
        child_address=child.get("address") or "",
        child_postcode=child.get("postcode") or "",
        child_school_or_setting=child.get("school") or "",
        what_happened=answers.what_happened,
        happened_on=answers.happened_on,
        happened_when_text=answers.happened_when_text,
        where=answers.where,
        what_seen_or_told=answers.what_seen_or_told,
        child_words=answers.child_words,
        indicator_codes=answers.indicator_codes,
        adults=answers.adults,
        places=answers.places,
        vehicles=answers.vehicles,
        phones=answers.phones,
        family_knows=answers.family_knows,
        family_not_told_reason=answers.family_not_told_reason,
        sharing_basis=answers.sharing_basis,
    )
    concern.full_clean(exclude=["contact"])
    concern.save()
    referrer = Referrer(contact=contact, **answers.referrer)
    referrer.full_clean(exclude=["contact"])
    referrer.save()
    for hook in _concern_submitted_hooks:
        hook(concern)
    draft.submitted_contact = contact
    draft.save(update_fields=["submitted_contact", "updated_at"])
    return contact
