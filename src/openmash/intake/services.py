"""Every write in intake: contacts, concerns, public reports, identity links and feed clients.

Feed imports themselves are in ``openmash.intake.feeds.importer`` (a service too, split
out for size).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.services import relationship_end, relationship_start, relationships_start
from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency, AgencyKind, Team, TeamKind
from openmash.intake.models import (
    Concern,
    ConcernDraft,
    Contact,
    ContactSource,
    ContactStatus,
    ContactStatusChange,
    FeedClient,
    FeedRecord,
    IdentityReview,
    IdentityReviewStatus,
    PublicReport,
    PublicReportAttempt,
    Referrer,
    Urgency,
)
from openmash.people.models import AgencyIdentity, Child

_logger = logging.getLogger(__name__)

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
assert 256 % len(REFERENCE_ALPHABET) == 0, "contact_reference_new needs an alphabet that divides 256"
RE_REFERRAL_WINDOW = timedelta(days=365)
CASE_BASES = (RelationshipBasis.ALLOCATED_WORKER, RelationshipBasis.TEAM)
HUB_PROCESS = "intake.contact"


# --- Hooks for the apps that work contacts (the hub's triage registers here in its ready()) ---

ContactsHook = Callable[[list[Contact]], None]
_contacts_opened_hooks: list[ContactsHook] = []
_contact_closed_hooks: list[ContactsHook] = []
_contacts_matched_hooks: list[ContactsHook] = []


def register_contacts_opened(hook: ContactsHook) -> None:
    """Call ``hook(contacts)`` inside the transaction that opens contacts (one or a feed chunk)."""
    if hook not in _contacts_opened_hooks:
        _contacts_opened_hooks.append(hook)


def register_contact_closed(hook: ContactsHook) -> None:
    """Call ``hook([contact])`` inside the transaction that closes a contact."""
    if hook not in _contact_closed_hooks:
        _contact_closed_hooks.append(hook)


def register_contacts_matched(hook: ContactsHook) -> None:
    """Call ``hook(contacts)`` inside the transaction that gives contacts their child after they opened."""
    if hook not in _contacts_matched_hooks:
        _contacts_matched_hooks.append(hook)


# --- Contacts --------------------------------------------------------------------------------


def contact_reference_new() -> str:
    """Short enough to read over the phone, unguessable, and free of any detail about the child."""
    # One call for the 8 random characters (a feed post makes hundreds of references): 256 is a
    # multiple of the alphabet's 32 letters, so each byte picks a letter uniformly.
    body = "".join(REFERENCE_ALPHABET[byte % len(REFERENCE_ALPHABET)] for byte in secrets.token_bytes(8))
    return f"C-{body[:4]}-{body[4:]}"


def hub_team_get() -> Team | None:
    """The hub: the local authority's MASH team, which holds open contacts' relationships.

    Partner agencies' hub research teams are of kind 'mash' too and must never be taken for
    the hub. Where the local authority has several, OPENMASH_HUB_TEAM_ID names the hub.
    """
    configured = getattr(settings, "OPENMASH_HUB_TEAM_ID", "")
    if configured:
        return Team.objects.filter(pk=configured).first()
    return (
        Team.objects.filter(kind=TeamKind.MASH, agency__kind=AgencyKind.CHILDRENS_SERVICES)
        .order_by("created_at", "pk")
        .first()
    )


def re_referral_check(
    *, child_id: uuid.UUID, at: datetime, exclude_contact_id: uuid.UUID | None = None
) -> str:
    """Why a new contact about this child is a re-referral, or "" if it is not.

    A re-referral is a contact about a child who had another contact in the 12 months
    before, or whose case (an allocated worker or team) closed in those 12 months.
    """
    since = at - RE_REFERRAL_WINDOW
    contacts = Contact.objects.filter(child_id=child_id, received_at__gte=since, received_at__lte=at)
    if exclude_contact_id is not None:
        contacts = contacts.exclude(pk=exclude_contact_id)
    earlier = contacts.order_by("-received_at").values_list("reference", "received_at").first()
    if earlier:
        return f"Earlier contact {earlier[0]} received {timezone.localtime(earlier[1]):%d %B %Y}"
    closed = (
        Relationship.objects.filter(
            child_id=child_id, basis__in=CASE_BASES, valid_to__gte=since, valid_to__lte=at
        )
        .order_by("-valid_to")
        .values_list("valid_to", flat=True)
        .first()
    )
    if closed:
        return f"A case for this child closed on {timezone.localtime(closed):%d %B %Y}"
    return ""


def _hub_relationships_held(
    *, child_ids: set[uuid.UUID], team: Team, at: datetime
) -> dict[uuid.UUID, Relationship]:
    """The hub team's open-contact relationships already held for these children (one query)."""
    held: dict[uuid.UUID, Relationship] = {}
    for relationship in Relationship.objects.filter(
        child_id__in=child_ids,
        holder_team=team,
        basis=RelationshipBasis.HUB_CONTACT,
        created_by_process=HUB_PROCESS,
        valid_from__lte=at,
        valid_to__isnull=True,
    ).order_by("-valid_from"):
        held[relationship.child_id] = relationship
    return held


