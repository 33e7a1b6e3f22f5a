"""Meetings: strategy discussions, conferences, reviews and what their outcomes start."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.access.selectors import ChildAccess
from openmash.accounts.actor import Actor
from openmash.casework.models import (
    Meeting,
    MeetingInvitee,
    MeetingKind,
    Plan,
    PlanKind,
)
from openmash.casework.services._common import _complete, _person, _running, _start, live_plans
from openmash.casework.services.plans import plan_action_add, plan_end, plan_start
from openmash.timescales.models import Clock

# -- meetings ---------------------------------------------------------------------------------


@dataclass
class InviteeData:
    agency_id: uuid.UUID
    attended: bool
    name: str = ""


@dataclass
class ActionData:
    what: str
    owner_name: str
    due_on: date
    owner_agency_id: uuid.UUID | None = None


@dataclass
class MeetingOutcome:
    meeting: Meeting
    plan: Plan | None = None
    clocks_met: list[Clock] = field(default_factory=list)
    clocks_started: list[Clock] = field(default_factory=list)


_NEXT_REVIEW = {
    MeetingKind.CP_REVIEW: (("cp_review_first", "cp_review"), "cp_review"),
    MeetingKind.CORE_GROUP: (("core_group_first", "core_group"), "core_group"),
    MeetingKind.PATHWAY_REVIEW: (("pathway_review",), "pathway_review"),
}
_CLA_NEXT = {
    "cla_review_first": "cla_review_second",
    "cla_review_second": "cla_review",
    "cla_review": "cla_review",
}
_PLAN_FOR_MEETING = {
    MeetingKind.CP_REVIEW: PlanKind.CHILD_PROTECTION,
    MeetingKind.CORE_GROUP: PlanKind.CHILD_PROTECTION,
    MeetingKind.CLA_REVIEW: PlanKind.LOOKED_AFTER,
    MeetingKind.PATHWAY_REVIEW: PlanKind.PATHWAY,
}


@transaction.atomic
def meeting_record(
    *,
    actor: Actor,
    access: ChildAccess,
    kind: str,
    held_at: datetime,
    chair: str = "",
    decisions: str = "",
    child_views: str = "",
    invitees: list[InviteeData] | None = None,
    actions: list[ActionData] | None = None,
    cp_category: str = "",
    plan_ends: bool = False,
    late_reason: str = "",
) -> MeetingOutcome:
    """Record a meeting. It meets the clock it was due under and starts the next one:

    - an initial conference meets the "icpc" clock (started by the MASH strategy discussion);
      with a category it starts the child protection plan (first core group in 10 working
      days, first review in 3 months);
    - a review conference meets the first (or last) review and starts the next (6 months);
    - a core group meets the first core group; a looked-after review meets the 20-working-day,
      3-month or 6-month review and starts the next; a pathway review starts the next;
    - a strategy discussion or exploitation meeting meets a repeat-missing meeting clock.
    Actions land on the plan.
    """
    user_id, agency_id = _person(actor)
    child_id = access.child.pk
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": "Choose the kind of meeting."})
    if held_at > timezone.now():
        raise ValidationError({"held_at": "Record a meeting once it has been held."})
    plan: Plan | None = None
    wanted = _PLAN_FOR_MEETING.get(MeetingKind(kind))
    if wanted:
        plan = next((p for p in live_plans(child_id) if p.kind == wanted), None)
        if plan is None:
            raise ValidationError({"kind": f"The child has no live {PlanKind(wanted).label.lower()}."})
    meeting = Meeting(
        child_id=child_id,
        kind=kind,
        held_at=held_at,
        plan=plan,
        chair=chair.strip(),
        decisions=decisions.strip(),
        child_views=child_views,
        agency_id=agency_id,
        recorded_by_id=user_id,
    )
    meeting.full_clean()
    meeting.save()
    for invitee in invitees or []:
        MeetingInvitee.objects.create(
            meeting=meeting, agency_id=invitee.agency_id, name=invitee.name.strip(), attended=invitee.attended
        )
    outcome = MeetingOutcome(meeting=meeting, plan=plan)
    team = actor.team_id
    if kind == MeetingKind.ICPC:
        outcome.clocks_met = _complete(_running(child_id, ("icpc",)), held_at, late_reason)
        if cp_category:
            outcome.plan = plan_start(
                actor=actor,
                access=access,
                kind=PlanKind.CHILD_PROTECTION,
                started_on=timezone.localdate(held_at),
                cp_category=cp_category,
                child_views=child_views,
                source_meeting=meeting,
            )
    elif kind in _NEXT_REVIEW:
        assert plan is not None
        rules, next_rule = _NEXT_REVIEW[MeetingKind(kind)]
        outcome.clocks_met = _complete(
            _running(child_id, rules, subject_id=str(plan.pk)), held_at, late_reason
        )
        if next_rule and not plan_ends:
            outcome.clocks_started.append(
                _start(
                    next_rule,
                    child_id=child_id,
                    subject=plan,
                    event=MeetingKind(kind).label,
                    at=held_at,
                    team_id=team,
                )
            )
    elif kind == MeetingKind.CLA_REVIEW:
        assert plan is not None
        met = _complete(_running(child_id, tuple(_CLA_NEXT), subject_id=str(plan.pk)), held_at, late_reason)
        outcome.clocks_met = met
        if not plan_ends:
            # The first review starts the second; the second and later start the six-monthly one.
            previous = met[0].rule_code if met else "cla_review"
            outcome.clocks_started.append(
                _start(
                    _CLA_NEXT[previous],
                    child_id=child_id,
                    subject=plan,
                    event="Looked-after review",
                    at=held_at,
                    team_id=team,
                )
            )
    else:  # strategy discussion, exploitation meeting
        outcome.clocks_met = _complete(_running(child_id, ("repeat_missing_meeting",)), held_at, late_reason)
    target = outcome.plan
    if target is None and actions:
        # A strategy discussion or exploitation meeting has no plan of its own: its actions land
        # on the live exploitation plan if there is one, else on the child's other live plan.
        live = live_plans(child_id)
        target = next((p for p in live if p.kind == PlanKind.EXPLOITATION), live[0] if live else None)
    for data in actions or []:
        if target is None:
            raise ValidationError(
                {"actions": "Actions land on a plan: this child has no plan for this meeting."}
            )
        plan_action_add(
            actor=actor,
            access=access,
            plan=target,
            what=data.what,
            owner_name=data.owner_name,
            due_on=data.due_on,
            owner_agency_id=data.owner_agency_id,
            meeting=meeting,
        )
    if plan_ends and plan is not None:
        plan_end(
            actor=actor,
            access=access,
            plan=plan,
            reason=f"Decided at the {meeting.get_kind_display().lower()}",
            ended_at=held_at,
        )
    return outcome
