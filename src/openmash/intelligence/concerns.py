"""A practitioner's concern that names an adult, a car, a place or a phone adds them to the picture,
unconfirmed, linked to the child, for an analyst to confirm or reject (issue 13, part 2).

Registered with intake in ``apps.ready``; runs inside the concern's own transaction as a named
system process (the practitioner has no intelligence permission and never sees the picture).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.intake.models import Concern

from .identifiers import IdentifierProblem, phone_normalise, registration_normalise
from .models import Entity
from .services import UNGRADED_CONCERN, Provenance, entity_record, link_record

# What each kind of named thing is to the child: (entity kind, link kind, child is the source?).
NAMED = {
    "adults": ("adult", "seen_with", False),
    "places": ("place", "present_at", True),
    "vehicles": ("vehicle", "transported_in", True),
    "phones": ("phone", "contacted_by", True),
}


def _attributes(kind: str, text: str) -> dict[str, Any]:
    if kind == "vehicle":
        try:
            return {"registration": registration_normalise(text)}
        except IdentifierProblem:
            return {"description": text}
    if kind == "phone":
        return {"number": phone_normalise(text)}
    if kind == "place":
        return {"place_kind": "other", "address": text}
    return {}


def concern_entities_add(concern: Concern) -> list[Entity]:
    """Add what the concern names, unconfirmed; link each to the child if the child is known."""
    contact = concern.contact
    actor = Actor.system(f"concern:{contact.reference}"[:60])
    provenance = Provenance(agency_id=contact.source_agency_id, record=f"Concern {contact.reference}")
    child_entity = None
    if contact.child_id is not None:
        child_entity = entity_record(
            actor=actor,
            kind="child",
            label="",
            grading=UNGRADED_CONCERN,
            child_id=contact.child_id,
            provenance=provenance,
            process="concern",
        )
    added: list[Entity] = []
    day = concern.happened_on or timezone.localdate()
    for field, (kind, link_kind, child_first) in NAMED.items():
        for text in getattr(concern, field) or []:
            text = str(text).strip()[:200]
            if not text:
                continue
            try:
                entity = entity_record(
                    actor=actor,
                    kind=kind,
                    label=text,
                    grading=UNGRADED_CONCERN,
                    attributes=_attributes(kind, text),
                    provenance=provenance,
                    reason="Named in a practitioner's concern",
                    process="concern",
                )
            except (ValidationError, IdentifierProblem):
                continue  # a phone number that is not one: the concern keeps the words; the picture does not
            added.append(entity)
            if child_entity is not None:
                source, target = (child_entity, entity) if child_first else (entity, child_entity)
                link_record(
                    actor=actor,
                    kind=link_kind,
                    source=source,
                    target=target,
                    valid_from=min(day, timezone.localdate()),
                    grading=UNGRADED_CONCERN,
                    provenance=provenance,
                    reason="Named in a practitioner's concern",
                )
    return added


def concern_submitted(concern: Concern) -> None:
    concern_entities_add(concern)
