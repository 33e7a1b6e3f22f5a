"""Attaching incoming identities to children: the one seam the matching capability replaces.

Until probabilistic matching lands (issue 4), ``identities_link`` links an incoming
identity to a child only on an exact, unambiguous national identifier (NHS number or
unique pupil number). Anything else becomes a new, unmatched ``AgencyIdentity``
(child = None) with an ``IdentityReview`` for a person to decide.

This runs as a system process, not as a user: it reads child ids to link records and
never shows a child's details to anyone, so it writes no read-log entry.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from openmash.accounts.models import Agency
from openmash.intake.models import IdentityReview
from openmash.people.models import AgencyIdentity, Child, Sex


@dataclass(frozen=True)
class IncomingIdentity:
    """A person as one agency describes them."""

    agency_record_id: str
    forename: str
    surname: str
    recorded_on: date
    date_of_birth: date | None = None
    sex: str = ""
    nhs_number: str = ""
    unique_pupil_number: str = ""
    address: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class LinkResult:
    identity_id: uuid.UUID
    child_id: uuid.UUID | None
    how: str  # "known" (seen before), "nhs_number", "upn", "newly_linked", "probabilistic", "unmatched"

    @property
    def newly_linked(self) -> bool:
        return self.how == "newly_linked"


def _unique_children(field: str, values: set[str]) -> tuple[dict[str, uuid.UUID], set[str]]:
    """Exact matches on one identifier: value -> child id when exactly one child holds it."""
    if not values:
        return {}, set()
    holders: dict[str, list[uuid.UUID]] = defaultdict(list)
    column = {"nhs_number": "nhs_number", "unique_pupil_number": "unique_pupil_number"}[field]
    for child_id, value in _any_rows(Child, ("id", column), column, values):
        holders[value].append(child_id)
    unique = {value: ids[0] for value, ids in holders.items() if len(ids) == 1}
    ambiguous = {value for value, ids in holders.items() if len(ids) > 1}
    return unique, ambiguous


def _any_rows(
    model: type[Model],
    columns: tuple[str, ...],
    key: str,
    values: set[str],
    agency_id: uuid.UUID | None = None,
) -> list[tuple[Any, ...]]:
    """``columns`` of the rows whose ``key`` column is one of ``values``: one array parameter rather
    than thousands of placeholders (a feed chunk looks up thousands of identifiers at once)."""
    table = connection.ops.quote_name(model._meta.db_table)
    where = f"{key} = ANY(%s::text[])" + (" AND agency_id = %s" if agency_id is not None else "")
    params: list[Any] = [list(values)] + ([agency_id] if agency_id is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {where}", params)  # noqa: S608
        return cursor.fetchall()


def _exact_match(
    incoming: IncomingIdentity,
    by_nhs: dict[str, uuid.UUID],
    by_upn: dict[str, uuid.UUID],
    ambiguous: set[str],
) -> tuple[uuid.UUID | None, str]:
    """(child id, how) or (None, the reason a person must review it)."""
    nhs_child = by_nhs.get(incoming.nhs_number) if incoming.nhs_number else None
    upn_child = by_upn.get(incoming.unique_pupil_number) if incoming.unique_pupil_number else None
    if nhs_child and upn_child and nhs_child != upn_child:
        return None, "The NHS number and the pupil number belong to different children"
    if nhs_child:
        return nhs_child, "nhs_number"
    if upn_child:
        return upn_child, "upn"
    if {incoming.nhs_number, incoming.unique_pupil_number} & ambiguous:
        return None, "More than one child holds this identifier"
    if incoming.nhs_number or incoming.unique_pupil_number:
        return None, "No child holds this NHS number or pupil number"
    return None, "No NHS number or pupil number to match on"


@transaction.atomic
def identities_link(
    *,
    agency: Agency,
    incoming: Sequence[IncomingIdentity],
    process: str,
    needs_child: set[str] | frozenset[str] = frozenset(),
) -> dict[str, LinkResult]:
    """Link each incoming identity (keyed by its agency_record_id) to a child, or queue it for review.

    An identity the agency sent before keeps its record (an agency's own record is never
    overwritten); if it is still unmatched and now carries an identifier that matches one
    child exactly, it is linked now and its review closed (``how == "newly_linked"``).

    ``needs_child``: the agency_record_ids whose record opens a contact. When matching on
    arrival finds no child for one of them, a child is made from the record (ADR 0035).
    """
    by_id = {item.agency_record_id: item for item in incoming}
    if not by_id:
        return {}
    existing = {
        record_id: (pk, child_id)
        for pk, record_id, child_id in _any_rows(
            AgencyIdentity, ("id", "agency_record_id", "child_id"), "agency_record_id", set(by_id),
            agency_id=agency.pk,
        )
    }  # fmt: skip
    candidates = [item for key, item in by_id.items() if key not in existing or existing[key][1] is None]
    by_nhs, ambiguous_nhs = _unique_children("nhs_number", {c.nhs_number for c in candidates if c.nhs_number})
    by_upn, ambiguous_upn = _unique_children(
        "unique_pupil_number", {c.unique_pupil_number for c in candidates if c.unique_pupil_number}
    )
    ambiguous = ambiguous_nhs | ambiguous_upn

    results: dict[str, LinkResult] = {}
    new_identities: list[AgencyIdentity] = []
    reviews: list[tuple[AgencyIdentity, str]] = []
    newly_linked: dict[uuid.UUID, uuid.UUID] = {}
    for key, item in by_id.items():
        if key in existing:
            identity_id, child_id = existing[key]
            if child_id is None:
                matched, _ = _exact_match(item, by_nhs, by_upn, ambiguous)
                if matched is not None:
                    newly_linked[identity_id] = matched
                    results[key] = LinkResult(identity_id, matched, "newly_linked")
                    continue
            results[key] = LinkResult(identity_id, child_id, "known")
            continue
        matched, how = _exact_match(item, by_nhs, by_upn, ambiguous)
        identity = AgencyIdentity(
            agency=agency,
            agency_record_id=key,
            child_id=matched,
            forename=item.forename[:100],
            surname=item.surname[:100],
            date_of_birth=item.date_of_birth,
            sex=item.sex or Sex.NOT_KNOWN,
            nhs_number=item.nhs_number,
            unique_pupil_number=item.unique_pupil_number,
            address=item.address[:300],
            postcode=item.postcode[:8],
            recorded_on=item.recorded_on,
        )
        new_identities.append(identity)
        if matched is None:
            reviews.append((identity, how))
        results[key] = LinkResult(identity.pk, matched, how if matched else "unmatched")
    AgencyIdentity.objects.bulk_create(new_identities)
    IdentityReview.objects.bulk_create(
        [
            IdentityReview(identity=identity, reason=f"{reason} ({process})"[:200])
            for identity, reason in reviews
        ]
    )
    if newly_linked:
        from openmash.intake.services import identity_link_to_child

        for identity_id, child_id in newly_linked.items():
            identity_link_to_child(identity_id=identity_id, child_id=child_id, resolved_by=process)
    unmatched = [identity for identity in new_identities if identity.child_id is None]
    if 0 < len(unmatched) <= ARRIVAL_MATCH_LIMIT:
        on_arrival = _match_on_arrival(unmatched, needs_child=needs_child)
        for key, result in list(results.items()):
            if result.identity_id in on_arrival:
                results[key] = LinkResult(result.identity_id, on_arrival[result.identity_id], "probabilistic")
    return results


# Records that arrive a few at a time (an API post, a concern) are matched as they arrive;
# a large file is linked by `openmash match run` after the import, which is far faster in bulk.
ARRIVAL_MATCH_LIMIT = 50


def _match_on_arrival(
    identities: list[AgencyIdentity], *, needs_child: set[str] | frozenset[str] = frozenset()
) -> dict[uuid.UUID, uuid.UUID]:
    """Probabilistic matching (issue 4) for identities no exact identifier linked.

    A sure match to one child links the identity now (matching calls back into
    intake's identity_link_to_child, which closes its review and catches up contacts
    and signs); uncertain ones become clerical review pairs. A record that opens a contact
    (``needs_child``) and matches no child gets a new child. No trained model: nothing.
    """
    from openmash.matching.services import ArrivalOutcome, identity_match_on_arrival

    linked: dict[uuid.UUID, uuid.UUID] = {}
    for identity in identities:
        decision = identity_match_on_arrival(
            identity_id=identity.pk, create_child=identity.agency_record_id in needs_child
        )
        if decision.outcome == ArrivalOutcome.NO_MODEL:
            break
        if decision.linked and decision.child_id is not None:
            linked[identity.pk] = decision.child_id
    return linked


# --- Linking many identities at once (matching's child index, ADR 0035) ----------------------

_LINK_SQL = """
UPDATE people_agencyidentity AS identity
   SET child_id = wanted.child_id, updated_at = %(now)s
  FROM unnest(%(ids)s::uuid[], %(children)s::uuid[]) AS wanted(id, child_id)
 WHERE identity.id = wanted.id AND identity.child_id IS NULL
