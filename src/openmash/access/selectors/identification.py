"""Identifying the child for a contact that arrived without one (ADR 0045): the hub team's narrow
search and the candidate it confirms.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from openmash.access.selectors.child import CHILD_RESOURCE, ChildNotFound, _parse_uuid
from openmash.accounts.actor import Actor
from openmash.accounts.models import Team, TeamKind
from openmash.accounts.roles import Role
from openmash.audit.models import Action, Outcome
from openmash.audit.services import AccessBasis, access_event_record
from openmash.people.models import Child

# --- Identifying the child for a contact that arrived without one (ADR 45) -------------------

IDENTIFY_ROLES: frozenset[str] = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER})
IDENTIFY_LIMIT = 20
IDENTIFY_AGE_TOLERANCE_YEARS = 1


class IdentificationRefused(Http404):
    """Someone other than the hub team's officers and managers asked to identify a child: the same
    404 as a contact that does not exist. The refusal is in the read log."""


@dataclass(frozen=True)
class IdentifyCriteria:
    """What the hub officer searches with. At least one must be given (no browsing everything)."""

    name: str = ""
    date_of_birth: date | None = None
    age: int | None = None
    postcode: str = ""
    nhs_number: str = ""
    pupil_number: str = ""

    def is_empty(self) -> bool:
        return not (
            self.name.strip()
            or self.date_of_birth
            or self.age is not None
            or self.postcode.strip()
            or self.nhs_number.strip()
            or self.pupil_number.strip()
        )

    def fingerprint(self) -> str:
        """The search, as one string, for the read log's hash (never stored in clear)."""
        return "|".join(
            [
                self.name.strip().lower(),
                self.date_of_birth.isoformat() if self.date_of_birth else "",
                "" if self.age is None else str(self.age),
                _postcode_key(self.postcode),
                self.nhs_number.replace(" ", ""),
                self.pupil_number.strip().upper(),
            ]
        )


@dataclass(frozen=True)
class IdentifyCandidate:
    """Only what tells one child from another: no case content, no address, no agencies."""

    child_id: uuid.UUID
    name: str
    date_of_birth: date | None
    postcode: str
    nhs_number_last4: str


@dataclass(frozen=True)
class IdentifyResult:
    candidates: list[IdentifyCandidate]
    more: bool  # more than IDENTIFY_LIMIT matched: the officer should narrow the search


def _postcode_key(value: str) -> str:
    return "".join(value.split()).upper()


def may_identify_child_for_contact(*, actor: Actor, hub_team_id: uuid.UUID | None) -> bool:
    """MASH officers and managers acting in the hub team that holds the contact, and nobody else
    (a partner agency's hub researchers are MASH officers too, in their own agency's team)."""
    return (
        actor.user_id is not None
        and actor.role in IDENTIFY_ROLES
        and actor.team_id is not None
        and hub_team_id is not None
        and actor.team_id == hub_team_id
        and Team.objects.filter(pk=hub_team_id, kind=TeamKind.MASH).exists()
    )


def _identify_filter(criteria: IdentifyCriteria, today: date) -> Q:
    condition = Q()
    for term in [term for term in criteria.name.split() if term][:5]:
        condition &= (
            Q(forename__icontains=term)
            | Q(middle_names__icontains=term)
            | Q(surname__icontains=term)
            | Q(preferred_name__icontains=term)
        )
    if criteria.date_of_birth is not None:
        condition &= Q(date_of_birth=criteria.date_of_birth)
    elif criteria.age is not None:
        # An approximate age: born so that they are within a year either side of it today.
        oldest = criteria.age + IDENTIFY_AGE_TOLERANCE_YEARS
        youngest = criteria.age - IDENTIFY_AGE_TOLERANCE_YEARS
        condition &= Q(date_of_birth__gt=_years_before(today, oldest + 1))
        condition &= Q(date_of_birth__lte=_years_before(today, max(youngest, 0)))
    postcode = _postcode_key(criteria.postcode)
    if postcode:
        condition &= Q(postcode__iexact=postcode) | Q(postcode__iexact=f"{postcode[:-3]} {postcode[-3:]}")
    nhs_number = criteria.nhs_number.replace(" ", "")
    if nhs_number:
        condition &= Q(nhs_number=nhs_number)
    if criteria.pupil_number.strip():
        condition &= Q(unique_pupil_number__iexact=criteria.pupil_number.strip())
    return condition


