"""Plans: start and end, SMART actions, the personal adviser and pathway entries."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.access.selectors import ChildAccess
from openmash.accounts.actor import Actor
from openmash.accounts.models import User
from openmash.casework.models import (
    ActionStatusValue,
    AdviserChange,
    Meeting,
    PathwayEntry,
    Plan,
    PlanAction,
    PlanActionStatus,
    PlanKind,
    PlanState,
    PlanStateValue,
)
from openmash.casework.selectors import action_current
from openmash.casework.services._common import _at_nine, _person, _start, live_plans, plan_is_live
from openmash.casework.services.placements import PlacementData, legal_status_record, placement_record
from openmash.casework.visit_regimes import (
    PLAN_VISIT_RULES,
)
from openmash.timescales.models import Clock
from openmash.timescales.services import clock_cancel


@transaction.atomic
def plan_start(
    *,
    actor: Actor,
    access: ChildAccess,
    kind: str,
    started_on: date,
    cp_category: str = "",
    exploitation_type: str = "",
    summary: str = "",
    child_views: str = "",
    personal_adviser_id: uuid.UUID | None = None,
    legal_status: str = "",
    placement: PlacementData | None = None,
    source_meeting: Meeting | None = None,
) -> Plan:
    user_id, agency_id = _person(actor)
    child_id = access.child.pk
    if kind not in PlanKind.values:
        raise ValidationError({"kind": "Choose a kind of plan."})
    if any(plan.kind == kind for plan in live_plans(child_id)):
        raise ValidationError({"kind": "The child already has a live plan of this kind."})
    if kind == PlanKind.CHILD_PROTECTION and not cp_category:
        raise ValidationError({"cp_category": "Choose the category of abuse or neglect from the conference."})
    if kind == PlanKind.EXPLOITATION and not exploitation_type:
        raise ValidationError({"exploitation_type": "Choose the kind of exploitation."})
    if kind == PlanKind.LOOKED_AFTER and (not legal_status or placement is None):
        raise ValidationError("A looked-after care plan needs the legal status and the first placement.")
    if kind == PlanKind.PATHWAY and personal_adviser_id is None:
        raise ValidationError({"personal_adviser": "Name the young person's personal adviser."})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "A plan cannot start in the future."})
    plan = Plan(
        child_id=child_id,
        kind=kind,
        started_on=started_on,
        cp_category=cp_category if kind == PlanKind.CHILD_PROTECTION else "",
        exploitation_type=exploitation_type if kind == PlanKind.EXPLOITATION else "",
        summary=summary.strip(),
        child_views=child_views.strip(),
        personal_adviser_id=personal_adviser_id,
        team_id=actor.team_id,
        agency_id=agency_id,
        recorded_by_id=user_id,
        source_meeting=source_meeting,
    )
    plan.full_clean()
    plan.save()
    start_at = source_meeting.held_at if source_meeting else _at_nine(started_on)
    PlanState.objects.create(
        plan=plan, state=PlanStateValue.ACTIVE, effective_at=start_at, recorded_by_id=user_id
    )
    team = actor.team_id
    if kind in PLAN_VISIT_RULES:  # CP, child in need, exploitation: visits; pathway: adviser contact
        _start(
            PLAN_VISIT_RULES[kind],
            child_id=child_id,
            subject=plan,
            event=f"{PlanKind(kind).label} started",
            at=start_at,
            team_id=team,
        )
    if kind == PlanKind.CHILD_PROTECTION:
        event = "Initial child protection conference"
        _start("core_group_first", child_id=child_id, subject=plan, event=event, at=start_at, team_id=team)
        _start("cp_review_first", child_id=child_id, subject=plan, event=event, at=start_at, team_id=team)
    elif kind == PlanKind.LOOKED_AFTER:
        _start(
            "cla_review_first",
            child_id=child_id,
            subject=plan,
            event="Started to be looked after",
            at=start_at,
            team_id=team,
        )
        legal_status_record(actor=actor, access=access, plan=plan, code=legal_status, effective_on=started_on)
        assert placement is not None
        placement_record(actor=actor, access=access, plan=plan, data=placement)
    elif kind == PlanKind.PATHWAY:
        _start(
            "pathway_review",
            child_id=child_id,
            subject=plan,
            event="Pathway plan agreed",
            at=start_at,
            team_id=team,
        )
    return plan


@transaction.atomic
def plan_end(
    *, actor: Actor, access: ChildAccess, plan: Plan, reason: str, ended_at: datetime | None = None
) -> PlanState:
    user_id, _ = _person(actor)
    if plan.child_id != access.child.pk or not plan_is_live(plan):
        raise ValidationError("That plan is not live.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the plan is ending."})
    state = PlanState.objects.create(
        plan=plan,
        state=PlanStateValue.ENDED,
        effective_at=ended_at or timezone.now(),
        recorded_by_id=user_id,
        reason=reason.strip()[:300],
    )
    subjects = [str(plan.pk), *(str(p) for p in plan.placements.values_list("pk", flat=True))]
    for clock in Clock.objects.filter(
        subject_id__in=subjects, completed_at__isnull=True, cancelled_at__isnull=True
    ):
        clock_cancel(clock=clock, reason=f"Plan ended: {reason.strip()}")
    return state


@transaction.atomic
def plan_action_add(
    *,
    actor: Actor,
    access: ChildAccess,
    plan: Plan,
    what: str,
    owner_name: str,
    due_on: date,
    owner_agency_id: uuid.UUID | None = None,
    meeting: Meeting | None = None,
) -> PlanAction:
    user_id, _ = _person(actor)
    if plan.child_id != access.child.pk:
        raise ValidationError("That plan is not this child's.")
    errors = {}
    if not what.strip():
        errors["what"] = "Say what will be done."
    if not owner_name.strip():
        errors["owner_name"] = "Say who will do it."
    if errors:
        raise ValidationError(errors)
    action = PlanAction.objects.create(
        plan=plan,
        what=what.strip(),
        owner_name=owner_name.strip(),
        owner_agency_id=owner_agency_id,
        due_on=due_on,
        meeting=meeting,
        recorded_by_id=user_id,
    )
    PlanActionStatus.objects.create(
        action=action, status=ActionStatusValue.OPEN, effective_at=timezone.now(), recorded_by_id=user_id
    )
    return action


@transaction.atomic
def plan_action_status_record(
    *,
    actor: Actor,
    access: ChildAccess,
    action: PlanAction,
    status: str,
    note: str = "",
    owner_name: str = "",
    due_on: date | None = None,
) -> PlanActionStatus:
    """Move an action on (open, in progress, done, dropped), and/or give it a new owner or due
    date. Dropping needs a reason. A row that changes nothing is refused."""
    user_id, _ = _person(actor)
    if action.plan.child_id != access.child.pk:
        raise ValidationError("That action is not on this child's plan.")
    if not plan_is_live(action.plan):
        raise ValidationError("The plan has ended: its actions can no longer change.")
    errors: dict[str, str] = {}
    if status not in ActionStatusValue.values:
        errors["status"] = "Choose what is happening with the action."
    if status == ActionStatusValue.NO_LONGER_NEEDED and not note.strip():
        errors["note"] = "Say why the action is being dropped."
    if errors:
        raise ValidationError(errors)
    current_status, current_owner, current_due = action_current(action)
    owner_name = owner_name.strip()
    new_owner = owner_name if owner_name and owner_name != current_owner else ""
    new_due = due_on if due_on and due_on != current_due else None
    if status == current_status and not new_owner and new_due is None and not note.strip():
        raise ValidationError({"status": "Nothing has changed: choose a new status, owner or due date."})
    return PlanActionStatus.objects.create(
        action=action,
        status=status,
        effective_at=timezone.now(),
        recorded_by_id=user_id,
        note=note.strip()[:500],
        owner_name=new_owner,
        due_on=new_due,
    )


MIN_ADVISER_REASON = 10


@transaction.atomic
def personal_adviser_change(
    *,
    actor: Actor,
    access: ChildAccess,
    plan: Plan,
    adviser_id: uuid.UUID,
    effective_on: date,
    reason: str,
) -> AdviserChange:
    """A new personal adviser for a care leaver's live pathway plan, from a date. The adviser
    contact clock keeps running: the young person is owed contact whoever the adviser is."""
    user_id, _ = _person(actor)
    if plan.child_id != access.child.pk or plan.kind != PlanKind.PATHWAY:
        raise ValidationError("A personal adviser belongs to this young person's pathway plan.")
    if not plan_is_live(plan):
        raise ValidationError("The plan has ended.")
    reason = reason.strip()
    problems: dict[str, str] = {}
    current = _personal_adviser_current(plan)
    if current is not None and current.pk == adviser_id:
        problems["adviser"] = f"{current.full_name or current.username} is already the personal adviser."
    if not User.objects.filter(pk=adviser_id).exists():
        problems["adviser"] = "Choose the new personal adviser."
    last = plan.adviser_changes.order_by("-effective_on").values_list("effective_on", flat=True).first()  # type: ignore[attr-defined]
    earliest = last or plan.started_on
    if effective_on < earliest:
        problems["effective_on"] = f"The change must be on or after {earliest:%-d %B %Y}."
    if effective_on > timezone.localdate():
        problems["effective_on"] = "The change cannot be in the future."
    if len(reason) < MIN_ADVISER_REASON:
        problems["reason"] = f"Say why the adviser is changing, in at least {MIN_ADVISER_REASON} characters."
    if problems:
        raise ValidationError(problems)
    change = AdviserChange(
        plan=plan, adviser_id=adviser_id, effective_on=effective_on, reason=reason, recorded_by_id=user_id
    )
    change.full_clean()
    change.save()
    return change


def _personal_adviser_current(plan: Plan) -> User | None:
    """The newest change's adviser, or the one the plan named at the start (as PlanView shows)."""
    change = plan.adviser_changes.select_related("adviser").order_by("-effective_on", "-created_at").first()  # type: ignore[attr-defined]
    return change.adviser if change is not None else plan.personal_adviser


@transaction.atomic
def pathway_entry_record(
    *,
    actor: Actor,
    access: ChildAccess,
    plan: Plan,
    dimension: str,
    needs: str,
    goals: str,
    young_persons_words: str = "",
) -> PathwayEntry:
    user_id, _ = _person(actor)
    if plan.child_id != access.child.pk or plan.kind != PlanKind.PATHWAY:
        raise ValidationError("That is not this young person's pathway plan.")
    row = PathwayEntry(
        plan=plan,
        dimension=dimension,
        needs=needs.strip(),
        goals=goals.strip(),
        young_persons_words=young_persons_words,
        recorded_by_id=user_id,
    )
    row.full_clean()
    row.save()
    return row
