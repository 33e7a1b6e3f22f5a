"""The one way to read a child: check the relationship, write the AccessEvent, or answer 404.

Every page, API endpoint and export that shows a child's data goes through
`child_get_for_user` (one child) or `child_page_for_user` (a list or search).
Both fail closed: if the audit write fails, the read fails with it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.models import Team, TeamKind
from openmash.accounts.roles import CASE_ROLES, Role
from openmash.audit.models import AccessEvent, Action, Outcome
from openmash.audit.services import AccessBasis, access_event_record
from openmash.people.models import Child

from .models import BreakGlassGrant, Relationship, RelationshipBasis, SealOverride

CHILD_RESOURCE = "child"


class ChildNotFound(Http404):
    """Raised for a child that does not exist and for one the actor may not see, alike.

    The denial is written to the read log before raising. A web request's
    transaction is rolled back by the exception, so the 404 handler calls
    `after_rollback` to write the denial again outside it (once, never twice).
    """

    def __init__(self, *, actor: Actor, child_id: uuid.UUID | None, purpose: str, action: str) -> None:
        super().__init__("No child was found")
        self.actor = actor
        self.child_id = child_id
        self.purpose = purpose
        self.action = action
        self.event_id: int | None = None

    def record(self) -> None:
        event = access_event_record(
            actor=self.actor,
            action=self.action,
            resource_type=CHILD_RESOURCE,
            child_id=self.child_id,
            purpose=self.purpose,
            outcome=Outcome.DENIED,
        )
        self.event_id = event.pk

    def after_rollback(self) -> None:
        if self.event_id is None or not AccessEvent.objects.filter(pk=self.event_id).exists():
            self.record()


@dataclass(frozen=True)
class ChildAccess:
    """A child the actor may see, and why."""

    child: Child
    basis: AccessBasis
    relationship: Relationship | None = None
    grant: BreakGlassGrant | None = None

    @property
    def is_allocated_worker(self) -> bool:
        return self.relationship is not None and self.relationship.basis == RelationshipBasis.ALLOCATED_WORKER


def _active_at(now: datetime) -> Q:
    return Q(valid_from__lte=now) & (Q(valid_to__isnull=True) | Q(valid_to__gt=now))


def _holder_q(actor: Actor) -> Q:
    holder = Q(holder_user_id=actor.user_id)
    if actor.team_id is not None:
        holder |= Q(holder_team_id=actor.team_id)
    if actor.agency_id is not None:
        holder |= Q(holder_agency_id=actor.agency_id)
    return holder


def relationships_active_for(*, actor: Actor, now: datetime | None = None) -> QuerySet[Relationship]:
    """Relationships the actor holds now, in person, through their team or through their agency."""
    if actor.user_id is None or actor.role not in CASE_ROLES:
        return Relationship.objects.none()
    return Relationship.objects.filter(_active_at(now or timezone.now()) & _holder_q(actor))


def _grants_active_for(*, actor: Actor, now: datetime) -> QuerySet[BreakGlassGrant]:
    if actor.user_id is None or actor.agency_id is None or actor.role not in CASE_ROLES:
        return BreakGlassGrant.objects.none()
    return BreakGlassGrant.objects.filter(
        user_id=actor.user_id,
        agency_id=actor.agency_id,
        granted_at__lte=now,
        expires_at__gt=now,
        ended_at__isnull=True,
    )


_BASIS_PRECEDENCE: dict[str, int] = {
    RelationshipBasis.ALLOCATED_WORKER: 0,
    RelationshipBasis.SUPPORTING_WORKER: 1,
    RelationshipBasis.TEAM: 2,
}


def _best_relationship(actor: Actor, child_id: uuid.UUID, now: datetime) -> Relationship | None:
    found = list(relationships_active_for(actor=actor, now=now).filter(child_id=child_id))
    if not found:
        return None
    # A person's own relationship explains the access better than their team's or agency's.
    return min(
        found,
        key=lambda rel: (
            0 if rel.holder_user_id else 1 if rel.holder_team_id else 2,
            _BASIS_PRECEDENCE.get(rel.basis, 9),
        ),
    )


def _parse_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def child_get_for_user(
    *, actor: Actor, child_id: uuid.UUID | str, purpose: str, action: str = Action.VIEW
) -> ChildAccess:
    """Return the child if the actor may see it now, writing one AccessEvent either way."""
    parsed = _parse_uuid(child_id)
    now = timezone.now()
    denial = ChildNotFound(actor=actor, child_id=parsed, purpose=purpose, action=action)
    if parsed is None:
        denial.record()
        raise denial
    relationship = _best_relationship(actor, parsed, now)
    grant = None
    if relationship is None:
        grant = (
            _grants_active_for(actor=actor, now=now).filter(child_id=parsed).order_by("-expires_at").first()
        )
    child = Child.objects.filter(pk=parsed).first() if (relationship or grant) else None
    if child is None:
        denial.record()
        raise denial
    if relationship is not None:
        basis = AccessBasis(kind=f"relationship:{relationship.basis}", id=str(relationship.pk))
    else:
        assert grant is not None
        basis = AccessBasis(kind="break_glass", id=str(grant.pk))
    access_event_record(
        actor=actor,
        action=action,
        resource_type=CHILD_RESOURCE,
        resource_id=str(child.pk),
        child_id=child.pk,
        purpose=purpose,
        outcome=Outcome.GRANTED,
        basis=basis,
    )
    return ChildAccess(child=child, basis=basis, relationship=relationship, grant=grant)


def children_visible_to(*, actor: Actor, include_break_glass: bool = True) -> QuerySet[Child]:
    """Every child the actor may see now, filtered in SQL (unrelated names never leave the database)."""
    now = timezone.now()
    visible = Q(Exists(relationships_active_for(actor=actor, now=now).filter(child_id=OuterRef("pk"))))
    if include_break_glass:
        visible |= Q(Exists(_grants_active_for(actor=actor, now=now).filter(child_id=OuterRef("pk"))))
    if actor.user_id is None or actor.role not in CASE_ROLES:
        return Child.objects.none()
    return Child.objects.filter(visible)


def _search_filter(query: str) -> Q:
    terms = [term for term in query.split() if term][:5]
    condition = Q()
    for term in terms:
        condition &= (
            Q(forename__icontains=term)
            | Q(surname__icontains=term)
            | Q(preferred_name__icontains=term)
            | Q(nhs_number=term)
            | Q(unique_pupil_number__iexact=term)
            | Q(postcode__iexact=term)
        )
    return condition


def child_page_for_user(
    *,
    actor: Actor,
    purpose: str,
    page_number: Any = 1,
    per_page: int = 25,
    query: str = "",
    mine_only: bool = False,
) -> Page[Child]:
    """A page of the children the actor may see (optionally matching `query`), logged as one event.

    `mine_only` keeps only children with a relationship (not break-glass): "my children".
    """
    children = children_visible_to(actor=actor, include_break_glass=not mine_only)
    if query:
        children = children.filter(_search_filter(query))
    paginator = Paginator(children.order_by("surname", "forename", "id"), per_page)
    page = paginator.get_page(page_number)
    shown = [child.pk for child in page.object_list]
    access_event_record(
        actor=actor,
        action=Action.SEARCH if query else Action.LIST,
        resource_type=CHILD_RESOURCE,
        child_ids=shown,
        # A search term can itself identify a child: only its hash is kept (ASVS 16.2.5).
        resource_id=hashlib.sha256(query.encode()).hexdigest()[:32] if query else "",
        purpose=purpose,
        outcome=Outcome.GRANTED,
    )
    return page


def may_see_who_viewed(*, access: ChildAccess, actor: Actor) -> bool:
    """The allocated worker (and their team manager) see who has viewed the record."""
    if access.is_allocated_worker:
        return True
    rel = access.relationship
    return bool(rel is not None and rel.basis == RelationshipBasis.TEAM and actor.role == Role.TEAM_MANAGER)


@dataclass(frozen=True)
class Viewer:
    occurred_at: datetime
    username: str
    agency_id: uuid.UUID | None
    role: str
    action: str
    basis_type: str
    outcome: str


def child_viewers_for_user(
    *, actor: Actor, child_id: uuid.UUID | str, limit: int = 200
) -> tuple[ChildAccess, list[Viewer]]:
    """Who has viewed this child's record: for the allocated worker. Viewing it is itself logged."""
    access = child_get_for_user(
        actor=actor, child_id=child_id, purpose="Review who has viewed this record", action=Action.VIEW_AUDIT
    )
    if not may_see_who_viewed(access=access, actor=actor):
        # Their read of the child was granted and logged; the viewers list is not theirs to see.
        raise ChildNotFound(
            actor=actor,
            child_id=access.child.pk,
            purpose="who viewed (not allocated)",
            action=Action.VIEW_AUDIT,
        )
    child_key = str(access.child.pk)
    events = (
        AccessEvent.objects.filter(Q(child_id=access.child.pk) | Q(child_ids__contains=[child_key]))
        .exclude(action=Action.VIEW_AUDIT)
        .order_by("-occurred_at")[:limit]
    )
    viewers = [
        Viewer(
            occurred_at=event.occurred_at,
            username=event.actor_username,
            agency_id=event.actor_agency_id,
            role=event.actor_role,
            action=event.action,
            basis_type=event.basis_type,
            outcome=event.outcome,
        )
        for event in events
    ]
    return access, viewers


