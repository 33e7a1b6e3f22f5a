"""Contacts: opening one (or a feed chunk's, set-based), closing, and giving a contact its child
after it opened (an identity linked by matching, or the hub's identification).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.services import relationship_end, relationships_start
from openmash.accounts.actor import Actor
from openmash.accounts.models import Team
from openmash.intake.models import (
    Contact,
    ContactSource,
    ContactStatus,
    ContactStatusChange,
    FeedRecord,
    IdentityReview,
    IdentityReviewStatus,
    Urgency,
)
from openmash.intake.services._common import (
    CASE_BASES,
    HUB_PROCESS,
    RE_REFERRAL_WINDOW,
    _contact_closed_hooks,
    _contacts_matched_hooks,
    _contacts_opened_hooks,
    _hub_relationship,
    _hub_relationships_held,
    _logger,
    contact_reference_new,
    hub_team_get,
    re_referral_check,
)
from openmash.people.models import AgencyIdentity


@transaction.atomic
def contact_open(
    *,
    actor: Actor,
    source: str,
    summary: str,
    received_at: datetime | None = None,
    child_id: uuid.UUID | None = None,
    identity_id: uuid.UUID | None = None,
    urgency: str = Urgency.ROUTINE,
    source_agency_id: uuid.UUID | None = None,
    feed_record_id: uuid.UUID | None = None,
    hub_team: Team | None = None,
) -> Contact:
    """Open a contact: in the hub's queue at once; the hub team may see the child while it is open."""
    if source not in ContactSource.values:
        raise ValidationError({"source": "Unknown contact source."})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": "Unknown urgency."})
    received_at = received_at or timezone.now()
    team = hub_team if hub_team is not None else hub_team_get()
    reference = contact_reference_new()
    contact = Contact(
        reference=reference,
        source=source,
        received_at=received_at,
        child_id=child_id,
        identity_id=identity_id,
        urgency=urgency,
        summary=summary.strip()[:300] or "Contact",
        source_agency_id=source_agency_id,
        created_by_id=actor.user_id,
        hub_team=team,
        hub_relationship=_hub_relationship(child_id=child_id, team=team, reference=reference),
        feed_record_id=feed_record_id,
    )
    if child_id is not None:
        reason = re_referral_check(child_id=child_id, at=received_at)
        contact.is_re_referral, contact.re_referral_reason = bool(reason), reason[:300]
    contact.full_clean(exclude=["hub_relationship", "feed_record", "child", "identity"])
    contact.save()
    ContactStatusChange.objects.create(
        contact=contact,
        status=ContactStatus.OPEN,
        effective_at=received_at,
        recorded_at=timezone.now(),
        recorded_by=actor.username,
        reason="Received",
    )
    if team is None:
        _logger.warning("No MASH team exists: contact %s has no hub relationship", contact.reference)
    for hook in _contacts_opened_hooks:
        hook([contact])
    return contact


@dataclass(frozen=True)
class FeedContact:
    """A feed record that is a contact (see ``contacts_open_for_feed``)."""

    feed_record_id: uuid.UUID
    summary: str
    urgency: str
    child_id: uuid.UUID | None
    identity_id: uuid.UUID


def _references_new(count: int) -> list[str]:
    references = list(dict.fromkeys(contact_reference_new() for _ in range(count)))
    taken = set(Contact.objects.filter(reference__in=references).values_list("reference", flat=True))
    fresh = [reference for reference in references if reference not in taken]
    return fresh if len(fresh) == count else fresh + _references_new(count - len(fresh))