_CANDIDATE_FIELDS = ("pk", "forename", "middle_names", "surname", "date_of_birth", "postcode", "nhs_number")


def _candidate(row: tuple[Any, ...]) -> IdentifyCandidate:
    pk, forename, middle, surname, born, postcode, nhs = row
    return IdentifyCandidate(
        child_id=pk,
        name=" ".join(part for part in (forename, middle, surname) if part),
        date_of_birth=born,
        postcode=postcode,
        nhs_number_last4=nhs[-4:] if nhs else "",
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def children_for_contact_identification(
    *, actor: Actor, contact_reference: str, hub_team_id: uuid.UUID | None, criteria: IdentifyCriteria
) -> IdentifyResult:
    """Candidates for the child a contact is about, for the hub team that holds the contact.

    A narrow rule beside the relationships (ADR 45): it reaches children the hub has no
    relationship with, so it shows only identifying fields, needs at least one criterion, stops
    at ``IDENTIFY_LIMIT`` and writes one SEARCH event (the search hashed, the children shown
    named, the purpose naming the contact). Anyone else gets the 404 a missing contact gets,
    and the refusal is logged.
    """
    purpose = f"Identify the child for contact {contact_reference}"[:200]
    search_hash = hashlib.sha256(criteria.fingerprint().encode()).hexdigest()[:32]
    if not may_identify_child_for_contact(actor=actor, hub_team_id=hub_team_id):
        access_event_record(
            actor=actor,
            action=Action.SEARCH,
            resource_type=CHILD_RESOURCE,
            resource_id=search_hash,
            purpose=purpose,
            outcome=Outcome.DENIED,
        )
        raise IdentificationRefused("No such contact")
    if criteria.is_empty():
        raise ValidationError("Enter at least one detail to search with.")
    # A child merged into another record is that record now: offer the survivor only. The
    # merge table is matching's, read by name so access does not import matching (ADR 34).
    merges = apps.get_model("matching", "ChildMerge")
    merged_away = merges.objects.filter(merged_id=OuterRef("pk"), status="merged")
    found = list(
        Child.objects.filter(_identify_filter(criteria, timezone.localdate()))
        .exclude(Exists(merged_away))
        .order_by("surname", "forename", "date_of_birth", "id")
        .values_list(*_CANDIDATE_FIELDS)[: IDENTIFY_LIMIT + 1]
    )
    candidates = [_candidate(row) for row in found[:IDENTIFY_LIMIT]]
    access_event_record(
        actor=actor,
        action=Action.SEARCH,
        resource_type=CHILD_RESOURCE,
        child_ids=[candidate.child_id for candidate in candidates],
        resource_id=search_hash,
        purpose=purpose,
        outcome=Outcome.GRANTED,
    )
    return IdentifyResult(candidates=candidates, more=len(found) > IDENTIFY_LIMIT)


def child_for_contact_identification(
    *, actor: Actor, contact_reference: str, hub_team_id: uuid.UUID | None, child_id: uuid.UUID | str
) -> IdentifyCandidate:
    """One candidate's identifying fields, for the page that confirms "this is the child".

    The same rule as the search (the hub team's officers and managers) and the same fields;
    one VIEW event with the contact's purpose. Anyone else, or a child that does not exist,
    gets the same 404.
    """
    purpose = f"Identify the child for contact {contact_reference}"[:200]
    parsed = _parse_uuid(child_id)
    allowed = may_identify_child_for_contact(actor=actor, hub_team_id=hub_team_id)
    row = (
        Child.objects.filter(pk=parsed).values_list(*_CANDIDATE_FIELDS).first()
        if allowed and parsed is not None
        else None
    )
    if row is None:
        denial = ChildNotFound(actor=actor, child_id=parsed, purpose=purpose, action=Action.VIEW)
        denial.record()
        raise denial
    candidate = _candidate(row)
    access_event_record(
        actor=actor,
        action=Action.VIEW,
        resource_type=CHILD_RESOURCE,
        resource_id=str(candidate.child_id),
        child_id=candidate.child_id,
        purpose=purpose,
        outcome=Outcome.GRANTED,
        basis=AccessBasis(kind="contact_identification", id=contact_reference),
    )
    return candidate
