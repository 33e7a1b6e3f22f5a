"""Every write in the hub: triage and RAG ratings, information requests, threshold decisions.

The hub works contacts that intake opens. ``triage_open`` is registered with intake (in
``MashConfig.ready``) and runs inside the transaction that opens contacts: it gives each
contact its first RAG rating (from the urgency the referrer gave) and its deadlines, and
starts the decision and RAG clocks for contacts whose child is known.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import ChildAccess
from openmash.access.services import relationship_end, relationship_start
from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency, Membership, Team, TeamKind
from openmash.accounts.roles import Role
from openmash.intake.models import Contact, ContactStatus, Urgency
from openmash.intake.services import contact_close
from openmash.notifications.services import notification_send
from openmash.timescales.calendar import ENGLAND, LONDON
from openmash.timescales.models import Clock
from openmash.timescales.rules import due_at, rule_for
from openmash.timescales.services import (
    ClockStart,
    clock_cancel,
    clock_complete,
    clock_start,
    clocks_child_set,
    clocks_start_bulk,
)

from .models import (
    OUTCOMES_WITH_TEAM,
    DecisionReturn,
    DecisionSignOff,
    DecisionStatus,
    InformationRequest,
    InformationResponse,
    LawfulBasis,
    Outcome,
    Rag,
    RagRating,
    RequestStatus,
    ThresholdDecision,
    Triage,
)

CONTACT_SUBJECT = "intake.Contact"
DECISION_SUBJECT = "mash.ThresholdDecision"
DECISION_PROCESS = "mash.threshold_decision"
REQUEST_PROCESS = "mash.information_request"
HUB_ROLES = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER})
# Who answers an agency's information requests: its people in hub-facing roles.
RESEARCHER_ROLES = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER, Role.PRACTITIONER})
URGENCY_RAG = {Urgency.IMMEDIATE: Rag.RED, Urgency.SAME_DAY: Rag.AMBER, Urgency.ROUTINE: Rag.GREEN}
TRIAGE_RULES = ("mash_decision", "rag_red", "rag_amber", "rag_green")
MIN_RATIONALE = 20


def rag_rule_code(rag: str) -> str:
    return f"rag_{rag}"


def rag_due(rag: str, received_at: datetime) -> tuple[datetime, str]:
    rule = rule_for(rag_rule_code(rag), on=timezone.localdate(received_at))
    return due_at(rule, received_at, ENGLAND), rule.describe()


def decision_due(received_at: datetime) -> datetime:
    return due_at(rule_for("mash_decision", on=timezone.localdate(received_at)), received_at, ENGLAND)


def _require_hub(actor: Actor) -> uuid.UUID:
    """The actor's user id, if they are one of the hub's triage officers or managers."""
    if actor.user_id is None or actor.role not in HUB_ROLES:
        raise ValidationError("Only the hub's triage officers and managers can do this.")
    return actor.user_id


def _require_manager(actor: Actor) -> uuid.UUID:
    if actor.user_id is None or actor.role != Role.MASH_MANAGER:
        raise ValidationError("Only a MASH manager can sign off or return a threshold decision.")
    return actor.user_id


# --- Triage and RAG ---------------------------------------------------------------------------


# A feed chunk's triage rows and first ratings go in with one INSERT each (rows built from
# arrays): ``bulk_create`` spent most of the hook quoting each field of each row. The triage
# rows' history triggers fire as they did.
_TRIAGE_SQL = """
INSERT INTO mash_triage
       (id, created_at, updated_at, contact_id, rag, rag_due_at, decision_due_at, next_due_at, decided_at)
SELECT row.id, %(now)s, %(now)s, row.contact_id, row.rag, row.rag_due_at, row.decision_due_at,
       LEAST(row.rag_due_at, row.decision_due_at), NULL
  FROM unnest(%(ids)s::uuid[], %(contacts)s::uuid[], %(rags)s::text[], %(rag_due)s::timestamptz[],
              %(decision_due)s::timestamptz[])
       AS row(id, contact_id, rag, rag_due_at, decision_due_at)