def _hub_relationship(
    *, child_id: uuid.UUID | None, team: Team | None, reference: str, at: datetime | None = None
) -> Relationship | None:
    """The hub team's relationship to the child while contacts are open: the one already held
    for another open contact, or a new one through ``access.services.relationship_start``."""
    if child_id is None or team is None:
        return None
    now = at or timezone.now()
    held = _hub_relationships_held(child_ids={child_id}, team=team, at=now).get(child_id)
    return held or _hub_relationship_start(child_id=child_id, team=team, reference=reference, at=now)


def _hub_relationship_start(*, child_id: uuid.UUID, team: Team, reference: str, at: datetime) -> Relationship:
    return relationship_start(
        child=Child(pk=child_id),
        basis=RelationshipBasis.HUB_CONTACT,
        holder_team=team,
        created_by_process=HUB_PROCESS,
        source_reference=reference,
        valid_from=at,
    )


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


# --- Professional concerns ------------------------------------------------------------------


@transaction.atomic
def concern_draft_start(*, actor: Actor) -> ConcernDraft:
    if actor.user_id is None or actor.agency_id is None:
        raise ValidationError("Choose the role you are acting in before reporting a concern.")
    return ConcernDraft.objects.create(owner_id=actor.user_id, agency_id=actor.agency_id, answers={})


@transaction.atomic
def concern_draft_save(
    *, actor: Actor, draft: ConcernDraft, step: str, answers: dict[str, Any]
) -> ConcernDraft:
    """Keep one step's answers (already validated by its form). Nothing typed is ever lost."""
    if draft.owner_id != actor.user_id:
        raise ValidationError("This is not your draft.")
    if draft.submitted_contact_id is not None:
        raise ValidationError("This concern has already been sent.")
    draft.answers = {**draft.answers, step: answers}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


@dataclass(frozen=True)
class ConcernAnswers:
    """Everything a concern needs, validated; built from a draft's answers by the forms layer."""

    child_id: uuid.UUID | None
    child: dict[str, Any]
    what_happened: str
    happened_on: date | None
    happened_when_text: str
    where: str
    what_seen_or_told: str
    child_words: str
    indicator_codes: list[str]
    adults: list[str]
    places: list[str]
    vehicles: list[str]
    phones: list[str]
    urgency: str
    family_knows: str
    family_not_told_reason: str
    sharing_basis: str
    referrer: dict[str, Any]


def _concern_summary(answers: ConcernAnswers) -> str:
    text = " ".join(answers.what_happened.split())
    return text if len(text) <= 140 else text[:137] + "..."


