"""Triage and RAG ratings, and the hooks intake calls when contacts open, get their child or
close.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.intake.models import Contact, ContactStatus, Urgency
from openmash.mash.models import (
    InformationRequest,
    Rag,
    RagRating,
    RequestStatus,
    ThresholdDecision,
    Triage,
)
from openmash.mash.services._common import (
    CONTACT_SUBJECT,
    TRIAGE_RULES,
    URGENCY_RAG,
    _require_hub,
    _running_contact_clocks,
    decision_due,
    rag_due,
    rag_rule_code,
)
from openmash.mash.services.requests import _request_close
from openmash.timescales.services import (
    ClockStart,
    clock_cancel,
    clock_start,
    clocks_child_set,
    clocks_start_bulk,
)

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