def child_id_for_break_glass(*, identifier: str) -> uuid.UUID | None:
    """Find a child by an exact national identifier, for emergency access only. Returns the id, no data."""
    match = Child.objects.filter(Q(nhs_number=identifier) | Q(unique_pupil_number=identifier)).values_list(
        "pk", flat=True
    )[:2]
    found = list(match)
    return found[0] if len(found) == 1 else None


def children_get_for_user(
    *, actor: Actor, child_ids: list[uuid.UUID], purpose: str
) -> dict[uuid.UUID, Child]:
    """The children among `child_ids` the actor may see now, logged as one list event.

    For queues and dashboards that show a child's name beside other work (due dates,
    contacts): ids the actor may not see are simply left out, never named.
    """
    wanted = set(child_ids)
    children = (
        {child.pk: child for child in children_visible_to(actor=actor).filter(pk__in=wanted)}
        if wanted
        else {}
    )
    access_event_record(
        actor=actor,
        action=Action.LIST,
        resource_type=CHILD_RESOURCE,
        child_ids=list(children),
        purpose=purpose,
        outcome=Outcome.GRANTED,
    )
    return children


# --- Sealed items (ADR 25) -----------------------------------------------------------------------

# The hub sees every sealed item of the contacts it works.
SEAL_HUB_ROLES: frozenset[str] = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER})