@transaction.atomic
def concern_submit(
    *, actor: Actor, draft: ConcernDraft, answers: ConcernAnswers, chosen_child: Child | None = None
) -> Contact:
    """Send a professional's concern to the hub: a contact, the concern, and its (sealable) referrer.

    ``chosen_child`` is a child the reporter already works with, read through the access
    choke point by the caller. A described child is matched by the hub (exact NHS number
    or pupil number now; the matching capability later), never by the reporter.
    """
    from openmash.intake.linking import IncomingIdentity, identities_link

    draft = ConcernDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.owner_id != actor.user_id:
        raise ValidationError("This is not your draft.")
    if draft.submitted_contact_id is not None:
        return Contact.objects.get(pk=draft.submitted_contact_id)
    agency = Agency.objects.get(pk=draft.agency_id)
    now = timezone.now()
    reference_hint = f"concern-{draft.pk}"
    child_id: uuid.UUID | None = None
    identity_id: uuid.UUID | None = None
    if chosen_child is not None:
        child_id = chosen_child.pk
    else:
        described = answers.child
        link = identities_link(
            agency=agency,
            incoming=[
                IncomingIdentity(
                    agency_record_id=reference_hint,
                    forename=described.get("forename") or "Not known",
                    surname=described.get("surname") or "Not known",
                    date_of_birth=described.get("date_of_birth"),
                    nhs_number=described.get("nhs_number") or "",
                    unique_pupil_number=described.get("upn") or "",
                    address=described.get("address") or "",
                    postcode=described.get("postcode") or "",
                    recorded_on=timezone.localdate(),
                )
            ],
            process="concern",
        )[reference_hint]
        child_id, identity_id = link.child_id, link.identity_id
    contact = contact_open(
        actor=actor,
        source=ContactSource.PROFESSIONAL,
        summary=_concern_summary(answers),
        received_at=now,
        child_id=child_id,
        identity_id=identity_id,
        urgency=answers.urgency,
        source_agency_id=agency.pk,
    )
    child = answers.child
    concern = Concern(
        contact=contact,
        chosen_child=chosen_child is not None,
        child_forename=(chosen_child.forename if chosen_child else child.get("forename")) or "",
        child_surname=(chosen_child.surname if chosen_child else child.get("surname")) or "",
        child_known_as=child.get("known_as") or "",
        child_date_of_birth=chosen_child.date_of_birth if chosen_child else child.get("date_of_birth"),
        child_age_text=child.get("age") or "",
        child_nhs_number=(chosen_child.nhs_number if chosen_child else child.get("nhs_number")) or "",
        child_upn=(chosen_child.unique_pupil_number if chosen_child else child.get("upn")) or "",
        child_address=child.get("address") or "",
        child_postcode=child.get("postcode") or "",
        child_school_or_setting=child.get("school") or "",
        what_happened=answers.what_happened,
        happened_on=answers.happened_on,
        happened_when_text=answers.happened_when_text,
        where=answers.where,
        what_seen_or_told=answers.what_seen_or_told,
        child_words=answers.child_words,
        indicator_codes=answers.indicator_codes,
        adults=answers.adults,
        places=answers.places,
        vehicles=answers.vehicles,
        phones=answers.phones,
        family_knows=answers.family_knows,
        family_not_told_reason=answers.family_not_told_reason,
        sharing_basis=answers.sharing_basis,
    )
    concern.full_clean(exclude=["contact"])
    concern.save()
    referrer = Referrer(contact=contact, **answers.referrer)
    referrer.full_clean(exclude=["contact"])
    referrer.save()
    draft.submitted_contact = contact
    draft.save(update_fields=["submitted_contact", "updated_at"])
    return contact


# --- Public reports ---------------------------------------------------------------------------

PUBLIC_LIMIT_PER_HOUR = 5
PUBLIC_ATTEMPTS_PER_HOUR = 20


