"""Every casework write. Each takes the acting person and, for a child, the ChildAccess the
access choke point handed out (so nothing is written about a child the actor may not see).

Statutory clocks are started and met through openmash.timescales.services; this module
decides which clock each event starts or meets (docs/casework.md, ADR 0051).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import ChildAccess
from openmash.access.services import relationship_end, relationship_start
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership, Team, User
from openmash.accounts.roles import Role
from openmash.casework.models import (
    ActionStatusValue,
    AdviserChange,
    CareCouncilFeedback,
    CaseClosure,
    ClosureStatus,
    LegalStatus,
    LongTermVisitAgreement,
    Meeting,
    MeetingInvitee,
    MeetingKind,
    MissingEpisode,
    PathwayEntry,
    Placement,
    PlacementType,
    Plan,
    PlanAction,
    PlanActionStatus,
    PlanKind,
    PlanState,
    PlanStateValue,
    ReturnInterview,
    Visit,
)
from openmash.casework.selectors import action_current
from openmash.casework.visit_regimes import (
    CLA_VISIT_RULES,
    LONG_TERM_FOSTER,
    PLAN_VISIT_RULES,
    VISIT_RULES,
    effective_regime,
    next_cla_visit_rule,
    suggested_regime,
)
from openmash.notifications.services import notification_send
from openmash.timescales.models import Clock
from openmash.timescales.services import clock_cancel, clock_complete, clock_start

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


@dataclass
class PlacementData:
    place: str
    provider: str
    carer_or_setting: str
    started_on: date
    postcode: str = ""
    reason_for_change: str = ""
    visit_regime: str = ""  # empty: the regime suggested by the placement type and legal status
    intended_until_18: bool | None = None  # None: yes for the long-term foster codes (U1, U4)


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
def legal_status_record(
    *,
    actor: Actor,
    access: ChildAccess,
    plan: Plan,
    code: str,
    effective_on: date,
    corrects: LegalStatus | None = None,
) -> LegalStatus:
    """The child's legal status from a date (SSDA903 LS). A change does not restart the review
    clocks (they run from the start of the period of care, reg 33), but at home it can change
    the visit regime: the running visit clock is then re-timed from the last visit."""
    user_id, _ = _person(actor)
    if plan.child_id != access.child.pk or plan.kind != PlanKind.LOOKED_AFTER:
        raise ValidationError("Legal status belongs to this child's looked-after care plan.")
    current = _current_legal_status(plan)
    if corrects is None and current is not None:
        if not plan_is_live(plan):
            raise ValidationError("The plan has ended.")
        if code == current.code:
            raise ValidationError({"code": f"The legal status is already {current.get_code_display()}."})
        if effective_on < current.effective_on:
            raise ValidationError(
                {
                    "effective_on": f"The change must be on or after {current.effective_on:%-d %B %Y}, "
                    "when the current legal status began."
                }
            )
    if effective_on > timezone.localdate():
        raise ValidationError({"effective_on": "A legal status cannot start in the future."})
    if effective_on < plan.started_on:
        raise ValidationError({"effective_on": "The legal status cannot start before the plan."})
    row = LegalStatus(
        plan=plan, code=code, effective_on=effective_on, recorded_by_id=user_id, corrects=corrects
    )
    row.full_clean()
    row.save()
    if current is not None:
        _visit_clock_retime(plan, reason=f"Legal status changed to {row.get_code_display()}")
    return row


def _current_legal_status(plan: Plan) -> LegalStatus | None:
    return plan.legal_statuses.order_by("-effective_on", "-created_at").first()


def _current_placement(plan: Plan) -> Placement | None:
    return plan.placements.order_by("-started_on", "-created_at").first()


def _next_cla_rule(
    plan: Plan, placement: Placement, visited_at: datetime, regime_at: datetime | None = None
) -> str:
    """The clock the next visit runs on. The regime is judged at `regime_at` (the visit itself,
    or the event that changed the regime); the interval runs from the visit."""
    legal = _current_legal_status(plan)
    visited_at = max(visited_at, regime_at or visited_at)
    visited_on = timezone.localdate(visited_at)
    return next_cla_visit_rule(
        regime=effective_regime(
            regime=placement.visit_regime, place=placement.place, legal_status=legal.code if legal else ""
        ),
        placement_started_on=placement.started_on,
        intended_until_18=placement.intended_until_18,
        visited_on=visited_on,
        first_review_held=Meeting.objects.filter(
            plan=plan, kind=MeetingKind.CLA_REVIEW, held_at__lte=visited_at
        ).exists(),
        long_term_agreed=placement.visit_agreements.filter(agreed_on__lte=visited_on).exists(),
    )


def _visit_clock_retime(plan: Plan, *, reason: str) -> Clock | None:
    """The regime changed (legal status, long-term agreement): replace the running later-visit
    clock with the new regime's, counted from the last statutory visit that met one. The old
    clock is cancelled, never overwritten; the first visit of a placement is never relaxed."""
    placement = _current_placement(plan)
    if placement is None:
        return None
    running = _running(plan.child_id, CLA_VISIT_RULES, subject_id=str(placement.pk))
    if not running or running[0].rule_code == "cla_visit_first":
        return None
    since = running[0].started_at
    rule = _next_cla_rule(plan, placement, since, regime_at=timezone.now())
    if rule == running[0].rule_code:
        return None
    clock_cancel(clock=running[0], reason=reason)
    return _start(
        rule, child_id=plan.child_id, subject=placement, event=reason, at=since, team_id=plan.team_id
    )


@transaction.atomic
def long_term_visits_agree(
    *,
    actor: Actor,
    access: ChildAccess,
    plan: Plan,
    agreed_on: date,
    child_agrees: bool,
    iro_consulted: bool,
    child_words: str = "",
) -> LongTermVisitAgreement:
    """Reg 28(3A): a long-term foster placement (U1, U4) of at least a year, the child agreeing
    and the IRO consulted: statutory visits at most every 6 months from now on."""
    user_id, _ = _person(actor)
    if plan.child_id != access.child.pk or plan.kind != PlanKind.LOOKED_AFTER or not plan_is_live(plan):
        raise ValidationError("This is for a live looked-after care plan.")
    placement = _current_placement(plan)
    if placement is None or placement.place not in LONG_TERM_FOSTER:
        raise ValidationError("Only a long-term foster placement (U1 or U4) can have fewer visits.")
    errors: dict[str, str] = {}
    from openmash.timescales.calendar import add_months

    if agreed_on > timezone.localdate():
        errors["agreed_on"] = "The agreement cannot be in the future."
    elif agreed_on < add_months(placement.started_on, 12):
        errors["agreed_on"] = (
            f"The child must have been in the placement for a year first "
            f"(from {add_months(placement.started_on, 12):%-d %B %Y})."
        )
    if not child_agrees:
        errors["child_agrees"] = "Visits can only be less frequent if the child agrees."
    if not iro_consulted:
        errors["iro_consulted"] = "Consult the independent reviewing officer first."
    if errors:
        raise ValidationError(errors)
    row = LongTermVisitAgreement.objects.create(
        placement=placement,
        agreed_on=agreed_on,
        iro_consulted=iro_consulted,
        child_words=child_words,
        recorded_by_id=user_id,
    )
    _visit_clock_retime(plan, reason="Long-term foster placement: the child agreed to 6-monthly visits")
    return row


@transaction.atomic
def placement_record(
    *, actor: Actor, access: ChildAccess, plan: Plan, data: PlacementData, corrects: Placement | None = None
) -> Placement:
    """A new placement (or a correction of one). Each new placement restarts the visit clocks:
    within 7 days, then at most every 6 weeks (SI 2010/959 reg 28)."""
    user_id, _ = _person(actor)
    if plan.child_id != access.child.pk or plan.kind != PlanKind.LOOKED_AFTER:
        raise ValidationError("Placements belong to this child's looked-after care plan.")
    previous = _current_placement(plan)
    errors: dict[str, str] = {}
    if corrects is None and previous is not None:
        if not plan_is_live(plan):
            raise ValidationError("The plan has ended.")
        if not data.reason_for_change:
            errors["reason_for_change"] = "Choose the reason the placement changed."
        if data.started_on < previous.started_on:
            errors["started_on"] = (
                f"The move must be on or after {previous.started_on:%-d %B %Y}, "
                "when the current placement began."
            )
    if data.started_on > timezone.localdate():
        errors["started_on"] = "A placement cannot start in the future."
    if not data.carer_or_setting.strip():
        errors["carer_or_setting"] = "Name the carer or setting."
    if errors:
        raise ValidationError(errors)
    legal = _current_legal_status(plan)
    row = Placement(
        plan=plan,
        place=data.place,
        provider=data.provider,
        carer_or_setting=data.carer_or_setting.strip(),
        postcode=data.postcode.strip(),
        started_on=data.started_on,
        reason_for_change=data.reason_for_change if previous is not None else "",
        visit_regime=data.visit_regime
        or suggested_regime(place=data.place, legal_status=legal.code if legal else ""),
        intended_until_18=data.intended_until_18
        if data.intended_until_18 is not None
        else data.place in (PlacementType.U1, PlacementType.U4),
        recorded_by_id=user_id,
        corrects=corrects,
    )
    row.full_clean()
    row.save()
    if corrects is None:
        for clock in _running(plan.child_id, CLA_VISIT_RULES):
            clock_cancel(clock=clock, reason="The child moved to a new placement")
        _start(
            "cla_visit_first",
            child_id=plan.child_id,
            subject=row,
            event="Placement started",
            at=_at_nine(data.started_on),
            team_id=plan.team_id,
        )
    return row


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


# -- missing episodes -------------------------------------------------------------------------


@transaction.atomic
def missing_episode_record(
    *,
    actor: Actor,
    access: ChildAccess,
    kind: str,
    started_at: datetime,
    ended_at: datetime | None = None,
    reported_by: str = "",
    where_found: str = "",
    found_with: str = "",
    condition_on_return: str = "",
) -> MissingEpisode:
    """Record a missing (or away) episode. On return a 72-hour return interview clock starts.
    The third episode in 90 days raises the "missing_repeated" warning sign for the exploitation
    screening and starts the repeat-missing strategy meeting clock."""
    user_id, agency_id = _person(actor)
    if started_at > timezone.now() or (ended_at and ended_at > timezone.now()):
        raise ValidationError({"started_at": "An episode cannot be recorded in the future."})
    episode = MissingEpisode(
        child_id=access.child.pk,
        kind=kind,
        started_at=started_at,
        ended_at=ended_at,
        reported_by=reported_by.strip(),
        where_found=where_found.strip(),
        found_with=found_with.strip(),
        condition_on_return=condition_on_return.strip(),
        agency_id=agency_id,
        recorded_by_id=user_id,
    )
    episode.full_clean()
    episode.save()
    if ended_at is not None:
        _return_started(actor, episode)
    _repeat_missing_check(actor, episode)
    return episode


def _return_started(actor: Actor, episode: MissingEpisode) -> None:
    assert episode.ended_at is not None
    _start(
        "return_interview",
        child_id=episode.child_id,
        subject=episode,
        event="Child returned",
        at=episode.ended_at,
        team_id=actor.team_id,
    )


def _repeat_missing_check(actor: Actor, episode: MissingEpisode) -> None:
    from openmash.exploitation.services import sign_raise

    window_start = episode.started_at - REPEAT_MISSING_WINDOW
    recent = MissingEpisode.objects.filter(
        child_id=episode.child_id, started_at__gt=window_start, started_at__lte=episode.started_at
    ).count()
    if recent < REPEAT_MISSING_COUNT:
        return
    sign_raise(
        child_id=episode.child_id,
        indicator_code="missing_repeated",
        observed_on=min(timezone.localdate(episode.started_at), timezone.localdate()),
        source_agency_id=episode.agency_id,
        source_type="casework.MissingEpisode",
        source_id=str(episode.pk),
        summary=f"{recent} missing or away episodes in 90 days",
        raised_by_process="casework.missing_episode",
    )
    if not _running(episode.child_id, ("repeat_missing_meeting",)):
        _start(
            "repeat_missing_meeting",
            child_id=episode.child_id,
            subject=episode,
            event="Third missing episode in 90 days",
            at=episode.started_at,
            team_id=actor.team_id,
        )


@transaction.atomic
def missing_episode_return(
    *,
    actor: Actor,
    access: ChildAccess,
    episode: MissingEpisode,
    ended_at: datetime,
    where_found: str = "",
    found_with: str = "",
    condition_on_return: str = "",
) -> MissingEpisode:
    """The child is back: the end is recorded once; the 72-hour return interview clock starts."""
    _person(actor)
    if episode.child_id != access.child.pk:
        raise ValidationError("That episode is not this child's.")
    if episode.ended_at is not None:
        raise ValidationError("The return has already been recorded.")
    if ended_at < episode.started_at or ended_at > timezone.now():
        raise ValidationError({"ended_at": "The return must be after the start, and not in the future."})
    episode.ended_at = ended_at
    episode.where_found = where_found.strip()
    episode.found_with = found_with.strip()
    episode.condition_on_return = condition_on_return.strip()
    episode.save(update_fields=["ended_at", "where_found", "found_with", "condition_on_return", "updated_at"])
    _return_started(actor, episode)
    return episode


@transaction.atomic
def return_interview_record(
    *,
    actor: Actor,
    access: ChildAccess,
    episode: MissingEpisode,
    offered_at: datetime,
    accepted: bool,
    held_at: datetime | None = None,
    interviewer: str = "",
    outcome: str = "",
    child_words: str = "",
    late_reason: str = "",
) -> ReturnInterview:
    """An interview offered on return (and held, or declined by the child). Holding it, or the
    child declining the offer, meets the 72-hour clock."""
    user_id, agency_id = _person(actor)
    if episode.child_id != access.child.pk or episode.ended_at is None:
        raise ValidationError("Record the child's return first.")
    if accepted and held_at is None:
        raise ValidationError({"held_at": "Say when the interview was held."})
    row = ReturnInterview(
        episode=episode,
        offered_at=offered_at,
        accepted=accepted,
        held_at=held_at if accepted else None,
        interviewer=interviewer.strip(),
        outcome=outcome.strip(),
        child_words=child_words,
        late_reason=late_reason.strip(),
        agency_id=agency_id,
        recorded_by_id=user_id,
    )
    row.full_clean()
    row.save()
    met_at = held_at if accepted and held_at else offered_at
    _complete(
        _running(episode.child_id, ("return_interview",), subject_id=str(episode.pk)), met_at, late_reason
    )
    return row


# -- the child's voice ------------------------------------------------------------------------


@transaction.atomic
def care_council_feedback_record(
    *,
    actor: Actor,
    access: ChildAccess,
    given_on: date,
    theme: str,
    child_words: str,
    share_with_council: bool = True,
) -> CareCouncilFeedback:
    user_id, agency_id = _person(actor)
    if not any(p.kind == PlanKind.LOOKED_AFTER for p in live_plans(access.child.pk)):
        raise ValidationError("Feedback to the Children in Care Council is from looked-after children.")
    if not child_words.strip():
        raise ValidationError({"child_words": "Write what the child said, in their words."})
    row = CareCouncilFeedback(
        child=access.child,
        given_on=given_on,
        theme=theme,
        child_words=child_words,
        share_with_council=share_with_council,
        agency_id=agency_id,
        recorded_by_id=user_id,
    )
    row.full_clean()
    row.save()
    return row


# -- closure ----------------------------------------------------------------------------------


class ClosureRefused(ValidationError):
    """Closure is refused; `open_items` lists, in words, what is still open."""

    def __init__(self, open_items: list[str]) -> None:
        super().__init__("The case cannot close yet: " + "; ".join(open_items))
        self.open_items = open_items


def closure_blockers(*, access: ChildAccess, on: date | None = None) -> tuple[list[str], bool]:
    """What stops the case closing: open plan actions (listed) and whether exploitation signs are
    current. Returns (open action descriptions, signs current)."""
    from openmash.casework.selectors import current_signs_needing_screening, open_actions

    on = on or timezone.localdate()
    items = [
        f"{a.status_label} action: {a.action.what} (owner {a.owner_name}, due {a.due_on:%-d %B %Y})"
        for a in open_actions(access=access)
    ]
    return items, bool(current_signs_needing_screening(access=access, on=on))


@transaction.atomic
def closure_request(*, actor: Actor, access: ChildAccess, reason: str) -> CaseClosure:
    user_id, _ = _person(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case can close."})
    team = Relationship.objects.filter(
        _now_active(), child=access.child, basis=RelationshipBasis.TEAM
    ).first()
    if team is None or team.holder_team_id is None:
        raise ValidationError("No team holds this case.")
    actions, _ = closure_blockers(access=access)
    if actions:
        raise ClosureRefused(actions)
    return CaseClosure.objects.create(
        child=access.child, team_id=team.holder_team_id, reason=reason.strip(), requested_by_id=user_id
    )


@transaction.atomic
def closure_sign_off(*, actor: Actor, access: ChildAccess, closure: CaseClosure, note: str) -> CaseClosure:
    """A team manager signs the closure off. Refused while a plan action is open (with the list),
    and while exploitation signs are current unless a screening completed since the newest
    of them says where the child is now. Closing ends the live plans and every relationship
    that came from the case (team, key worker, supporting workers)."""
    from openmash.casework.selectors import current_signs_needing_screening

    user_id, _ = _person(actor)
    team = _require_manager(actor)
    if closure.child_id != access.child.pk or closure.status != ClosureStatus.REQUESTED:
        raise ValidationError("There is no closure waiting for sign-off.")
    if closure.team_id != team.pk:
        raise ValidationError("Only the manager of the team holding the case can sign it off.")
    if not note.strip():
        raise ValidationError({"note": "Record why you agree the case can close."})
    actions, _ = closure_blockers(access=access)
    if actions:
        raise ClosureRefused(actions)
    signs, screening = current_signs_needing_screening(
        access=access, on=timezone.localdate(), with_screening=True
    )
    if signs and screening is None:
        raise ClosureRefused(
            [
                f"{len(signs)} exploitation warning sign{'s' if len(signs) != 1 else ''} still current, "
                "and no exploitation screening completed since: complete a fresh screening first"
            ]
        )
    now = timezone.now()
    for plan in live_plans(access.child.pk):
        plan_end(actor=actor, access=access, plan=plan, reason="Case closed", ended_at=now)
    closure.status = ClosureStatus.CLOSED
    closure.signed_off_by_id = user_id
    closure.signed_off_at = now
    closure.sign_off_note = note.strip()
    closure.screening_id = screening.pk if screening else None
    closure.save(
        update_fields=[
            "status",
            "signed_off_by",
            "signed_off_at",
            "sign_off_note",
            "screening_id",
            "updated_at",
        ]
    )
    for rel in Relationship.objects.filter(
        _now_active(), child=access.child, basis__in=(*ALLOCATION_BASES, RelationshipBasis.TEAM)
    ).filter(Q(holder_team_id=closure.team_id) | Q(holder_user__isnull=False)):
        relationship_end(relationship=rel, reason="Case closed", ended_at=now)
    return closure


def member_users(team_id: uuid.UUID) -> list[User]:
    now = timezone.now()
    ids = (
        Membership.objects.filter(team_id=team_id, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .exclude(role=Role.TEAM_MANAGER)
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=list(ids)).order_by("full_name"))