@dataclass(frozen=True)
class SealedItem:
    """Something only the hub and one agency may see (the referrer's identity first).

    ``item_type``/``item_id`` name it in the read log and on overrides; ``owner_agency_id``
    is the agency it belongs to (a referrer's own agency); ``child_id`` the child it is about.
    """

    item_type: str
    item_id: str
    owner_agency_id: uuid.UUID | None
    child_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SealedAccess:
    shown: bool
    why: str  # "hub", "own_agency", "override", or "" when not shown
    override: SealOverride | None = None
    may_override: bool = False


def may_override_seal(actor: Actor) -> bool:
    """A person working with children for an agency may ask to open a sealed item (never a process,
    an administrator, a board member or a privacy officer)."""
    return actor.user_id is not None and actor.agency_id is not None and actor.role in CASE_ROLES


def seal_allows_without_override(actor: Actor, item: SealedItem) -> str:
    """ "hub" or "own_agency" if the actor sees the item without an override, else ""."""
    if actor.user_id is not None and actor.role in SEAL_HUB_ROLES:
        return "hub"
    if (
        actor.agency_id is not None
        and item.owner_agency_id is not None
        and actor.agency_id == item.owner_agency_id
    ):
        return "own_agency"
    return ""


def seal_override_active(
    *, actor: Actor, item: SealedItem, at: datetime | None = None
) -> SealOverride | None:
    if actor.user_id is None:
        return None
    now = at or timezone.now()
    return (
        SealOverride.objects.filter(
            user_id=actor.user_id, item_type=item.item_type, item_id=item.item_id, expires_at__gt=now,
            opened_at__lte=now,
        )
        .order_by("-opened_at")
        .first()
    )  # fmt: skip


def sealed_item_access(*, actor: Actor, item: SealedItem, purpose: str) -> SealedAccess:
    """Whether the actor may see a sealed item now, and why. The one place that decides it.

    The hub and the owning agency see it. Anyone else sees it only during an override they
    opened with a written reason (``access.services.seal_override_open``); each sight of it
    then is written to the read log, naming the override.
    """
    allowed = seal_allows_without_override(actor, item)
    if allowed:
        return SealedAccess(shown=True, why=allowed)
    override = seal_override_active(actor=actor, item=item)
    if override is None:
        return SealedAccess(shown=False, why="", may_override=may_override_seal(actor))
    access_event_record(
        actor=actor,
        action=Action.VIEW,
        resource_type=item.item_type,
        resource_id=item.item_id,
        child_id=item.child_id,
        purpose=f"{purpose} (sealed item, opened by override)"[:200],
        outcome=Outcome.GRANTED,
        basis=AccessBasis(kind="seal_override", id=str(override.pk)),
    )
    return SealedAccess(shown=True, why="override", override=override)


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