"""
_RATINGS_SQL = """
INSERT INTO mash_ragrating
       (contact_id, rag, due_at, rule_description, recorded_at, recorded_by_id, recorded_by_name, reason)
SELECT row.contact_id, row.rag, row.due_at, row.rule_description, %(now)s, NULL, 'system:intake', row.reason
  FROM unnest(%(contacts)s::uuid[], %(rags)s::text[], %(rag_due)s::timestamptz[], %(descriptions)s::text[],
              %(reasons)s::text[]) WITH ORDINALITY
       AS row(contact_id, rag, due_at, rule_description, reason, n)
 ORDER BY row.n
"""


def triage_open(contacts: list[Contact]) -> list[Triage]:
    """First RAG rating, deadlines and clocks for newly opened contacts (hook called by intake).

    Set-based for a feed chunk: the deadlines are worked out once per urgency and receipt
    time, then one INSERT each for the triage rows, the ratings and the clocks
    (``timescales.services.clocks_start_bulk``).
    """
    if not contacts:
        return []
    now = timezone.now()
    labels = dict(Contact._meta.get_field("urgency").flatchoices)
    rags: dict[str, str] = {}
    reasons: dict[str, str] = {}
    decision_cache: dict[datetime, datetime] = {}
    rag_cache: dict[tuple[str, datetime], tuple[datetime, str]] = {}
    triages: list[Triage] = []
    ratings: dict[str, list[Any]] = {
        "contacts": [],
        "rags": [],
        "rag_due": [],
        "descriptions": [],
        "reasons": [],
    }
    decision_due_rows: list[datetime] = []
    starts: list[ClockStart] = []
    for contact in contacts:
        urgency = contact.urgency
        if urgency not in rags:
            rags[urgency] = (
                URGENCY_RAG.get(Urgency(urgency), Rag.GREEN) if urgency in Urgency.values else Rag.GREEN
            )
            reasons[urgency] = f"First rating from the urgency given: {labels.get(urgency, urgency)}"
        rag = rags[urgency]
        received = contact.received_at
        if (rag, received) not in rag_cache:
            rag_cache[(rag, received)] = rag_due(rag, received)
        if received not in decision_cache:
            decision_cache[received] = decision_due(received)
        rag_at, described = rag_cache[(rag, received)]
        decide_at = decision_cache[received]
        triage = Triage(
            contact=contact,
            rag=rag,
            rag_due_at=rag_at,
            decision_due_at=decide_at,
            next_due_at=min(rag_at, decide_at),
        )
        triage.created_at = triage.updated_at = now
        triage._state.adding = False
        triage._state.db = connection.alias
        triages.append(triage)
        ratings["contacts"].append(contact.pk)
        ratings["rags"].append(str(rag))
        ratings["rag_due"].append(rag_at)
        ratings["descriptions"].append(described)
        ratings["reasons"].append(reasons[urgency])
        decision_due_rows.append(decide_at)
        # Contacts whose child is not matched yet run their clocks too (child None until matched).
        subject_id = str(contact.pk)
        for code in ("mash_decision", rag_rule_code(rag)):
            starts.append(ClockStart(code, received, subject_id, contact.child_id, contact.hub_team_id))
    with connection.cursor() as cursor:
        cursor.execute(
            _TRIAGE_SQL,
            {
                "now": now,
                "ids": [triage.pk for triage in triages],
                "contacts": ratings["contacts"],
                "rags": ratings["rags"],
                "rag_due": ratings["rag_due"],
                "decision_due": decision_due_rows,
            },
        )
        cursor.execute(_RATINGS_SQL, {"now": now, **ratings})
    clocks_start_bulk(subject_type=CONTACT_SUBJECT, start_event="Contact received by the hub", starts=starts)
    return triages


def _running_contact_clocks(contact: Contact, rule_codes: tuple[str, ...]) -> list[Clock]:
    return list(
        Clock.objects.select_for_update().filter(
            subject_type=CONTACT_SUBJECT,
            subject_id=str(contact.pk),
            rule_code__in=rule_codes,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        )
    )


@transaction.atomic
def rag_rate(*, actor: Actor, contact: Contact, rag: str, reason: str) -> RagRating:
    """Change a contact's RAG rating. The deadline still runs from receipt; the old rating is kept."""
    _require_hub(actor)
    if rag not in Rag.values:
        raise ValidationError({"rag": "Choose red, amber or green."})
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "Say why you are giving this rating."})
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.status != ContactStatus.OPEN:
        raise ValidationError("This contact is closed; its rating can no longer change.")
    triage = Triage.objects.select_for_update().get(contact=contact)
    rag_at, described = rag_due(rag, contact.received_at)
    rating = RagRating.objects.create(
        contact=contact,
        rag=rag,
        due_at=rag_at,
        rule_description=described,
        recorded_at=timezone.now(),
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.username,
        reason=reason,
    )
    if triage.rag != rag:
        triage.rag = rag
        triage.rag_due_at = rag_at
        triage.next_due_at = min(rag_at, triage.decision_due_at)
        triage.save(update_fields=["rag", "rag_due_at", "next_due_at", "updated_at"])
        old_codes = tuple(code for code in TRIAGE_RULES if code.startswith("rag_"))
        for clock in _running_contact_clocks(contact, old_codes):
            clock_cancel(clock=clock, reason=f"Re-rated {Rag(rag).label} by {actor.username}")
        # Matched or not: a contact with no child yet still runs its clocks.
        clock_start(
            rule_code=rag_rule_code(rag),
            child=contact.child,
            subject_type=CONTACT_SUBJECT,
            subject_id=str(contact.pk),
            start_event="Contact received by the hub",
            started_at=contact.received_at,
            responsible_team=contact.hub_team,
        )
    return rating


