"""Threshold decisions: recording, returning, amending, signing off and what they open (ADR 0042)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import ChildAccess
from openmash.access.services import relationship_start
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership, Team, TeamKind
from openmash.accounts.roles import Role
from openmash.intake.models import Contact, ContactStatus
from openmash.intake.services import contact_close
from openmash.mash.models import (
    OUTCOMES_WITH_TEAM,
    DecisionReturn,
    DecisionSignOff,
    DecisionStatus,
    Outcome,
    ThresholdDecision,
    Triage,
)
from openmash.mash.services._common import (
    DECISION_PROCESS,
    DECISION_SUBJECT,
    MIN_RATIONALE,
    TRIAGE_RULES,
    _require_hub,
    _require_manager,
    _running_contact_clocks,
)
from openmash.notifications.services import notification_send
from openmash.timescales.calendar import LONDON
from openmash.timescales.services import (
    clock_complete,
    clock_start,
)

# --- Threshold decisions ----------------------------------------------------------------------


def live_exploitation_signs(*, access: ChildAccess | None) -> bool:
    """Warning signs on record, or a current exploitation risk level above 'no current concern'."""
    if access is None:
        return False
    from openmash.exploitation.indicators import Level
    from openmash.exploitation.selectors import child_risk_current, child_signs

    current = child_risk_current(access=access)
    return bool(child_signs(access=access)) or (current is not None and current.level > Level.NONE)


def _decision_proposal(
    *,
    contact: Contact,
    access: ChildAccess | None,
    outcome: str,
    rationale: str,
    receiving_team: Team | None,
    strategy_discussion_on: date | None,
    late_reason: str,
) -> dict[str, Any]:
    """Check a proposed decision, first time or amended, and return its fields (or raise)."""
    rationale, late_reason = rationale.strip(), late_reason.strip()
    if contact.status != ContactStatus.OPEN:
        raise ValidationError("This contact is closed.")
    if access is not None and access.child.pk != contact.child_id:
        raise ValidationError("That is not this contact's child.")
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Choose a decision."
    if len(rationale) < MIN_RATIONALE:
        errors["rationale"] = f"Explain the decision, in at least {MIN_RATIONALE} characters."
    if outcome in OUTCOMES_WITH_TEAM:
        if contact.child_id is None or access is None:
            errors["outcome"] = "Match the contact to a child before choosing this decision."
        if receiving_team is None:
            errors["receiving_team"] = "Choose the team that will take the case."
        elif outcome == Outcome.EXPLOITATION and receiving_team.kind != TeamKind.EXPLOITATION:
            errors["receiving_team"] = "Choose an exploitation team for the exploitation pathway."
    if outcome == Outcome.STRATEGY:
        if strategy_discussion_on is None:
            errors["strategy_discussion_on"] = "Enter the date of the strategy discussion."
        elif strategy_discussion_on > timezone.localdate():
            errors["strategy_discussion_on"] = "The strategy discussion date cannot be in the future."
        elif strategy_discussion_on < timezone.localdate(contact.received_at):
            errors["strategy_discussion_on"] = "The strategy discussion cannot be before the contact."
    triage = Triage.objects.filter(contact=contact).first()
    if triage is not None and timezone.now() > triage.next_due_at and not late_reason:
        errors["late_reason"] = "The decision is late: say why."
    if errors:
        raise ValidationError(errors)
    signs = outcome == Outcome.NFA and live_exploitation_signs(access=access)
    return {
        "outcome": outcome,
        "rationale": rationale,
        "strategy_discussion_on": strategy_discussion_on if outcome == Outcome.STRATEGY else None,
        "receiving_team": receiving_team
        if outcome in OUTCOMES_WITH_TEAM or outcome == Outcome.EARLY_HELP
        else None,
        "late_reason": late_reason,
        "live_exploitation_signs": signs,
        "sign_offs_needed": 2 if signs else 1,
    }


@transaction.atomic
def threshold_decision_record(
    *,
    actor: Actor,
    contact: Contact,
    access: ChildAccess | None,
    outcome: str,
    rationale: str,
    receiving_team: Team | None = None,
    strategy_discussion_on: date | None = None,
    late_reason: str = "",
) -> ThresholdDecision:
    """Record the hub's decision. A manager recording it signs it off at once; an officer's waits.

    ``access`` is the contact's child as the choke point gave it to the actor (None if unmatched).
    """
    user_id = _require_hub(actor)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.status != ContactStatus.OPEN:
        raise ValidationError("This contact is closed.")
    if ThresholdDecision.objects.filter(contact=contact).exists():
        raise ValidationError("A decision has already been recorded for this contact.")
    fields = _decision_proposal(
        contact=contact,
        access=access,
        outcome=outcome,
        rationale=rationale,
        receiving_team=receiving_team,
        strategy_discussion_on=strategy_discussion_on,
        late_reason=late_reason,
    )
    decision = ThresholdDecision(
        contact=contact,
        child_id=contact.child_id,
        status=DecisionStatus.AWAITING_SIGN_OFF,
        recorded_by_id=user_id,
        recorded_at=timezone.now(),
        **fields,
    )
    decision.full_clean(exclude=["contact", "child", "receiving_team", "team_relationship"])
    decision.save()
    if actor.role == Role.MASH_MANAGER:
        return threshold_decision_sign_off(actor=actor, decision=decision, note="Recorded by the manager")
    _notify_managers(contact=contact, decision=decision, title="A threshold decision needs your sign-off")
    return decision


MIN_RETURN_REASON = 10


@transaction.atomic
def threshold_decision_return(*, actor: Actor, decision: ThresholdDecision, reason: str) -> DecisionReturn:
    """A manager sends a proposed decision back to the officer with a reason, instead of signing it.

    Sign-offs already given to this version stay on record but no longer count: the officer's
    amended proposal is a new version that needs its own sign-offs.
    """
    user_id = _require_manager(actor)
    decision = ThresholdDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.status not in (DecisionStatus.AWAITING_SIGN_OFF, DecisionStatus.AWAITING_SECOND):
        raise ValidationError("Only a decision waiting for sign-off can be returned.")
    reason = reason.strip()
    if len(reason) < MIN_RETURN_REASON:
        raise ValidationError({"reason": "Say what the officer should look at again."})
    returned = DecisionReturn.objects.create(
        decision=decision,
        version=decision.version,
        outcome=decision.outcome,
        returned_by_id=user_id,
        returned_at=timezone.now(),
        reason=reason,
    )
    decision.status = DecisionStatus.RETURNED
    decision.save(update_fields=["status", "updated_at"])
    notification_send(
        recipient_ids=[decision.recorded_by_id],
        kind="decision_returned",
        title=f"A manager returned your threshold decision (contact {decision.contact.reference})",
        link=reverse("mash:contact", args=[decision.contact_id]) + "#decision",
        source_reference=f"decision-return:{decision.pk}:{decision.version}",
    )
    return returned


@transaction.atomic
def threshold_decision_amend(
    *,
    actor: Actor,
    decision: ThresholdDecision,
    access: ChildAccess | None,
    outcome: str,
    rationale: str,
    receiving_team: Team | None = None,
    strategy_discussion_on: date | None = None,
    late_reason: str = "",
) -> ThresholdDecision:
    """The officer amends a returned decision and proposes it again, as its next version.

    The same rules as a first proposal apply; the returned version stays in the decision's
    history. A manager amending it signs it off by doing so, as when recording.
    """
    user_id = _require_hub(actor)
    decision = ThresholdDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != DecisionStatus.RETURNED:
        raise ValidationError("Only a decision a manager has returned can be amended.")
    contact = Contact.objects.select_for_update().get(pk=decision.contact_id)
    fields = _decision_proposal(
        contact=contact,
        access=access,
        outcome=outcome,
        rationale=rationale,
        receiving_team=receiving_team,
        strategy_discussion_on=strategy_discussion_on,
        late_reason=late_reason,
    )
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.child_id = contact.child_id
    decision.version += 1
    decision.status = DecisionStatus.AWAITING_SIGN_OFF
    decision.recorded_by_id = user_id
    decision.recorded_at = timezone.now()
    decision.full_clean(exclude=["contact", "child", "receiving_team", "team_relationship"])
    decision.save()
    if actor.role == Role.MASH_MANAGER:
        return threshold_decision_sign_off(actor=actor, decision=decision, note="Amended by the manager")
    _notify_managers(
        contact=contact, decision=decision, title="An amended threshold decision needs your sign-off"
    )
    return decision


def _notify_managers(*, contact: Contact, decision: ThresholdDecision, title: str) -> None:
    now = timezone.now()
    managers = Membership.objects.filter(
        role=Role.MASH_MANAGER, started_at__lte=now, ended_at__isnull=True
    ).filter(Q(team_id=contact.hub_team_id) if contact.hub_team_id else Q())
    notification_send(
        recipient_ids=managers.values_list("user_id", flat=True),
        kind="decision_sign_off",
        title=f"{title} (contact {contact.reference})",
        link=reverse("mash:contact", args=[contact.pk]),
        source_reference=(
            f"decision:{decision.pk}:{decision.version}:"
            f"{decision.sign_offs.filter(version=decision.version).count()}"
        ),
    )


@transaction.atomic
def threshold_decision_sign_off(
    *, actor: Actor, decision: ThresholdDecision, note: str = ""
) -> ThresholdDecision:
    """A manager signs the decision off; with enough sign-offs it takes effect and opens what follows."""
    user_id = _require_manager(actor)
    decision = ThresholdDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.status == DecisionStatus.IN_EFFECT:
        raise ValidationError("This decision is already in effect.")
    if decision.status == DecisionStatus.RETURNED:
        raise ValidationError("This decision was returned to the officer: it can be signed off once amended.")
    signed = decision.sign_offs.filter(version=decision.version)
    if signed.filter(signed_by_id=user_id).exists():
        raise ValidationError(
            "You have already signed this decision off: a second manager must sign no further action "
            "for a child with live exploitation signs."
        )
    DecisionSignOff.objects.create(
        decision=decision,
        version=decision.version,
        signed_by_id=user_id,
        signed_at=timezone.now(),
        note=note.strip(),
    )
    if signed.count() < decision.sign_offs_needed:
        decision.status = DecisionStatus.AWAITING_SECOND
        decision.save(update_fields=["status", "updated_at"])
        _notify_managers(
            contact=decision.contact, decision=decision, title="No further action needs a second manager"
        )
        return decision
    return _decision_take_effect(actor=actor, decision=decision)


def _strategy_started_at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=LONDON)


def _decision_take_effect(*, actor: Actor, decision: ThresholdDecision) -> ThresholdDecision:
    now = timezone.now()
    contact = Contact.objects.select_for_update().get(pk=decision.contact_id)
    for clock in _running_contact_clocks(contact, TRIAGE_RULES):
        # The decision was made when it was recorded; the sign-off is its governance.
        made_at = max(decision.recorded_at, clock.started_at)
        clock_complete(
            clock=clock,
            completed_at=made_at,
            exception_reason=(decision.late_reason or "Recorded late") if made_at > clock.due_at else "",
        )
    Triage.objects.filter(contact=contact).update(decided_at=now, updated_at=now)
    team = decision.receiving_team
    child = contact.child
    if child is not None and team is not None:
        held = Relationship.objects.filter(
            child=child,
            holder_team=team,
            basis=RelationshipBasis.TEAM,
            valid_from__lte=now,
            valid_to__isnull=True,
        ).first()
        decision.team_relationship = held or relationship_start(
            child=child,
            basis=RelationshipBasis.TEAM,
            holder_team=team,
            created_by_process=DECISION_PROCESS,
            source_reference=contact.reference,
            valid_from=now,
        )
    if child is not None and decision.outcome == Outcome.ASSESSMENT:
        clock_start(
            rule_code="assessment",
            child=child,
            subject_type=DECISION_SUBJECT,
            subject_id=str(decision.pk),
            start_event="Referral received (contact accepted for assessment)",
            started_at=contact.received_at,
            responsible_team=team,
        )
    if child is not None and decision.outcome == Outcome.STRATEGY and decision.strategy_discussion_on:
        clock_start(
            rule_code="icpc",
            child=child,
            subject_type=DECISION_SUBJECT,
            subject_id=str(decision.pk),
            start_event="Strategy discussion (section 47 enquiry began)",
            started_at=_strategy_started_at(decision.strategy_discussion_on),
            responsible_team=team,
        )
    if child is not None and decision.outcome == Outcome.EXPLOITATION and team is not None:
        people = Membership.objects.filter(
            team=team,
            role__in=(Role.TEAM_MANAGER, Role.SOCIAL_WORKER),
            started_at__lte=now,
            ended_at__isnull=True,
        )
        notification_send(
            recipient_ids=people.values_list("user_id", flat=True),
            kind="exploitation_screening",
            title=f"Exploitation screening needed: the hub referred a child (contact {contact.reference})",
            link=reverse("exploitation:assessment-new", args=[child.pk]),
            source_reference=f"decision-screening:{decision.pk}",
        )
    decision.status = DecisionStatus.IN_EFFECT
    decision.effective_at = now
    decision.save(update_fields=["status", "effective_at", "team_relationship", "updated_at"])
    contact_close(
        actor=actor,
        contact=contact,
        reason=f"Threshold decision: {decision.get_outcome_display()}",
    )
    return decision
