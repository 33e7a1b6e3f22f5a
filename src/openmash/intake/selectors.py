"""Reads in intake. Every one takes the actor; children's details come through the access layer.

The hub queue shows, for each open contact, the child's name only where the viewer may
see that child now (the MASH team holds a relationship while a contact is open), and
writes one LIST event to the read log for the page, as ``child_page_for_user`` does.
Described-but-unmatched children are shown as they were described to the hub: that is
the contact's own content, which the hub was sent.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404

from openmash.access.selectors import (
    ChildAccess,
    SealedItem,
    child_get_for_user,
    children_visible_to,
    sealed_item_access,
)
from openmash.accounts.actor import Actor
from openmash.accounts.roles import CASE_ROLES, Role
from openmash.audit.models import Action, Outcome
from openmash.audit.services import access_event_record
from openmash.intake.models import (
    URGENCY_ORDER,
    ConcernDraft,
    Contact,
    ContactSource,
    ContactStatus,
    FeedRecord,
    Referrer,
)
from openmash.people.selectors import EVERY_AGENCY_ROLES

HUB_ROLES = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER})
QUEUE_RESOURCE = "contact_queue"


class NotFound(Http404):
    """A draft or contact the actor may not see: the same 404 as one that does not exist."""


def may_report(actor: Actor) -> bool:
    return actor.user_id is not None and actor.agency_id is not None and actor.role in CASE_ROLES


def may_see_hub_queue(actor: Actor) -> bool:
    return actor.user_id is not None and actor.role in HUB_ROLES


def concern_draft_get_for_user(*, actor: Actor, draft_id: uuid.UUID | str) -> ConcernDraft:
    draft = (
        ConcernDraft.objects.filter(
            pk=draft_id, owner_id=actor.user_id, submitted_contact__isnull=True
        ).first()
        if may_report(actor)
        else None
    )
    if draft is None:
        raise NotFound("No such draft")
    return draft


def concern_drafts_for_user(*, actor: Actor) -> list[ConcernDraft]:
    if not may_report(actor):
        return []
    return list(
        ConcernDraft.objects.filter(owner_id=actor.user_id, submitted_contact__isnull=True).order_by(
            "-updated_at"
        )[:10]
    )


def contact_sent_get_for_user(*, actor: Actor, contact_id: uuid.UUID | str) -> Contact:
    """The contact the actor has just sent (for its reference): only to the person who sent it."""
    contact = Contact.objects.filter(pk=contact_id, created_by_id=actor.user_id).first()
    if contact is None or actor.user_id is None:
        raise NotFound("No such contact")
    return contact


@dataclass(frozen=True)
class QueueRow:
    contact: Contact
    child_label: str
    child_id: uuid.UUID | None
    matched: bool
    from_label: str


def _urgency_rank() -> Case:
    return Case(
        *[When(urgency=code, then=Value(rank)) for code, rank in URGENCY_ORDER.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def _from_label(contact: Contact) -> str:
    if contact.source == ContactSource.PUBLIC:
        return "Member of the public"
    agency = contact.source_agency.name if contact.source_agency else "Unknown agency"
    return f"{agency} (feed)" if contact.source == ContactSource.FEED else agency


def _described(contact: Contact) -> str:
    concern = getattr(contact, "concern", None)
    if concern is not None:
        name = " ".join(p for p in (concern.child_forename, concern.child_surname) if p)
        return name or concern.child_known_as or "Name not given"
    if contact.identity is not None:
        return f"{contact.identity.full_name} (as {contact.identity.agency.name} holds it)"
    return "Not known"


def contact_queue_for_hub(
    *, actor: Actor, page_number: Any = 1, source: str = ""
) -> tuple[Page[Any], list[QueueRow]]:
    """Open contacts, most urgent first and oldest first within each urgency; one read-log event per page."""
    if not may_see_hub_queue(actor):
        raise NotFound("Not a hub page for this role")
    contacts = (
        Contact.objects.filter(status=ContactStatus.OPEN)
        .select_related("source_agency", "concern", "identity__agency")
        .annotate(urgency_rank=_urgency_rank())
        .order_by("urgency_rank", "received_at", "reference")
    )
    if source in ContactSource.values:
        contacts = contacts.filter(source=source)
    page = Paginator(contacts, 50).get_page(page_number)
    child_ids = {contact.child_id for contact in page.object_list if contact.child_id}
    names = {
        pk: f"{forename} {surname}".strip()
        for pk, forename, surname in children_visible_to(actor=actor, include_break_glass=False)
        .filter(pk__in=child_ids)
        .values_list("pk", "forename", "surname")
    }
    rows = []
    for contact in page.object_list:
        if contact.child_id in names:
            rows.append(
                QueueRow(contact, names[contact.child_id], contact.child_id, True, _from_label(contact))
            )
        elif contact.child_id:
            rows.append(
                QueueRow(contact, "Child record (you have no access)", None, True, _from_label(contact))
            )
        else:
            rows.append(QueueRow(contact, _described(contact), None, False, _from_label(contact)))
    access_event_record(
        actor=actor,
        action=Action.LIST,
        resource_type=QUEUE_RESOURCE,
        child_ids=sorted(names),
        purpose="Hub queue: open contacts",
        outcome=Outcome.GRANTED,
    )
    return page, rows


def contact_get_for_hub(*, actor: Actor, contact_id: uuid.UUID | str) -> Contact:
    """One contact for the hub team. Its child, if matched, is read separately through the choke point."""
    contact = (
        Contact.objects.select_related(
            "source_agency", "concern", "public_report", "referrer", "identity__agency", "feed_record"
        )
        .filter(pk=contact_id)
        .first()
        if may_see_hub_queue(actor)
        else None
    )
    if contact is None:
        raise NotFound("No such contact")
    return contact


def contact_get_for_viewer(
    *, actor: Actor, contact_id: uuid.UUID | str
) -> tuple[Contact, ChildAccess | None]:
    """A contact for its page: the hub sees every contact; anyone else only a contact about a child
    they may see, read through the access choke point (which writes the read log, and answers
    404 for a child they may not see). Returns the contact and, for those others, the access."""
    if may_see_hub_queue(actor):
        return contact_get_for_hub(actor=actor, contact_id=contact_id), None
    contact = (
        Contact.objects.select_related(
            "source_agency", "concern", "public_report", "referrer", "identity__agency", "feed_record"
        )
        .filter(pk=contact_id, child__isnull=False)
        .first()
        if actor.user_id is not None and actor.role in CASE_ROLES
        else None
    )
    if contact is None or contact.child_id is None:
        raise NotFound("No such contact")
    access = child_get_for_user(
        actor=actor, child_id=contact.child_id, purpose=f"Contact {contact.reference}"
    )
    return contact, access


@dataclass(frozen=True)
class ReferrerView:
    sealed: bool
    shown: bool
    referrer: Referrer | None
    may_override: bool = False  # not shown, and the viewer may open it with a written reason
    overridden: bool = False  # shown only because the viewer opened it with a written reason


REFERRER_ITEM = "intake.Referrer"


def referrer_sealed_item(contact: Contact, referrer: Referrer) -> SealedItem:
    """The referrer's identity as a sealed item of the access layer: it belongs to the referrer's agency."""
    return SealedItem(
        item_type=REFERRER_ITEM,
        item_id=str(referrer.pk),
        owner_agency_id=contact.source_agency_id,
        child_id=contact.child_id,
    )


def referrer_for_viewer(*, actor: Actor, contact: Contact) -> ReferrerView:
    """Who reported, for this viewer. A sealed referrer is shown to the hub and the referrer's agency,
    and to anyone else only through an override with a written reason (ADR 25), which the
    access layer decides, logs and raises as a privacy alert (``access.selectors.sealed_item_access``).

    Anyone else (and any family-facing output) learns only that the referrer's identity is
    restricted (security reference §4.4, "sealed").
    """
    referrer = getattr(contact, "referrer", None)
    if referrer is None:
        return ReferrerView(sealed=False, shown=False, referrer=None)
    if not referrer.sealed:
        return ReferrerView(sealed=False, shown=True, referrer=referrer)
    access = sealed_item_access(
        actor=actor, item=referrer_sealed_item(contact, referrer), purpose=f"Contact {contact.reference}"
    )
    return ReferrerView(
        sealed=True,
        shown=access.shown,
        referrer=referrer if access.shown else None,
        may_override=access.may_override,
        overridden=access.why == "override",
    )


def feed_record_for_contact(*, contact: Contact) -> FeedRecord | None:
    return contact.feed_record


# --- The child's chronology ------------------------------------------------------------------

CHRONOLOGY_KINDS = {"contact": "Contact to the hub", "agency_record": "Agency record"}
# Roles that see every agency's records on a child they may see; others see their own agency's only.
ALL_AGENCY_ROLES = frozenset(
    {Role.MASH_OFFICER, Role.MASH_MANAGER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.INTELLIGENCE_ANALYST}
)


def _chronology_sources(query: Any) -> dict[str, Any]:
    """Contacts and agency feed records as filtered querysets, for a child the choke point has
    already let the actor see (and the children merged into it).

    Hub, social work and intelligence roles see every agency's records; anyone else sees only
    what their own agency sent (a school sees its attendance returns, not sexual health
    presentations).
    """
    every_agency = query.actor.role in ALL_AGENCY_ROLES
    if not every_agency and query.actor.agency_id is None:
        return {}
    sources: dict[str, Any] = {}
    if query.wants("contact"):
        agency = query.agency_q("source_agency", fallback=PUBLIC)
        if agency is not None:
            contacts = Contact.objects.filter(
                agency, query.at_range("received_at"), child_id__in=query.child_ids
            )
            if not every_agency:
                contacts = contacts.filter(source_agency_id=query.actor.agency_id)
            sources["contact"] = contacts
    if query.wants("agency_record"):
        agency = query.agency_q("agency")
        if agency is not None:
            records = FeedRecord.objects.filter(
                agency, query.on_range("event_date"), identity__child_id__in=query.child_ids
            )
            if not every_agency:
                records = records.filter(agency_id=query.actor.agency_id)
            sources["agency_record"] = records
    return sources


PUBLIC = "Member of the public"


def chronology_counts(query: Any) -> Counter[tuple[str, str]]:
    from openmash.people.extensions import count_rows

    counts: Counter[tuple[str, str]] = Counter()
    for kind, rows in _chronology_sources(query).items():
        if kind == "contact":
            counts.update(count_rows(rows, kind, agency="source_agency__name", fallback=PUBLIC))
        else:
            counts.update(count_rows(rows, kind))
    return counts


def chronology_entries(query: Any) -> list[Any]:
    """The newest `query.limit` contacts and agency records matching the query, from `values()`
    rows. Entries name the record, never its content."""
    from datetime import datetime, time

    from django.utils import timezone

    from openmash.intake.feeds.catalogue import FEEDS
    from openmash.people.extensions import newest
    from openmash.people.selectors import ChronologyEntry

    sources = _chronology_sources(query)
    entries = []
    if "contact" in sources:
        contacts = (
            sources["contact"]
            .order_by(*query.order("received_at"))
            .values("pk", "received_at", "source_agency__name", "source", "reference", "summary", "child_id")
        )
        for row in contacts[: query.limit] if query.limit is not None else contacts:
            entries.append(
                ChronologyEntry(
                    row["received_at"],
                    "contact",
                    row["source_agency__name"] or PUBLIC,
                    f"{ContactSource(row['source']).label} contact {row['reference']}: {row['summary']}",
                    key=f"contact:{row['pk']}",
                    merged=query.is_merged(row["child_id"]),
                )
            )
    if "agency_record" in sources:
        records = (
            sources["agency_record"]
            .order_by(*query.order("event_date"))
            .values(
                "pk",
                "event_date",
                "agency__name",
                "feed",
                "event_type",
                "source_id",
                "version",
                "identity__child_id",
            )
        )
        for row in records[: query.limit] if query.limit is not None else records:
            spec = FEEDS.get(row["feed"])
            title = spec.title.split(": ", 1)[-1] if spec else row["feed"]
            version = f", version {row['version']}" if row["version"] > 1 else ""
            event = row["event_type"].replace("_", " ")
            entries.append(
                ChronologyEntry(
                    timezone.make_aware(datetime.combine(row["event_date"], time(9, 0))),
                    "agency_record",
                    row["agency__name"],
                    f"{title}: {event} (their record {row['source_id']}{version})",
                    key=f"agency_record:{row['pk']}",
                    merged=query.is_merged(row["identity__child_id"]),
                )
            )
    return newest(entries, query.limit, oldest_first=query.oldest_first)


def feed_record_get_for_user(*, actor: Actor, record_id: uuid.UUID | str) -> tuple[FeedRecord, ChildAccess]:
    """One agency record, for someone who may see its child: the link behind a warning sign.

    Reading it is reading the child (one read-log event through the choke point). Roles
    outside the hub, social work and intelligence see only their own agency's records.
    """
    record = (
        FeedRecord.objects.select_related("agency", "identity").filter(pk=record_id).first()
        if _is_uuid(record_id)
        else None
    )
    child_id = record.identity.child_id if record is not None else None
    access = child_get_for_user(
        actor=actor,
        child_id=str(child_id) if child_id else "",  # no child yet: the same logged 404
        purpose=f"View an agency record ({record.feed})" if record else "View an agency record",
    )
    assert record is not None
    if actor.role not in EVERY_AGENCY_ROLES and record.agency_id != actor.agency_id:
        raise NotFound("Another agency's record")
    return record, access


def _is_uuid(value: uuid.UUID | str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