def public_client_hash(address: str) -> str:
    """A keyed hash of the client address: enough to count attempts, useless to identify anyone."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"public-report:{address}".encode(), hashlib.sha256).hexdigest()


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def public_report_allowed(*, client_hash: str, now: datetime | None = None) -> bool:
    """At most 5 accepted reports and 20 attempts an hour from one address (settings can change both)."""
    since = (now or timezone.now()) - PUBLIC_RATE_WINDOW
    attempts = PublicReportAttempt.objects.filter(client_hash=client_hash, attempted_at__gte=since)
    accepted = attempts.filter(accepted=True).count()
    return accepted < _limit(
        "OPENMASH_PUBLIC_REPORTS_PER_HOUR", PUBLIC_LIMIT_PER_HOUR
    ) and attempts.count() < _limit("OPENMASH_PUBLIC_ATTEMPTS_PER_HOUR", PUBLIC_ATTEMPTS_PER_HOUR)


PUBLIC_RATE_WINDOW = timedelta(hours=1)  # the window public_report_allowed counts over
PUBLIC_ATTEMPT_RETENTION_HOURS = 24


def public_attempt_retention() -> timedelta:
    """How long rate-limit rows are kept: OPENMASH_PUBLIC_ATTEMPT_RETENTION_HOURS (environment or
    settings), default 24 hours, never less than the rate-limit window itself."""
    name = "OPENMASH_PUBLIC_ATTEMPT_RETENTION_HOURS"
    configured: Any = os.environ.get(name) or getattr(settings, name, None) or PUBLIC_ATTEMPT_RETENTION_HOURS
    return max(timedelta(hours=float(configured)), PUBLIC_RATE_WINDOW)


@transaction.atomic
def public_report_attempts_purge(
    *, older_than: timedelta | None = None, now: datetime | None = None, dry_run: bool = False
) -> int:
    """Delete public-report rate-limit rows (keyed address hashes) older than the retention window.

    A scheduled retention job (``openmash intake_retention``): the rows exist only to rate-limit
    the anonymous form, so once outside the window they serve no purpose and are deleted.
    Never deletes inside the rate-limit window, so limiting is unchanged. Returns how many.
    """
    keep = max(older_than or public_attempt_retention(), PUBLIC_RATE_WINDOW)
    cutoff = (now or timezone.now()) - keep
    old = PublicReportAttempt.objects.filter(attempted_at__lt=cutoff)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    _logger.info(
        "Retention: deleted %s public-report rate-limit rows from before %s", deleted, cutoff.isoformat()
    )
    return deleted


@transaction.atomic
def public_report_refusal_record(*, client_hash: str, reason: str) -> None:
    PublicReportAttempt.objects.create(
        client_hash=client_hash, attempted_at=timezone.now(), accepted=False, reason=reason[:30]
    )


@transaction.atomic
def public_report_submit(
    *,
    client_hash: str,
    worry: str,
    child_description: str = "",
    location: str = "",
    when: str = "",
    reporter_contact: str = "",
) -> Contact:
    """Accept an anonymous report: a public contact in the hub's queue (its reference is all we show)."""
    worry = worry.strip()
    if not worry:
        raise ValidationError({"worry": "Tell us what you are worried about."})
    PublicReportAttempt.objects.create(client_hash=client_hash, attempted_at=timezone.now(), accepted=True)
    contact = contact_open(
        actor=Actor.system("public-report"),
        source=ContactSource.PUBLIC,
        summary="Report from a member of the public",
        urgency=Urgency.SAME_DAY,
    )
    report = PublicReport(
        contact=contact,
        worry=worry,
        child_description=child_description.strip(),
        location=location.strip(),
        when=when.strip(),
        reporter_contact=reporter_contact.strip(),
    )
    report.full_clean(exclude=["contact"])
    report.save()
    return contact


# --- Feed clients (agency systems posting to the API) -----------------------------------------

TOKEN_PREFIX = "omf_"  # noqa: S105 - a prefix that marks OpenMASH feed tokens, not a secret


def feed_token_hash(token: str) -> str:
    # Tokens are 256-bit random values, so a plain SHA-256 is enough (no dictionary to attack).
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def feed_client_create(
    *, actor: Actor, agency: Agency, name: str, feeds: list[str]
) -> tuple[FeedClient, str]:
    """Register an agency system. Returns the client and its token, which is shown once and never stored."""
    from openmash.intake.feeds.catalogue import FEEDS

    unknown = [feed for feed in feeds if feed not in FEEDS]
    if unknown:
        raise ValidationError({"feeds": f"Unknown feeds: {', '.join(unknown)}"})
    wrong_kind = [feed for feed in feeds if agency.kind not in FEEDS[feed].agency_kinds]
    if wrong_kind:
        raise ValidationError(
            {"feeds": f"A {agency.get_kind_display()} cannot send: {', '.join(wrong_kind)}"}
        )
    if not feeds:
        raise ValidationError({"feeds": "Name at least one feed."})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = FeedClient(
        agency=agency,
        name=name.strip(),
        token_hash=feed_token_hash(token),
        token_hint=token[:10],
        feeds=feeds,
    )
    client.full_clean()
    client.save()
    return client, token