def contacts_matched(contacts: list[Contact]) -> None:
    """Hook called by intake when open (or closed) contacts get their child after they arrived.

    Matching linked the incoming identity (on arrival, by a match run, or by the hub officer
    deciding a possible match). The triage state is keyed by the contact, so it follows at
    once; the contact's clocks and a decision still waiting for sign-off take the child now.
    """
    by_child: dict[uuid.UUID, list[str]] = defaultdict(list)
    for contact in contacts:
        if contact.child_id is not None:
            by_child[contact.child_id].append(str(contact.pk))
    for child_id, contact_ids in by_child.items():
        clocks_child_set(subject_type=CONTACT_SUBJECT, subject_ids=contact_ids, child_id=child_id)
        ThresholdDecision.objects.filter(contact_id__in=contact_ids, child__isnull=True).update(
            child_id=child_id, updated_at=timezone.now()
        )


def contact_closed(contacts: list[Contact]) -> None:
    """Hook called by intake when a contact closes: open requests end, triage clocks stop."""
    for contact in contacts:
        for request in InformationRequest.objects.select_for_update().filter(
            contact=contact, status=RequestStatus.OPEN
        ):
            _request_close(request, status=RequestStatus.WITHDRAWN, reason="The contact was closed")
        for clock in _running_contact_clocks(contact, TRIAGE_RULES):
            clock_cancel(clock=clock, reason=f"Contact closed: {contact.closed_reason}"[:300])


# --- Information requests ---------------------------------------------------------------------


def researcher_team_for(agency: Agency) -> Team | None:
    """The agency's own hub research team (a team of kind 'mash' in that agency), if it has one."""
    return Team.objects.filter(agency=agency, kind=TeamKind.MASH).order_by("created_at", "pk").first()


