"""Shared pieces of the casework services: who is acting, active relationships, statutory
clock helpers, live plans.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership, Team, User
from openmash.accounts.roles import Role
from openmash.casework.models import (
    MissingEpisode,
    Placement,
    Plan,
    PlanStateValue,
)
from openmash.timescales.models import Clock
from openmash.timescales.services import clock_complete, clock_start

PROCESS = "casework.allocation"
ALLOCATION_BASES = (RelationshipBasis.ALLOCATED_WORKER, RelationshipBasis.SUPPORTING_WORKER)
REPEAT_MISSING_COUNT = 3
REPEAT_MISSING_WINDOW = timedelta(days=90)
MANAGER_ROLES = frozenset({Role.TEAM_MANAGER})


def _person(actor: Actor) -> tuple[uuid.UUID, uuid.UUID]:
    if actor.user_id is None or actor.agency_id is None:
        raise ValidationError("Only a person acting for an agency can record casework.")
    return actor.user_id, actor.agency_id


def _require_manager(actor: Actor) -> Team:
    if actor.role not in MANAGER_ROLES or actor.team_id is None:
        raise ValidationError("Only the team manager can do this.")
    return Team.objects.get(pk=actor.team_id)


def _now_active() -> Q:
    now = timezone.now()
    return Q(valid_from__lte=now) & (Q(valid_to__isnull=True) | Q(valid_to__gt=now))


def _team_holds(team: Team, child_id: uuid.UUID) -> bool:
    return Relationship.objects.filter(
        _now_active(), child_id=child_id, holder_team=team, basis=RelationshipBasis.TEAM
    ).exists()


# -- clocks -----------------------------------------------------------------------------------


def _running(child_id: uuid.UUID, rule_codes: tuple[str, ...], **extra: object) -> list[Clock]:
    return list(
        Clock.objects.select_for_update()
        .filter(
            child_id=child_id, rule_code__in=rule_codes, completed_at__isnull=True, cancelled_at__isnull=True
        )
        .filter(**extra)
        .order_by("due_at")
    )


def _complete(clocks: list[Clock], at: datetime, late_reason: str) -> list[Clock]:
    for clock in clocks:
        try:
            clock_complete(clock=clock, completed_at=max(at, clock.started_at), exception_reason=late_reason)
        except ValidationError as error:
            if "exception_reason" in getattr(error, "error_dict", {}):
                raise ValidationError(
                    {"late_reason": f"The {clock.rule_description} deadline has passed: say why."}
                ) from error
            raise
    return clocks


def _start(
    rule: str,
    *,
    child_id: uuid.UUID,
    subject: Plan | Placement | MissingEpisode,
    event: str,
    at: datetime,
    team_id: uuid.UUID | None,
) -> Clock:
    from openmash.people.models import Child

    return clock_start(
        rule_code=rule,
        child=Child.objects.get(pk=child_id),
        subject_type=f"casework.{type(subject).__name__}",
        subject_id=str(subject.pk),
        start_event=event,
        started_at=at,
        responsible_team=Team.objects.filter(pk=team_id).first() if team_id else None,
    )


def _at_nine(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=9))


# -- plans ------------------------------------------------------------------------------------


def plan_is_live(plan: Plan) -> bool:
    last = plan.states.order_by("-effective_at", "-created_at").first()
    return last is not None and last.state == PlanStateValue.ACTIVE


def live_plans(child_id: uuid.UUID) -> list[Plan]:
    return [plan for plan in Plan.objects.filter(child_id=child_id) if plan_is_live(plan)]


# -- visits -----------------------------------------------------------------------------------


def _alert_recipients(child_id: uuid.UUID) -> list[uuid.UUID]:
    now = timezone.now()
    active = Relationship.objects.filter(_now_active(), child_id=child_id)
    teams = active.filter(basis=RelationshipBasis.TEAM).values_list("holder_team_id", flat=True)
    managers = Membership.objects.filter(
        team_id__in=list(teams), role=Role.TEAM_MANAGER, started_at__lte=now
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
    workers = active.filter(basis=RelationshipBasis.ALLOCATED_WORKER).values_list("holder_user_id", flat=True)
    return [*managers.values_list("user_id", flat=True), *[w for w in workers if w]]


def member_users(team_id: uuid.UUID) -> list[User]:
    now = timezone.now()
    ids = (
        Membership.objects.filter(team_id=team_id, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .exclude(role=Role.TEAM_MANAGER)
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=list(ids)).order_by("full_name"))
