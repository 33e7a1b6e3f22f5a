"""The one way to read a child: check the relationship, write the AccessEvent, or answer 404. Both
child_get_for_user (one child) and child_page_for_user (a list or search) fail closed: if the
audit write fails, the read fails with it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openmash.access.models import BreakGlassGrant, Relationship, RelationshipBasis
from openmash.accounts.actor import Actor
from openmash.accounts.roles import CASE_ROLES, Role
from openmash.audit.models import AccessEvent, Action, Outcome
from openmash.audit.services import AccessBasis, access_event_record
from openmash.people.models import Child

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