def _re_referral_reasons(items: list[FeedContact], at: datetime) -> list[str]:
    """Each item's re-referral reason, as opening them one by one in order would give (two queries)."""
    children = {item.child_id for item in items if item.child_id}
    since = at - RE_REFERRAL_WINDOW
    latest: dict[uuid.UUID, str] = {}
    for child_id, reference, received in (
        Contact.objects.filter(child_id__in=children, received_at__gte=since, received_at__lte=at)
        .order_by("received_at")
        .values_list("child_id", "reference", "received_at")
    ):
        latest[child_id] = f"Earlier contact {reference} received {timezone.localtime(received):%d %B %Y}"
    closed: dict[uuid.UUID, str] = {}
    for child_id, ended in (
        Relationship.objects.filter(
            child_id__in=children, basis__in=CASE_BASES, valid_to__gte=since, valid_to__lte=at
        )
        .order_by("valid_to")
        .values_list("child_id", "valid_to")
    ):
        closed[child_id] = f"A case for this child closed on {timezone.localtime(ended):%d %B %Y}"
    return [
        latest.get(item.child_id) or closed.get(item.child_id) or "" if item.child_id else ""
        for item in items
    ]


# A feed chunk's contacts and their first status rows go in with one INSERT each, rows built
# from arrays (``bulk_create`` spent most of its time quoting each field of each row). The
# contacts' history triggers fire as they did.
_CONTACTS_SQL = """
INSERT INTO intake_contact
       (id, created_at, updated_at, reference, source, received_at, child_id, identity_id, urgency,
        is_re_referral, re_referral_reason, status, summary, source_agency_id, created_by_id,
        hub_team_id, hub_relationship_id, feed_record_id, closed_at, closed_reason)
SELECT row.id, %(now)s, %(now)s, row.reference, row.source, row.received_at, row.child_id,
       row.identity_id, row.urgency, row.is_re_referral, row.re_referral_reason, row.status,
       row.summary, row.source_agency_id, row.created_by_id, row.hub_team_id,
       row.hub_relationship_id, row.feed_record_id, NULL, ''
  FROM unnest(%(ids)s::uuid[], %(references)s::text[], %(sources)s::text[],
              %(received)s::timestamptz[], %(children)s::uuid[], %(identities)s::uuid[],
              %(urgencies)s::text[], %(re_referrals)s::boolean[], %(reasons)s::text[],
              %(statuses)s::text[], %(summaries)s::text[], %(agencies)s::uuid[],
              %(creators)s::uuid[], %(teams)s::uuid[], %(relationships)s::uuid[],
              %(records)s::uuid[])
       AS row(id, reference, source, received_at, child_id, identity_id, urgency, is_re_referral,
              re_referral_reason, status, summary, source_agency_id, created_by_id, hub_team_id,
              hub_relationship_id, feed_record_id)
"""
_CONTACT_OPENED_SQL = """
INSERT INTO intake_contactstatuschange (contact_id, status, effective_at, recorded_at, recorded_by, reason)
SELECT row.contact_id, 'open', row.effective_at, %(now)s, %(recorded_by)s, 'Received'
  FROM unnest(%(ids)s::uuid[], %(received)s::timestamptz[]) WITH ORDINALITY
       AS row(contact_id, effective_at, n)
 ORDER BY row.n
"""


def _contacts_insert(contacts: list[Contact], *, now: datetime, recorded_by: str) -> None:
    """Insert new open contacts (built, not saved) and their "Received" status rows: two statements."""
    ids = [contact.pk for contact in contacts]
    received = [contact.received_at for contact in contacts]
    with connection.cursor() as cursor:
        cursor.execute(
            _CONTACTS_SQL,
            {
                "now": now,
                "ids": ids,
                "references": [contact.reference for contact in contacts],
                "sources": [str(contact.source) for contact in contacts],
                "received": received,
                "children": [contact.child_id for contact in contacts],
                "identities": [contact.identity_id for contact in contacts],
                "urgencies": [str(contact.urgency) for contact in contacts],
                "re_referrals": [contact.is_re_referral for contact in contacts],
                "reasons": [contact.re_referral_reason for contact in contacts],
                "statuses": [str(contact.status) for contact in contacts],
                "summaries": [contact.summary for contact in contacts],
                "agencies": [contact.source_agency_id for contact in contacts],
                "creators": [contact.created_by_id for contact in contacts],
                "teams": [contact.hub_team_id for contact in contacts],
                "relationships": [contact.hub_relationship_id for contact in contacts],
                "records": [contact.feed_record_id for contact in contacts],
            },
        )
        cursor.execute(
            _CONTACT_OPENED_SQL, {"now": now, "recorded_by": recorded_by, "ids": ids, "received": received}
        )
    for contact in contacts:
        contact._state.adding = False
        contact._state.db = connection.alias


