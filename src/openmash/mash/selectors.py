"""Reads for the hub. Every one takes the actor; children's names come through the access layer.

* ``triage_queue``: open contacts with RAG, age, source, deadlines and the child's existing
  involvement, filtered and sorted in SQL; one read-log event per page.
* ``requests_for_agency``: an agency's researchers see only requests addressed to it.
* ``linked_children``: other children sharing an adult, vehicle, phone, address or place,
  named only where the viewer may see them, otherwise counted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import children_get_for_user
from openmash.accounts.actor import Actor
from openmash.audit.models import Action, Outcome
from openmash.audit.services import access_event_record
from openmash.intake.models import Contact, ContactSource, ContactStatus, Urgency
from openmash.intake.selectors import _described, _from_label  # the same labels as intake's list
from openmash.timescales.calendar import ENGLAND
from openmash.timescales.models import Clock

from .models import (
    RAG_ORDER,
    InformationRequest,
    Rag,
    RagRating,
    RequestStatus,
    ThresholdDecision,
)
from .services import DECISION_SUBJECT, HUB_ROLES, RESEARCHER_ROLES, may_answer

QUEUE_RESOURCE = "contact_queue"
NEAR_HOURS = 2
SORTS = {
    "due": ("Time left, least first", ("triage__next_due_at", "received_at", "reference")),
    "oldest": ("Oldest first", ("received_at", "reference")),
    "newest": ("Newest first", ("-received_at", "reference")),
    "rag": ("RAG, red first", ("rag_rank", "triage__next_due_at", "reference")),
}
STATES = {"overdue": "Past its time", "near": "Near its time", "on_time": "Within its time"}


class NotFound(Http404):
    """A page or record the actor may not see: the same 404 as one that does not exist."""


def may_triage(actor: Actor) -> bool:
    return actor.user_id is not None and actor.role in HUB_ROLES


@dataclass(frozen=True)
class Involvement:
    open_case: bool = False
    case_teams: int = 0
    previous_contacts: int = 0
    risk_level: str = ""
    plans: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QueueRow:
    contact: Contact
    child_label: str
    child_id: uuid.UUID | None
    matched: bool
    from_label: str
    rag: str
    due_at: datetime
    due_what: str
    state: str  # overdue, near, on_time
    age: str
    involvement: Involvement | None


@dataclass(frozen=True)
class QueueFilters:
    rag: str = ""
    source: str = ""
    state: str = ""
    urgency: str = ""
    unmatched: bool = False
    sort: str = "due"

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        def pick(name: str, allowed: Any) -> str:
            value = query.get(name, "")
            return value if value in allowed else ""

        return cls(
            rag=pick("rag", Rag.values),
            source=pick("source", ContactSource.values),
            state=pick("state", STATES),
            urgency=pick("urgency", Urgency.values),
            unmatched=query.get("unmatched") == "1",
            sort=pick("sort", SORTS) or "due",
        )


def _rag_rank() -> Case:
    return Case(
        *[When(triage__rag=code, then=Value(rank)) for code, rank in RAG_ORDER.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def age_text(received_at: datetime, now: datetime) -> str:
    """How long the contact has waited, in working hours while short, then working days."""
    hours = ENGLAND.working_hours_between(received_at, now)
    if hours < 1:
        minutes = max(0, int((now - received_at).total_seconds() // 60))
        return f"{minutes} min" if minutes < 60 else "under 1 working hour"
    if hours < 8:
        return f"{int(hours)} working hour{'s' if int(hours) != 1 else ''}"
    days = ENGLAND.working_days_between(timezone.localdate(received_at), timezone.localdate(now))
    return f"{days} working day{'s' if days != 1 else ''}"


def due_state(due_at: datetime, now: datetime) -> str:
    if due_at < now:
        return "overdue"
    if due_at - now <= timedelta(hours=NEAR_HOURS) or timezone.localdate(due_at) == timezone.localdate(now):
        return "near"
    return "on_time"


def _involvement(child_ids: set[uuid.UUID], contact_ids: set[uuid.UUID]) -> dict[uuid.UUID, Involvement]:
    """Open case, previous contacts and current exploitation risk, for children the viewer may see."""
    if not child_ids:
        return {}
    now = timezone.now()
    cases: dict[uuid.UUID, int] = {
        row["child_id"]: row["n"]
        for row in Relationship.objects.filter(
            child_id__in=child_ids,
            basis__in=(RelationshipBasis.ALLOCATED_WORKER, RelationshipBasis.TEAM),
            valid_from__lte=now,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
        .values("child_id")
        .annotate(n=Count("id"))
    }
    previous: dict[uuid.UUID, int] = {
        row["child_id"]: row["n"]
        for row in Contact.objects.filter(child_id__in=child_ids)
        .exclude(pk__in=contact_ids)
        .values("child_id")
        .annotate(n=Count("id"))
    }
    risk: dict[uuid.UUID, str] = {}
    plans: dict[uuid.UUID, list[str]] = {}
    # Levels read through merges (ADR 0034): a merged record's level is the survivor's.
    from openmash.exploitation.indicators import Level
    from openmash.exploitation.selectors import risk_levels_current

    levels = risk_levels_current(child_ids=list(child_ids), on=timezone.localdate(), known_at=now)
    for child_id, level in levels.items():
        if level > Level.NONE:
            risk[child_id] = Level(level).label
    # Plans: running statutory clocks that belong to plans (child protection, looked after, pathway).
    for child_id, rule_code in Clock.objects.filter(
        child_id__in=child_ids,
        completed_at__isnull=True,
        cancelled_at__isnull=True,
        rule_code__in=("cp_review_first", "cp_review", "cla_review_first", "cla_review_second", "cla_review",
                       "pathway_review"),
    ).values_list("child_id", "rule_code"):  # fmt: skip
        label = {"cp": "Child protection plan", "cla": "Looked after", "pathway": "Pathway plan"}[
            rule_code.split("_")[0]
        ]
        if label not in plans.setdefault(child_id, []):
            plans[child_id].append(label)
    return {
        child_id: Involvement(
            open_case=bool(cases.get(child_id)),
            case_teams=cases.get(child_id, 0),
            previous_contacts=previous.get(child_id, 0),
            risk_level=risk.get(child_id, ""),
            plans=plans.get(child_id, []),
        )
        for child_id in child_ids
    }


_QUEUE_RELATED = ("source_agency", "concern", "identity__agency")


def _queue_queryset(filters: QueueFilters, now: datetime) -> QuerySet[Contact]:
    """Open contacts in the queue, filtered and ordered in SQL (no joins beyond the triage row)."""
    contacts = Contact.objects.filter(status=ContactStatus.OPEN, triage__isnull=False).annotate(
        rag_rank=_rag_rank()
    )
    if filters.rag:
        contacts = contacts.filter(triage__rag=filters.rag)
    if filters.source:
        contacts = contacts.filter(source=filters.source)
    if filters.urgency:
        contacts = contacts.filter(urgency=filters.urgency)
    if filters.unmatched:
        contacts = contacts.filter(child__isnull=True)
    if filters.state == "overdue":
        contacts = contacts.filter(triage__next_due_at__lt=now)
    elif filters.state == "near":
        end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        contacts = contacts.filter(
            triage__next_due_at__gte=now,
            triage__next_due_at__lte=max(end_of_today, now + timedelta(hours=NEAR_HOURS)),
        )
    elif filters.state == "on_time":
        end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        contacts = contacts.filter(
            triage__next_due_at__gt=max(end_of_today, now + timedelta(hours=NEAR_HOURS))
        )
    return contacts.order_by(*SORTS[filters.sort][1])


@dataclass(frozen=True)
class QueueCounts:
    overdue: int
    near: int
    total: int


def triage_queue(
    *, actor: Actor, filters: QueueFilters, page_number: Any = 1, per_page: int = 50
) -> tuple[Page[Any], list[QueueRow], QueueCounts]:
    """The hub's triage queue, one read-log event per page (names only where the viewer may see)."""
    if not may_triage(actor):
        raise NotFound("Not a hub page for this role")
    now = timezone.now()
    # Page over the contacts' ids only (a narrow sort and OFFSET on triage and contact), then
    # fetch the page's 50 rows with their joins: deep pages and the RAG sort stay cheap.
    ids = _queue_queryset(filters, now).values_list("pk", flat=True)
    page = Paginator(ids, per_page).get_page(page_number)
    page_ids = list(page.object_list)
    by_id = Contact.objects.select_related("triage", *_QUEUE_RELATED).in_bulk(page_ids)
    items: list[Contact] = [by_id[pk] for pk in page_ids if pk in by_id]
    child_ids = [contact.child_id for contact in items if contact.child_id]
    visible = children_get_for_user(actor=actor, child_ids=child_ids, purpose="Hub triage queue")
    involvement = _involvement(set(visible), {contact.pk for contact in items})
    rows = []
    for contact in items:
        triage = contact.triage
        due_what = "RAG" if triage.rag_due_at <= triage.decision_due_at else "Decision"
        child = visible.get(contact.child_id) if contact.child_id else None
        if child is not None:
            label, child_id, matched = child.full_name, child.pk, True
        elif contact.child_id:
            label, child_id, matched = "Child record (you have no access)", None, True
        else:
            label, child_id, matched = _described(contact), None, False
        rows.append(
            QueueRow(
                contact=contact,
                child_label=label,
                child_id=child_id,
                matched=matched,
                from_label=_from_label(contact),
                rag=triage.rag,
                due_at=triage.next_due_at,
                due_what=due_what,
                state=due_state(triage.next_due_at, now),
                age=age_text(contact.received_at, now),
                involvement=involvement.get(child_id) if child_id else None,
            )
        )
    open_contacts = Contact.objects.filter(status=ContactStatus.OPEN, triage__isnull=False)
    counts = QueueCounts(
        overdue=open_contacts.filter(triage__next_due_at__lt=now).count(),
        near=_queue_queryset(QueueFilters(state="near"), now).count(),
        total=page.paginator.count,
    )
    access_event_record(
        actor=actor,
        action=Action.LIST,
        resource_type=QUEUE_RESOURCE,
        child_ids=sorted(visible),
        purpose="Hub triage queue",
        outcome=Outcome.GRANTED,
    )
    return page, rows, counts