@transaction.atomic
def feed_client_revoke(*, actor: Actor, client: FeedClient) -> FeedClient:
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at", "updated_at"])
    return client


# --- The hub identifies the child for a contact that arrived without one (ADR 45) --------------

IDENTIFY_PROCESS = "hub.identify"
MIN_IDENTIFY_REASON = 10


def _identify_checks(*, actor: Actor, contact: Contact, reason: str, manager_only: bool = False) -> str:
    from openmash.access.selectors import IdentificationRefused, may_identify_child_for_contact
    from openmash.accounts.roles import Role

    if not may_identify_child_for_contact(actor=actor, hub_team_id=contact.hub_team_id) or (
        manager_only and actor.role != Role.MASH_MANAGER
    ):
        raise IdentificationRefused("No such contact")
    reason = reason.strip()
    if len(reason) < MIN_IDENTIFY_REASON:
        raise ValidationError({"reason": f"Say why, in at least {MIN_IDENTIFY_REASON} characters."})
    if contact.status != ContactStatus.OPEN:
        raise ValidationError("This contact is closed: its child can no longer be changed here.")
    return reason


def _identified_record(*, actor: Actor, contact: Contact, child_id: uuid.UUID, what: str) -> None:
    from openmash.audit.models import Action, Outcome
    from openmash.audit.services import AccessBasis, access_event_record

    access_event_record(
        actor=actor,
        action=Action.VIEW,
        resource_type="contact",
        resource_id=str(contact.pk),
        child_id=child_id,
        purpose=f"{what} for contact {contact.reference}"[:200],
        outcome=Outcome.GRANTED,
        basis=AccessBasis(kind="relationship:hub_contact", id=str(contact.hub_relationship_id or "")),
    )


def _contact_child_attach(*, contact: Contact, child_id: uuid.UUID) -> None:
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


@transaction.atomic
def contact_child_identify(*, actor: Actor, contact: Contact, child_id: uuid.UUID, reason: str) -> Contact:
    """A hub officer says which known child a contact without one is about.

    The contact takes the child, the hub team its relationship to the child (the one it already
    holds for another open contact, or a new one), and the contacts-matched hooks run so the
    contact's clocks and a decision waiting for sign-off take the child too. The change is in the
    contact's history with the reason (pghistory context) and in the read log. Refused for a
    closed contact and for one that already has a child (ADR 45: correcting is a manager's undo).
    """
    import pghistory

    reason = _identify_checks(actor=actor, contact=contact, reason=reason)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    reason = _identify_checks(actor=actor, contact=contact, reason=reason)
    if contact.child_id is not None:
        raise ValidationError("This contact already has a child. A MASH manager can correct it.")
    if not Child.objects.filter(pk=child_id).exists():
        raise ValidationError({"child": "No such child."})
    with pghistory.context(process=IDENTIFY_PROCESS, action="identify", reason=reason, by=actor.username):
        _contact_child_attach(contact=contact, child_id=child_id)
    _identified_record(actor=actor, contact=contact, child_id=child_id, what="Identified the child")
    return contact


@dataclass(frozen=True)
class DescribedChild:
    """A child the hub does not hold yet, as the contact describes them."""

    forename: str = ""
    surname: str = ""
    known_as: str = ""  # a first name only, a nickname or a short description ("Jay, small, red coat")
    date_of_birth: date | None = None
    approximate_age: int | None = None
    postcode: str = ""