@transaction.atomic
def contacts_open_for_feed(
    *, actor: Actor, items: list[FeedContact], source_agency_id: uuid.UUID, received_at: datetime,
    hub_team: Team | None,
) -> list[Contact]:  # fmt: skip
    """Open the contacts one chunk of feed records makes, together: the bulk form of ``contact_open``.

    The same rules (re-referral, hub relationship through ``access.services.relationships_start``,
    an append-only status row), with a handful of queries for the chunk instead of a dozen per
    contact. Values come from validated feed rows, so each contact is checked field by field
    in code rather than by ``full_clean``.
    """
    if not items:
        return []
    for item in items:
        if item.urgency not in Urgency.values:
            raise ValidationError({"urgency": f"Unknown urgency {item.urgency!r}."})
    references = _references_new(len(items))
    reasons = _re_referral_reasons(items, received_at)
    contacts: list[Contact] = []
    latest: dict[uuid.UUID, str] = {}
    children = {item.child_id for item in items if item.child_id}
    relationships: dict[uuid.UUID, Relationship] = (
        _hub_relationships_held(child_ids=children, team=hub_team, at=received_at) if hub_team else {}
    )
    if hub_team is not None:
        # One hub relationship per child not already held, named after the child's first contact here.
        first: dict[uuid.UUID, str] = {}
        for item, reference in zip(items, references, strict=True):
            if item.child_id and item.child_id not in relationships:
                first.setdefault(item.child_id, reference)
        started = relationships_start(
            child_ids=list(first),
            basis=RelationshipBasis.HUB_CONTACT,
            holder_team=hub_team,
            created_by_process=HUB_PROCESS,
            source_references=list(first.values()),
            valid_from=received_at,
        )
        relationships.update(zip(first, started, strict=True))
    now = timezone.now()
    for item, reference, reason in zip(items, references, reasons, strict=True):
        if item.child_id and item.child_id in latest:
            reason = (
                f"Earlier contact {latest[item.child_id]} received {timezone.localtime(received_at):%d %B %Y}"
            )
        contacts.append(
            Contact(
                created_at=now,
                updated_at=now,
                reference=reference,
                source=ContactSource.FEED,
                received_at=received_at,
                child_id=item.child_id,
                identity_id=item.identity_id,
                urgency=item.urgency,
                is_re_referral=bool(reason),
                re_referral_reason=reason[:300],
                summary=item.summary.strip()[:300] or "Contact",
                source_agency_id=source_agency_id,
                created_by_id=actor.user_id,
                hub_team=hub_team,
                hub_relationship=relationships.get(item.child_id) if item.child_id else None,
                feed_record_id=item.feed_record_id,
            )
        )
        if item.child_id:
            latest[item.child_id] = reference
    _contacts_insert(contacts, now=now, recorded_by=actor.username)
    for hook in _contacts_opened_hooks:
        hook(contacts)
    return contacts