# --- One contact ------------------------------------------------------------------------------


def contact_get_for_triage(*, actor: Actor, contact_id: uuid.UUID | str) -> Contact:
    contact = (
        Contact.objects.select_related(
            "triage",
            "source_agency",
            "concern",
            "public_report",
            "referrer",
            "identity__agency",
            "feed_record",
        )
        .filter(pk=contact_id)
        .first()
        if may_triage(actor)
        else None
    )
    if contact is None:
        raise NotFound("No such contact")
    return contact


def rag_history(*, contact: Contact) -> list[RagRating]:
    return list(
        RagRating.objects.filter(contact=contact).select_related("recorded_by").order_by("recorded_at", "id")
    )


def contact_requests(*, contact: Contact) -> list[InformationRequest]:
    return list(
        InformationRequest.objects.filter(contact=contact)
        .select_related("agency", "requested_by", "response__answered_by")
        .order_by("requested_at", "agency__name")
    )


def contact_decision(*, contact: Contact) -> ThresholdDecision | None:
    return (
        ThresholdDecision.objects.filter(contact=contact)
        .select_related("receiving_team", "recorded_by")
        .prefetch_related("sign_offs__signed_by")
        .first()
    )


def decision_clocks(*, decision: ThresholdDecision) -> list[Clock]:
    """The clocks the decision opened (assessment, initial child protection conference)."""
    return list(
        Clock.objects.filter(subject_type=DECISION_SUBJECT, subject_id=str(decision.pk)).order_by("due_at")
    )


