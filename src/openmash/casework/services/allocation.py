"""Allocation: key and supporting workers are access relationships (ADR 0050)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import ChildAccess
from openmash.access.services import relationship_end, relationship_start
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership
from openmash.accounts.roles import Role
from openmash.casework.services._common import (
    ALLOCATION_BASES,
    PROCESS,
    _now_active,
    _require_manager,
    _team_holds,
)
from openmash.notifications.services import notification_send

# -- allocation -------------------------------------------------------------------------------


@transaction.atomic
def allocation_start(*, actor: Actor, access: ChildAccess, worker_id: uuid.UUID, basis: str) -> Relationship:
    """A team manager makes a worker of their team the child's key worker or a supporting worker.

    A new key worker ends the previous key worker's allocation (and so their access).
    """
    team = _require_manager(actor)
    if basis not in ALLOCATION_BASES:
        raise ValidationError({"basis": "Choose key worker or supporting worker."})
    if not _team_holds(team, access.child.pk):
        raise ValidationError("Your team does not hold this child's case.")
    now = timezone.now()
    member = (
        Membership.objects.filter(team=team, user_id=worker_id, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .exclude(role=Role.TEAM_MANAGER)
        .select_related("user")
        .first()
    )
    if member is None:
        raise ValidationError({"worker": "Choose a worker in your team."})
    current = Relationship.objects.filter(
        _now_active(), child=access.child, basis__in=ALLOCATION_BASES, holder_user_id=worker_id
    )
    if current.filter(basis=basis).exists():
        raise ValidationError({"worker": f"{member.user.full_name} is already allocated in that role."})
    for rel in current:  # a supporting worker who becomes key worker (or the reverse) keeps one role
        relationship_end(relationship=rel, reason="Allocation changed", ended_at=now)
    if basis == RelationshipBasis.ALLOCATED_WORKER:
        for rel in Relationship.objects.filter(
            _now_active(), child=access.child, basis=RelationshipBasis.ALLOCATED_WORKER
        ):
            relationship_end(relationship=rel, reason="Reallocated to another key worker", ended_at=now)
    relationship = relationship_start(
        child=access.child,
        basis=basis,
        holder_user=member.user,
        created_by_process=PROCESS,
        valid_from=now,
        source_reference=f"allocated by {actor.username}",
    )
    notification_send(
        recipient_ids=[member.user.pk],
        kind="allocation",
        title="A child has been allocated to you"
        if basis == RelationshipBasis.ALLOCATED_WORKER
        else "You are a supporting worker for a child",
        link=reverse("casework:child", args=[access.child.pk]),
        source_reference=f"allocation:{relationship.pk}",
    )
    return relationship


@transaction.atomic
def allocation_end(
    *, actor: Actor, access: ChildAccess, relationship_id: uuid.UUID, reason: str
) -> Relationship:
    """End an allocation: the worker's access through it ends with it."""
    team = _require_manager(actor)
    if not _team_holds(team, access.child.pk):
        raise ValidationError("Your team does not hold this child's case.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the allocation is ending."})
    relationship = Relationship.objects.filter(
        _now_active(), pk=relationship_id, child=access.child, basis__in=ALLOCATION_BASES
    ).first()
    if relationship is None:
        raise ValidationError("That allocation is not active.")
    return relationship_end(relationship=relationship, reason=reason.strip())
