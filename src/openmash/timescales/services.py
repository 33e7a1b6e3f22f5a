"""Starting, meeting, cancelling and escalating clocks. Every app's deadlines go through here."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from openmash.accounts.models import Membership, Team, TeamKind, User
from openmash.accounts.roles import Role
from openmash.notifications.services import notification_send
from openmash.people.models import Child
from openmash.timescales.calendar import ENGLAND
from openmash.timescales.models import Clock
from openmash.timescales.rules import due_at, end_of_day, rule_for


@transaction.atomic
def clock_start(
    *,
    rule_code: str,
    child: Child,
    subject_type: str,
    subject_id: str,
    start_event: str,
    started_at: datetime,
    responsible_team: Team | None = None,
    responsible_user: User | None = None,
    due_on: date | None = None,
    due_basis: str = "",
) -> Clock:
    """Start a clock, or return the one already running for this subject and rule (idempotent).

    Most clocks compute their due time from the rule. A few have a due date set by something
    else (an exploitation tool's review interval for the band): pass `due_on` and say what set
    it in `due_basis`; the clock then runs to the end of that day.
    """
    running = Clock.objects.filter(
        rule_code=rule_code,
        subject_type=subject_type,
        subject_id=subject_id,
        completed_at__isnull=True,
        cancelled_at__isnull=True,
    ).first()
    if running is not None:
        return running
    rule = rule_for(rule_code, on=timezone.localdate(started_at))
    if due_on is not None and not due_basis:
        raise ValueError("a due date set from outside the rule needs a due_basis")
    clock = Clock(
        rule_code=rule_code,
        child=child,
        subject_type=subject_type,
        subject_id=subject_id,
        start_event=start_event,
        started_at=started_at,
        due_at=end_of_day(due_on) if due_on is not None else due_at(rule, started_at, ENGLAND),
        calendar_version=ENGLAND.version,
        rule_description=due_basis[:60] if due_on is not None else rule.describe(),
        responsible_team=responsible_team,
        responsible_user=responsible_user,
    )
    clock.full_clean()
    clock.save()
    return clock


@transaction.atomic
def clocks_start_many(
    *,
    rule_code: str,
    started_at: datetime,
    start_event: str,
    subject_type: str,
    items: list[tuple[uuid.UUID, str]],
    responsible_team: Team | None = None,
) -> list[Clock]:
    """The bulk form of ``clock_start`` for many subjects starting together (a feed chunk's contacts).

    ``items`` are (child_id, subject_id) pairs. Subjects already running this rule are skipped.
    """
    if not items:
        return []
    running = set(
        Clock.objects.filter(
            rule_code=rule_code,
            subject_type=subject_type,
            subject_id__in=[subject_id for _, subject_id in items],
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        ).values_list("subject_id", flat=True)
    )
    rule = rule_for(rule_code, on=timezone.localdate(started_at))
    due = due_at(rule, started_at, ENGLAND)
    clocks = [
        Clock(
            rule_code=rule_code,
            child_id=child_id,
            subject_type=subject_type,
            subject_id=subject_id,
            start_event=start_event,
            started_at=started_at,
            due_at=due,
            calendar_version=ENGLAND.version,
            rule_description=rule.describe(),
            responsible_team=responsible_team,
        )
        for child_id, subject_id in dict.fromkeys(items)
        if subject_id not in running
    ]
    return Clock.objects.bulk_create(clocks)


@transaction.atomic
def clock_complete(*, clock: Clock, completed_at: datetime, exception_reason: str = "") -> Clock:
    """Record that the deadline's work was done. Late without a reason is refused."""
    if not clock.is_running:
        raise ValidationError("This clock has already stopped.")
    if completed_at < clock.started_at:
        raise ValidationError({"completed_at": "The work cannot be done before the clock started."})
    exception_reason = exception_reason.strip()
    if completed_at > clock.due_at and not exception_reason:
        raise ValidationError({"exception_reason": "Say why the deadline was missed."})
    clock.completed_at = completed_at
    clock.exception_reason = exception_reason
    clock.save(update_fields=["completed_at", "exception_reason", "updated_at"])
    return clock


@transaction.atomic
def clock_cancel(*, clock: Clock, reason: str) -> Clock:
    if not clock.is_running:
        raise ValidationError("This clock has already stopped.")
    if not reason.strip():
        raise ValidationError({"cancel_reason": "Say why the clock no longer applies."})
    clock.cancelled_at = timezone.now()
    clock.cancel_reason = reason.strip()[:300]
    clock.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
    return clock


def _managers_of(team: Team | None) -> list[uuid.UUID]:
    if team is None:
        return []
    manager_role = Role.MASH_MANAGER if team.kind == TeamKind.MASH else Role.TEAM_MANAGER
    now = timezone.now()
    return list(
        Membership.objects.filter(team=team, role=manager_role, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .values_list("user_id", flat=True)
    )


@transaction.atomic
def clocks_escalate(*, now: datetime | None = None, repeat_after: timedelta = timedelta(hours=20)) -> int:
    """Notify the responsible manager of every overdue clock (again if still overdue a day later).

    Run daily by `openmash timescales escalate`. Returns how many clocks were escalated.
    """
    now = now or timezone.now()
    overdue = (
        # Lock only the clock rows: two escalation runs at once never notify twice.
        Clock.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(completed_at__isnull=True, cancelled_at__isnull=True, due_at__lt=now)
        .filter(Q(escalated_at__isnull=True) | Q(escalated_at__lt=now - repeat_after))
        .select_related("responsible_team")
    )
    escalated = 0
    for clock in overdue:
        recipients = _managers_of(clock.responsible_team)
        if clock.responsible_user_id:
            recipients.append(clock.responsible_user_id)
        days = ENGLAND.working_days_overdue(timezone.localdate(clock.due_at), timezone.localdate(now))
        rule = rule_for(clock.rule_code)
        notification_send(
            recipient_ids=recipients,
            kind="overdue",
            # No name in the title: it may reach an e-mail digest; the link goes through access.
            title=f"Overdue: {rule.label} ({days} working days late)"
            if days
            else f"Overdue today: {rule.label}",
            link=reverse("timescales:due"),
            source_reference=f"clock:{clock.pk}:{timezone.localdate(now).isoformat()}",
        )
        clock.escalated_at = now
        clock.save(update_fields=["escalated_at", "updated_at"])
        escalated += 1
    return escalated