# --- Information requests for an agency's researchers -----------------------------------------


def requests_for_agency(*, actor: Actor, include_closed: bool = False) -> list[InformationRequest]:
    """Requests addressed to the actor's agency, and only those."""
    if actor.user_id is None or actor.agency_id is None or actor.role not in RESEARCHER_ROLES:
        return []
    requests = InformationRequest.objects.filter(agency_id=actor.agency_id).select_related(
        "contact", "agency"
    )
    if not include_closed:
        requests = requests.filter(status=RequestStatus.OPEN)
    return list(requests.order_by("requested_at")[:500])


def request_get_for_agency(*, actor: Actor, request_id: uuid.UUID | str) -> InformationRequest:
    if actor.agency_id is None:
        raise NotFound("No such request")
    request = (
        InformationRequest.objects.select_related("contact", "agency", "requested_by")
        .filter(pk=request_id, agency_id=actor.agency_id)
        .first()
    )
    if request is None or not may_answer(actor=actor, request=request):
        raise NotFound("No such request")
    return request


# --- Linked children --------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedChild:
    child_id: uuid.UUID
    name: str
    links: list[str]


@dataclass(frozen=True)
class LinkedChildren:
    named: list[LinkedChild]
    hidden_count: int


_CONCERN_LINKS_SQL = """
WITH mine AS (
    SELECT 'adults' AS kind, upper(regexp_replace(value, '[^A-Za-z0-9]', '', 'g')) AS key
      FROM intake_concern c JOIN intake_contact k ON k.id = c.contact_id,
           jsonb_array_elements_text(c.adults) AS value WHERE k.child_id = %(child)s
    UNION SELECT 'vehicles', upper(regexp_replace(value, '[^A-Za-z0-9]', '', 'g'))
      FROM intake_concern c JOIN intake_contact k ON k.id = c.contact_id,
           jsonb_array_elements_text(c.vehicles) AS value WHERE k.child_id = %(child)s
    UNION SELECT 'phones', regexp_replace(value, '[^0-9A-Za-z@._]', '', 'g')
      FROM intake_concern c JOIN intake_contact k ON k.id = c.contact_id,
           jsonb_array_elements_text(c.phones) AS value WHERE k.child_id = %(child)s
    UNION SELECT 'places', upper(regexp_replace(value, '[^A-Za-z0-9]', '', 'g'))
      FROM intake_concern c JOIN intake_contact k ON k.id = c.contact_id,
           jsonb_array_elements_text(c.places) AS value WHERE k.child_id = %(child)s
), theirs AS (
    SELECT k.child_id, 'adults' AS kind, upper(regexp_replace(value, '[^A-Za-z0-9]', '', 'g')) AS key
      FROM intake_concern c JOIN intake_contact k ON k.id = c.contact_id,
           jsonb_array_elements_text(c.adults) AS value WHERE k.child_id IS NOT NULL
    UNION ALL SELECT k.child_id, 'vehicles', upper(regexp_replace(value, '[^A-Za-z0-9]', '', 'g'))
      FROM intake_concern c JOIN intake_contact k ON k.id = c.contact_id,
           jsonb_array_elements_text(c.vehicles) AS value WHERE k.child_id IS NOT NULL
    UNION ALL SELECT k.child_id, 'phones', regexp_replace(value, '[^0-9A-Za-z@._]', '', 'g')
      FROM intake_concern c JOIN intake_contact k ON k.id = c.contact_id,
           jsonb_array_elements_text(c.phones) AS value WHERE k.child_id IS NOT NULL
    UNION ALL SELECT k.child_id, 'places', upper(regexp_replace(value, '[^A-Za-z0-9]', '', 'g'))
      FROM intake_concern c JOIN intake_contact k ON k.id = c.contact_id,
           jsonb_array_elements_text(c.places) AS value WHERE k.child_id IS NOT NULL
)
SELECT DISTINCT theirs.child_id, theirs.kind
  FROM theirs JOIN mine ON mine.kind = theirs.kind AND mine.key = theirs.key
 WHERE theirs.child_id <> %(child)s AND length(mine.key) >= 3
"""

