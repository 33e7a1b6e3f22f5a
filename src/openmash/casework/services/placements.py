"""Looked-after children: legal status, placements and the visit regime they set (ADR 0053)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.access.selectors import ChildAccess
from openmash.accounts.actor import Actor
from openmash.casework.models import (
    LegalStatus,
    LongTermVisitAgreement,
    Meeting,
    MeetingKind,
    Placement,
    PlacementType,
    Plan,
    PlanKind,
)
from openmash.casework.services._common import _at_nine, _person, _running, _start, plan_is_live
from openmash.casework.visit_regimes import (
    CLA_VISIT_RULES,
    LONG_TERM_FOSTER,
    effective_regime,
    next_cla_visit_rule,
    suggested_regime,
)
from openmash.timescales.models import Clock
from openmash.timescales.services import clock_cancel


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
