"""Visits: the child seen (alone), their words, and the statutory visit clocks they meet."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from openmash.access.selectors import ChildAccess
from openmash.accounts.actor import Actor
from openmash.casework.models import (
    Placement,
    Plan,
    PlanKind,
    Visit,
)
from openmash.casework.services._common import (
    _alert_recipients,
    _complete,
    _person,
    _running,
    _start,
    live_plans,
)
from openmash.casework.services.placements import _next_cla_rule
from openmash.casework.visit_regimes import (
    CLA_VISIT_RULES,
    VISIT_RULES,
)
from openmash.notifications.services import notification_send


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    access: ChildAccess,
    visited_at: datetime,
    child_seen: bool,
    seen_alone: bool,
    location: str,
    child_words: str = "",
    observations: str = "",
    not_seen_alone_reason: str = "",
    bedroom_seen: bool | None = None,
    statutory: bool = True,
    late_reason: str = "",
) -> Visit:
    """Record a visit; a statutory visit where the child was seen meets the running visit clock
    and starts the next. Two visits in a row without seeing a child on a plan alone alert the
    team manager and the key worker."""
    user_id, agency_id = _person(actor)
    child_id = access.child.pk
    errors: dict[str, str] = {}
    if visited_at > timezone.now():
        errors["visited_at"] = "A visit cannot be in the future."
    if not location.strip():
        errors["location"] = "Say where the child was seen (or where the visit was)."
    if seen_alone and not child_seen:
        errors["seen_alone"] = "A child who was not seen cannot have been seen alone."
    if not seen_alone and not not_seen_alone_reason.strip():
        errors["not_seen_alone_reason"] = "Say why the child was not seen alone."
    if errors:
        raise ValidationError(errors)
    plans = live_plans(child_id)
    plan = next((p for p in plans if p.kind in (PlanKind.CHILD_PROTECTION, PlanKind.LOOKED_AFTER)), None) or (
        plans[0] if plans else None
    )
    visit = Visit(
        child_id=child_id,
        plan=plan,
        visited_at=visited_at,
        visitor_id=user_id,
        agency_id=agency_id,
        statutory=statutory,
        child_seen=child_seen,
        seen_alone=seen_alone,
        not_seen_alone_reason=not_seen_alone_reason.strip(),
        bedroom_seen=bedroom_seen,
        location=location.strip(),
        child_words=child_words,
        observations=observations.strip(),
    )
    visit.full_clean()
    visit.save()
    if statutory and child_seen:
        met = _complete(_running(child_id, VISIT_RULES, started_at__lte=visited_at), visited_at, late_reason)
        for clock in met:
            if clock.rule_code in CLA_VISIT_RULES:
                placement = Placement.objects.select_related("plan").get(pk=clock.subject_id)
                _start(
                    _next_cla_rule(placement.plan, placement, visited_at),
                    child_id=child_id,
                    subject=placement,
                    event="Statutory visit",
                    at=visited_at,
                    team_id=clock.responsible_team_id,
                )
            else:  # the plan's own visit (or personal adviser contact) cadence
                _start(
                    clock.rule_code,
                    child_id=child_id,
                    subject=Plan.objects.get(pk=clock.subject_id),
                    event="Visit",
                    at=visited_at,
                    team_id=clock.responsible_team_id,
                )
    if plans and not seen_alone:
        last_two = list(Visit.objects.filter(child_id=child_id).order_by("-visited_at", "-created_at")[:2])
        if len(last_two) == 2 and not any(v.seen_alone for v in last_two):
            notification_send(
                recipient_ids=_alert_recipients(child_id),
                kind="not_seen_alone",
                # No name in the title: the link goes through the access choke point.
                title="A child on a plan has not been seen alone at the last two visits",
                link=reverse("casework:child", args=[child_id]),
                source_reference=f"not_seen_alone:{visit.pk}",
            )
    return visit