@transaction.atomic
def information_request_send(
    *, actor: Actor, contact: Contact, agencies: list[Agency], question: str
) -> list[InformationRequest]:
    """Ask each agency what it holds. Each may see the child only while its request is open.

    The relationship is held by the agency's hub research team if it has one (need to know),
    otherwise by the agency.
    """
    user_id = _require_hub(actor)
    question = question.strip()
    if not question:
        raise ValidationError({"question": "Say what you want the agencies to check."})
    if not agencies:
        raise ValidationError({"agencies": "Choose at least one agency to ask."})
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.status != ContactStatus.OPEN:
        raise ValidationError("This contact is closed.")
    child = contact.child
    if child is None:
        raise ValidationError("Match the contact to a child before asking other agencies.")
    already = set(
        InformationRequest.objects.filter(contact=contact, status=RequestStatus.OPEN).values_list(
            "agency_id", flat=True
        )
    )
    now = timezone.now()
    created = []
    for agency in agencies:
        if agency.pk in already:
            continue
        team = researcher_team_for(agency)
        relationship = relationship_start(
            child=child,
            basis=RelationshipBasis.INFORMATION_REQUEST,
            holder_team=team,
            holder_agency=None if team else agency,
            created_by_process=REQUEST_PROCESS,
            source_reference=contact.reference,
            valid_from=now,
        )
        request = InformationRequest(
            contact=contact,
            child_id=child.pk,
            agency=agency,
            question=question,
            requested_by_id=user_id,
            requested_at=now,
            relationship=relationship,
        )
        request.full_clean(exclude=["relationship", "contact", "child", "agency"])
        request.save()
        created.append(request)
        recipients = Membership.objects.filter(
            agency=agency, role__in=RESEARCHER_ROLES, started_at__lte=now, ended_at__isnull=True
        )
        if team is not None:
            recipients = recipients.filter(team=team)
        notification_send(
            recipient_ids=recipients.values_list("user_id", flat=True),
            kind="information_request",
            # No name: the link goes through the access layer.
            title=f"The hub asks what your agency holds (contact {contact.reference})",
            link=reverse("mash:request", args=[request.pk]),
            source_reference=f"inforeq:{request.pk}",
        )
    return created


def _request_close(request: InformationRequest, *, status: str, reason: str) -> InformationRequest:
    now = timezone.now()
    request.status = status
    request.closed_at = now
    request.closed_reason = reason[:300]
    request.save(update_fields=["status", "closed_at", "closed_reason", "updated_at"])
    if request.relationship_id is not None:
        still_needed = (
            InformationRequest.objects.filter(
                relationship_id=request.relationship_id, status=RequestStatus.OPEN
            )
            .exclude(pk=request.pk)
            .exists()
        )
        if not still_needed:
            relationship_end(
                relationship=Relationship.objects.get(pk=request.relationship_id),
                reason=f"Information request {status}",
                ended_at=now,
            )
    return request


def may_answer(*, actor: Actor, request: InformationRequest) -> bool:
    return (
        actor.user_id is not None
        and actor.role in RESEARCHER_ROLES
        and actor.agency_id is not None
        and actor.agency_id == request.agency_id
    )


@transaction.atomic
def information_request_answer(
    *,
    actor: Actor,
    request: InformationRequest,
    holds_information: bool,
    shared: str,
    withheld: str,
    reason: str,
    lawful_basis: str,
) -> InformationResponse:
    """Record the agency's answer; the answer joins the contact and the agency's access ends."""
    request = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if not may_answer(actor=actor, request=request) or actor.user_id is None:
        raise ValidationError("Only the agency the request is addressed to can answer it.")
    if request.status != RequestStatus.OPEN:
        raise ValidationError("This request is no longer open.")
    errors: dict[str, str] = {}
    shared, withheld, reason = shared.strip(), withheld.strip(), reason.strip()
    if holds_information and not (shared or withheld):
        errors["shared"] = "Say what your agency holds and shares (or what it withholds and why)."
    if not reason:
        errors["reason"] = "Say why sharing this is necessary and proportionate."
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis for sharing."
    if errors:
        raise ValidationError(errors)
    response = InformationResponse(
        request=request,
        holds_information=holds_information,
        shared=shared if holds_information else "",
        withheld=withheld if holds_information else "",
        reason=reason,
        lawful_basis=lawful_basis,
        answered_by_id=actor.user_id,
        answered_at=timezone.now(),
    )
    response.full_clean(exclude=["request"])
    response.save()
    _request_close(request, status=RequestStatus.ANSWERED, reason="Answered")
    notification_send(
        recipient_ids=[request.requested_by_id],
        kind="information_answer",
        title=f"An agency answered your request (contact {request.contact.reference})",
        link=reverse("mash:contact", args=[request.contact_id]),
        source_reference=f"inforeq-answer:{request.pk}",
    )
    return response


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
