from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from openmash.access.selectors import children_get_for_user
from openmash.accounts.actor import Actor
from openmash.timescales.calendar import ENGLAND
from openmash.timescales.models import Clock
from openmash.timescales.rules import rule_for

DUE_SOON_WORKING_DAYS = 2


def clocks_running_for_team(*, team_id: uuid.UUID) -> QuerySet[Clock]:
    return Clock.objects.filter(
        responsible_team_id=team_id, completed_at__isnull=True, cancelled_at__isnull=True
    )


@dataclass(frozen=True)
class DueItem:
    clock: Clock
    label: str
    child_name: str | None  # None: a child this viewer may not see (never named), or no child yet
    matched: bool  # False: the subject has no matched child yet (a contact about an unknown child)
    state: str  # overdue, due_soon, later
    working_days_overdue: int


def clock_state(clock: Clock, now: datetime) -> str:
    if clock.due_at < now:
        return "overdue"
    soon = ENGLAND.add_working_days(timezone.localdate(now), DUE_SOON_WORKING_DAYS)
    return "due_soon" if timezone.localdate(clock.due_at) <= soon else "later"


def team_due_list(*, actor: Actor, now: datetime | None = None) -> list[DueItem]:
    """What the actor's team has due and overdue, most urgent first; names only where visible."""
    if actor.team_id is None:
        return []
    now = now or timezone.now()
    clocks = list(clocks_running_for_team(team_id=actor.team_id).order_by("due_at")[:500])
    children = children_get_for_user(
        actor=actor,
        child_ids=[clock.child_id for clock in clocks if clock.child_id is not None],
        purpose="Team timescales: due and overdue",
    )
    items = []
    for clock in clocks:
        child = children.get(clock.child_id) if clock.child_id is not None else None
        items.append(
            DueItem(
                clock=clock,
                label=rule_for(clock.rule_code).label,
                child_name=child.full_name if child else None,
                matched=clock.child_id is not None,
                state=clock_state(clock, now),
                working_days_overdue=ENGLAND.working_days_overdue(
                    timezone.localdate(clock.due_at), timezone.localdate(now)
                ),
            )
        )
    return items