@transaction.atomic
def contact_close(*, actor: Actor, contact: Contact, reason: str) -> Contact:
    """Close a contact; the hub's relationship to the child ends with the child's last open contact."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the contact is being closed."})
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.status == ContactStatus.CLOSED:
        return contact
    now = timezone.now()
    contact.status = ContactStatus.CLOSED
    contact.closed_at = now
    contact.closed_reason = reason[:300]
    contact.save(update_fields=["status", "closed_at", "closed_reason", "updated_at"])
    ContactStatusChange.objects.create(
        contact=contact,
        status=ContactStatus.CLOSED,
        effective_at=now,
        recorded_at=now,
        recorded_by=actor.username,
        reason=reason[:300],
    )
    still_needed = (
        Contact.objects.filter(hub_relationship_id=contact.hub_relationship_id, status=ContactStatus.OPEN)
        .exclude(pk=contact.pk)
        .exists()
    )
    if contact.hub_relationship_id is not None and not still_needed:
        relationship_end(
            relationship=Relationship.objects.get(pk=contact.hub_relationship_id),
            reason=f"Contact {contact.reference} closed",
            ended_at=now,
        )
    for hook in _contact_closed_hooks:
        hook([contact])
    return contact


# --- Linking an identity to a child after the fact ----------------------------------------


@transaction.atomic
def identity_link_to_child(*, identity_id: uuid.UUID, child_id: uuid.UUID, resolved_by: str) -> None:
    """An unmatched identity now has a child: link it, close its review, and catch up.

    Open contacts that came in with the identity get their child (and the hub its
    relationship); the identity's feed records raise the warning signs they carry.
    Issue 4's clerical review calls this when a person decides a match.
    """
    from openmash.intake.feeds.signs import StoredRecord, signs_derive, signs_store

    AgencyIdentity.objects.filter(pk=identity_id, child__isnull=True).update(
        child_id=child_id, updated_at=timezone.now()
    )
    IdentityReview.objects.filter(identity_id=identity_id, status=IdentityReviewStatus.OPEN).update(
        status=IdentityReviewStatus.LINKED, resolved_at=timezone.now(), resolved_by=resolved_by[:150]
    )
    team = hub_team_get()
    matched: list[Contact] = []
    for contact in Contact.objects.filter(identity_id=identity_id, child__isnull=True).order_by(
        "received_at"
    ):
        matched.append(contact)
        contact.child_id = child_id
        reason = re_referral_check(child_id=child_id, at=contact.received_at, exclude_contact_id=contact.pk)
        contact.is_re_referral, contact.re_referral_reason = bool(reason), reason[:300]
        fields = ["child", "is_re_referral", "re_referral_reason", "updated_at"]
        if contact.status == ContactStatus.OPEN:
            contact.hub_relationship = _hub_relationship(
                child_id=child_id, team=contact.hub_team or team, reference=contact.reference
            )
            fields.append("hub_relationship")
        contact.save(update_fields=fields)
    for hook in _contacts_matched_hooks:
        hook(matched)
    records = [StoredRecord.of(row, child_id) for row in FeedRecord.objects.filter(identity_id=identity_id)]
    signs_store(signs_derive(records))


def contact_child_attach(*, contact: Contact, child_id: uuid.UUID) -> None:
    contact.child_id = child_id
    reason = re_referral_check(child_id=child_id, at=contact.received_at, exclude_contact_id=contact.pk)
    contact.is_re_referral, contact.re_referral_reason = bool(reason), reason[:300]
    contact.hub_relationship = _hub_relationship(
        child_id=child_id, team=contact.hub_team or hub_team_get(), reference=contact.reference
    )
    contact.save(
        update_fields=["child", "is_re_referral", "re_referral_reason", "hub_relationship", "updated_at"]
    )
    for hook in _contacts_matched_hooks:
        hook([contact])


def contact_hub_relationship_release(*, contact: Contact, at: datetime) -> None:
    """The contact no longer needs the hub's relationship: end it unless another open contact does."""
    others = Contact.objects.filter(
        hub_relationship_id=contact.hub_relationship_id, status=ContactStatus.OPEN
    )
    if contact.hub_relationship_id is None or others.exclude(pk=contact.pk).exists():
        return
    relationship_end(
        relationship=Relationship.objects.get(pk=contact.hub_relationship_id),
        reason=f"Contact {contact.reference}: child identification undone",
        ended_at=at,
    )