RETURNING identity.id, identity.child_id
"""
_REVIEWS_CLOSE_SQL = """
UPDATE intake_identityreview
   SET status = CASE WHEN identity_id = ANY(%(new_child)s::uuid[]) THEN 'new_child' ELSE 'linked' END,
       resolved_at = %(now)s, resolved_by = %(by)s, updated_at = %(now)s
 WHERE identity_id = ANY(%(ids)s::uuid[]) AND status = 'open'
"""


def identities_link_to_children(
    *, links: dict[uuid.UUID, uuid.UUID], resolved_by: str, new_children: set[uuid.UUID] | None = None
) -> dict[uuid.UUID, uuid.UUID]:
    """The bulk form of ``services.identity_link_to_child``, for thousands of identities at once.

    Each unlinked identity in ``links`` takes its child (one statement), its open identity
    review closes ("linked", or "new_child" for the ids in ``new_children``), the open contacts
    that came in with it take the child (re-referral checked, the hub's relationship held or
    started, the contacts-matched hooks called once for all of them) and its feed records raise
    the warning signs they carry. Identities linked meanwhile are left alone. Returns the
    identities this call linked, with their child. Runs inside the caller's transaction.
    """
    from django.utils import timezone

    from openmash.intake.feeds.signs import StoredRecord, signs_derive, signs_store
    from openmash.intake.models import FeedRecord

    if not links:
        return {}
    now = timezone.now()
    ids = list(links)
    with connection.cursor() as cursor:
        cursor.execute(_LINK_SQL, {"now": now, "ids": ids, "children": [links[i] for i in ids]})
        linked: dict[uuid.UUID, uuid.UUID] = dict(cursor.fetchall())
        if not linked:
            return {}
        cursor.execute(
            _REVIEWS_CLOSE_SQL,
            {
                "now": now,
                "by": resolved_by[:150],
                "ids": list(linked),
                "new_child": [i for i in linked if i in (new_children or set())],
            },
        )
    _contacts_catch_up(linked)
    records = FeedRecord.objects.filter(identity_id__in=list(linked)).only(
        "id",
        "agency_id",
        "feed",
        "source_id",
        "version",
        "event_type",
        "event_date",
        "payload",
        "identity_id",
    )
    signs_store(
        signs_derive([StoredRecord.of(row, linked[row.identity_id]) for row in records.iterator(2000)])
    )
    return linked


def _contacts_catch_up(linked: dict[uuid.UUID, uuid.UUID]) -> None:
    """Contacts that came in with these identities and have no child yet take the identity's child,
    as ``identity_link_to_child`` does one at a time, with a handful of queries for all of them."""
    from django.utils import timezone

    from openmash.access.models import Relationship, RelationshipBasis
    from openmash.access.services import relationships_start
    from openmash.intake.models import Contact, ContactStatus
    from openmash.intake.services._common import (
        CASE_BASES,
        HUB_PROCESS,
        RE_REFERRAL_WINDOW,
        _contacts_matched_hooks,
        _hub_relationships_held,
        hub_team_get,
    )

    contacts = list(
        Contact.objects.filter(identity_id__in=list(linked), child__isnull=True).order_by("received_at", "pk")
    )
    if not contacts:
        return
    for contact in contacts:
        assert contact.identity_id is not None
        contact.child_id = linked[contact.identity_id]
    children = {contact.child_id for contact in contacts if contact.child_id is not None}
    earliest = min(contact.received_at for contact in contacts) - RE_REFERRAL_WINDOW
    earlier: dict[uuid.UUID, list[tuple[Any, str, uuid.UUID]]] = defaultdict(list)
    for pk, child_id, reference, received in (
        Contact.objects.filter(child_id__in=children, received_at__gte=earliest)
        .values_list("pk", "child_id", "reference", "received_at")
        .order_by("received_at")
    ):
        earlier[child_id].append((received, reference, pk))
    closed: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for child_id, ended in Relationship.objects.filter(
        child_id__in=children, basis__in=CASE_BASES, valid_to__gte=earliest
    ).values_list("child_id", "valid_to"):
        closed[child_id].append(ended)
    for contact in contacts:
        assert contact.child_id is not None
        at, since = contact.received_at, contact.received_at - RE_REFERRAL_WINDOW
        before = [e for e in earlier[contact.child_id] if since <= e[0] <= at and e[2] != contact.pk]
        reason = ""
        if before:
            received, reference, _ = before[-1]
            reason = f"Earlier contact {reference} received {timezone.localtime(received):%d %B %Y}"
        else:
            closings = [v for v in closed[contact.child_id] if since <= v <= at]
            if closings:
                reason = f"A case for this child closed on {timezone.localtime(max(closings)):%d %B %Y}"
        contact.is_re_referral, contact.re_referral_reason = bool(reason), reason[:300]
        earlier[contact.child_id].append((contact.received_at, contact.reference, contact.pk))
        earlier[contact.child_id].sort(key=lambda e: e[0])
    default_team = hub_team_get()
    now = timezone.now()
    by_team: dict[Any, list[Contact]] = defaultdict(list)
    for contact in contacts:
        if contact.status == ContactStatus.OPEN:
            by_team[contact.hub_team or default_team].append(contact)
    for team, team_contacts in by_team.items():
        if team is None:
            continue
        wanted = {contact.child_id for contact in team_contacts if contact.child_id}
        held = _hub_relationships_held(child_ids=wanted, team=team, at=now)
        first: dict[uuid.UUID, str] = {}
        for contact in team_contacts:
            if contact.child_id and contact.child_id not in held:
                first.setdefault(contact.child_id, contact.reference)
        started = relationships_start(
            child_ids=list(first),
            basis=RelationshipBasis.HUB_CONTACT,
            holder_team=team,
            created_by_process=HUB_PROCESS,
            source_references=list(first.values()),
            valid_from=now,
        )
        held.update(zip(first, started, strict=True))
        for contact in team_contacts:
            contact.hub_relationship = held.get(contact.child_id) if contact.child_id else None
    for contact in contacts:
        contact.updated_at = now
    Contact.objects.bulk_update(
        contacts,
        ["child", "is_re_referral", "re_referral_reason", "hub_relationship", "updated_at"],
        batch_size=1000,
    )
    for hook in _contacts_matched_hooks:
        hook(contacts)