@transaction.atomic
def contact_child_create(
    *, actor: Actor, contact: Contact, described: DescribedChild, reason: str
) -> Contact:
    """None of the hub's children is the one: make a new child record from what the contact
    describes (a name or description, and a date of birth or an approximate age) and attach it,
    with the same effect as ``contact_child_identify``.

    The hub holds no "approximate age" field: without a date of birth, the child's record has
    none, and the age given is kept in the history context of the record's creation.
    """
    import pghistory

    reason = _identify_checks(actor=actor, contact=contact, reason=reason)
    names = [described.forename.strip(), described.surname.strip(), described.known_as.strip()]
    errors: dict[str, str] = {}
    if not any(names):
        errors["forename"] = "Enter a name, or describe the child in 'Known as or described as'."
    if described.date_of_birth is None and described.approximate_age is None:
        errors["date_of_birth"] = "Enter a date of birth or an approximate age."
    if described.approximate_age is not None and not 0 <= described.approximate_age <= 25:
        errors["approximate_age"] = "Enter an age between 0 and 25."
    if described.date_of_birth is not None and described.date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "The date of birth must be in the past."
    if errors:
        raise ValidationError(errors)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _identify_checks(actor=actor, contact=contact, reason=reason)
    if contact.child_id is not None:
        raise ValidationError("This contact already has a child. A MASH manager can correct it.")
    with pghistory.context(
        process=IDENTIFY_PROCESS,
        action="create_from_contact",
        reason=reason,
        by=actor.username,
        contact=contact.reference,
        approximate_age=described.approximate_age,
    ):
        child = Child(
            forename=names[0][:100],
            surname=names[1][:100],
            preferred_name=names[2][:100],
            date_of_birth=described.date_of_birth,
            postcode=" ".join(described.postcode.upper().split())[:8],
            created_by_process=IDENTIFY_PROCESS,
        )
        child.full_clean(exclude=["forename", "surname"])  # either may be unknown; one name is required
        child.save()
        _contact_child_attach(contact=contact, child_id=child.pk)
    _identified_record(actor=actor, contact=contact, child_id=child.pk, what="Created a child record")
    return contact


def _hub_relationship_release(*, contact: Contact, at: datetime) -> None:
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


@transaction.atomic
def contact_child_identification_undo(
    *, actor: Actor, contact: Contact, reason: str, child_id: uuid.UUID | None = None
) -> Contact:
    """A MASH manager undoes a mistaken identification: the contact goes back to unmatched
    (``child_id`` None) or to the right child.

    The hub's relationship the contact held ends unless another open contact still needs it;
    the contact's clocks drop the child they took and, when corrected, take the new one (through
    the contacts-matched hooks). Refused for a contact matched through an agency identity (that
    is matching's to correct), once a threshold decision is recorded, and for a closed contact.
    Every state is kept in the contact's history, with the reason.
    """
    import pghistory

    from openmash.timescales.services import clocks_child_clear

    reason = _identify_checks(actor=actor, contact=contact, reason=reason, manager_only=True)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _identify_checks(actor=actor, contact=contact, reason=reason, manager_only=True)
    if contact.child_id is None:
        raise ValidationError("This contact has no child to correct.")
    if contact.identity_id is not None:
        raise ValidationError(
            "This contact was matched through an agency's record: correct the match instead."
        )
    if contact.threshold_decisions.exists():  # type: ignore[attr-defined]
        raise ValidationError("A decision has been recorded on this contact: its child can no longer change.")
    if child_id is not None and child_id == contact.child_id:
        raise ValidationError({"child": "Choose a different child, or return the contact to unmatched."})
    if child_id is not None and not Child.objects.filter(pk=child_id).exists():
        raise ValidationError({"child": "No such child."})
    old_child_id, now = contact.child_id, timezone.now()
    with pghistory.context(process=IDENTIFY_PROCESS, action="undo", reason=reason, by=actor.username):
        _hub_relationship_release(contact=contact, at=now)
        if old_child_id is not None:
            clocks_child_clear(
                subject_type="intake.Contact", subject_ids=[str(contact.pk)], child_id=old_child_id
            )
        contact.child_id = None
        contact.hub_relationship = None
        contact.is_re_referral, contact.re_referral_reason = False, ""
        contact.save(
            update_fields=["child", "is_re_referral", "re_referral_reason", "hub_relationship", "updated_at"]
        )
        if child_id is not None:
            _contact_child_attach(contact=contact, child_id=child_id)
    _identified_record(
        actor=actor,
        contact=contact,
        child_id=child_id or old_child_id,
        what="Corrected the child" if child_id else "Undid the identification of the child",
    )
    return contact