_KIND_WORDS = {
    "adult": "a shared adult",
    "adults": "an adult named in both concerns",
    "vehicles": "a shared vehicle",
    "phones": "a shared phone or account",
    "places": "a shared place",
    "address": "the same address",
}


def linked_children(*, actor: Actor, child_id: uuid.UUID) -> LinkedChildren:
    """Children connected to this one through family data (a shared adult, the same address) and
    concerns (an adult, vehicle, phone or place named in both). Named only if visible."""
    from openmash.people.models import Child, FamilyLink

    links: dict[uuid.UUID, set[str]] = {}
    adults = FamilyLink.objects.filter(child_id=child_id, adult__isnull=False).values("adult_id")
    for other in (
        FamilyLink.objects.filter(adult_id__in=adults)
        .exclude(child_id=child_id)
        .values_list("child_id", flat=True)
    ):
        links.setdefault(other, set()).add("adult")
    child = Child.objects.filter(pk=child_id).values("address", "postcode").first()
    if child and child["address"] and child["postcode"]:
        for other in (
            Child.objects.filter(postcode__iexact=child["postcode"], address__iexact=child["address"])
            .exclude(pk=child_id)
            .values_list("pk", flat=True)[:200]
        ):
            links.setdefault(other, set()).add("address")
    with connection.cursor() as cursor:
        cursor.execute(_CONCERN_LINKS_SQL, {"child": child_id})
        for other, kind in cursor.fetchall():
            links.setdefault(other, set()).add(kind)
    visible = children_get_for_user(
        actor=actor, child_ids=list(links), purpose="Linked children of a contact"
    )
    named = [
        LinkedChild(
            child_id=other,
            name=visible[other].full_name,
            links=[_KIND_WORDS[kind] for kind in sorted(kinds)],
        )
        for other, kinds in links.items()
        if other in visible
    ]
    named.sort(key=lambda linked: linked.name)
    return LinkedChildren(named=named, hidden_count=len(links) - len(named))
