"""Reads of a child's data. Each takes a ChildAccess, which only the access choke point hands out."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.apps import apps
from django.utils import timezone

from openmash.people.extensions import ChronologyQuery, chronology_providers, newest
from openmash.people.models import AgencyIdentity, FamilyLink

if TYPE_CHECKING:
    from openmash.access.selectors import ChildAccess
    from openmash.accounts.actor import Actor


def child_identities(*, access: ChildAccess) -> list[AgencyIdentity]:
    return list(
        AgencyIdentity.objects.filter(child=access.child)
        .select_related("agency")
        .order_by("agency__name", "recorded_on")
    )


def child_family(*, access: ChildAccess) -> list[FamilyLink]:
    return list(
        FamilyLink.objects.filter(child=access.child)
        .select_related("adult", "related_child")
        .order_by("relation")
    )


@dataclass(frozen=True)
class ChronologyEntry:
    occurred_at: datetime
    kind: str
    agency: str
    summary: str
    # Other agencies a provider shares this entry with (e.g. agencies invited to a meeting).
    shared_with: frozenset[uuid.UUID] = field(default=frozenset())
    # Breaks ties between entries at the same moment, the same on every page ("visit:<pk>").
    key: str = ""
    # From a child record merged into this one (append-only rows stay with that record).
    merged: bool = False


# Roles that work the whole case and see every agency's entries for a child they may see.
# Anyone else (a GP, a school nurse, a police officer) sees only their own agency's entries
# and those shared with their agency, whatever a provider returns.
EVERY_AGENCY_ROLES = frozenset(
    {"mash_officer", "mash_manager", "social_worker", "team_manager", "intelligence_analyst"}
)

CHRONOLOGY_PAGE_SIZE = 100

CHRONOLOGY_KINDS = {
    "record": "Hub record",
    "identity": "Agency record",
    "family": "Family",
    "involvement": "Involvement",
}


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def chronology_kinds() -> dict[str, str]:
    kinds = dict(CHRONOLOGY_KINDS)
    for provider in chronology_providers():
        kinds.update(provider.kinds)
    return kinds


# -- reading through merges ------------------------------------------------------------------


def child_ids_through_merges(child_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
    """The child and every child merged into it (and into those, in turn), the child first.

    A merge moves a merged child's rows to the survivor, except append-only history, which
    stays with the merged child (ADR 0034): reading the survivor's signs, risk levels, visits
    or meetings reads them for all of these ids. An unmerge sets the merge's status back, and
    the merged child drops out. The merge table is matching's; it is read by name, so people
    (and the apps that build on it) do not import matching.
    """
    return (child_id, *merged_children_of([child_id]).get(child_id, ()))


def merged_children_of(child_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[uuid.UUID, ...]]:
    """For each listed child with children merged into it (in turn too), those children's ids:
    one query per level of merging, for lists of many children."""
    try:
        merges = apps.get_model("matching", "ChildMerge")
    except LookupError:
        return {}
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    root = {child_id: child_id for child_id in child_ids}  # survivor at this level -> listed child
    seen = set(child_ids)
    while root:
        rows = (
            merges.objects.filter(status="merged", survivor_id__in=list(root))
            .order_by("created_at")
            .values_list("survivor_id", "merged_id")
        )
        level: dict[uuid.UUID, uuid.UUID] = {}
        for survivor, merged in rows:
            if merged in seen:
                continue
            seen.add(merged)
            found.setdefault(root[survivor], []).append(merged)
            level[merged] = root[survivor]
        root = level
    return {child_id: tuple(ids) for child_id, ids in found.items()}


# -- the chronology --------------------------------------------------------------------------


def chronology_query(
    *,
    access: ChildAccess,
    actor: Actor,
    agency: str = "",
    kind: str = "",
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> ChronologyQuery:
    return ChronologyQuery(
        access=access,
        actor=actor,
        child_ids=child_ids_through_merges(access.child.pk),
        every_agency=actor.role in EVERY_AGENCY_ROLES,
        agency=agency,
        kind=kind,
        since=since,
        until=until,
        limit=limit,
    )


def _hub_entries(query: ChronologyQuery) -> list[ChronologyEntry]:
    """The people app's own entries: few per child, so built whole and filtered here."""
    from openmash.access.models import Relationship

    child = query.access.child
    entries: list[ChronologyEntry] = [
        ChronologyEntry(child.created_at, "record", "Hub", "Hub record created", key=f"record:{child.pk}"),
    ]
    for identity in child_identities(access=query.access):
        entries.append(
            ChronologyEntry(
                _at(identity.recorded_on),
                "identity",
                identity.agency.name,
                f"{identity.agency.name} first recorded this child as {identity.full_name}",
                key=f"identity:{identity.pk}",
            )
        )
    for link in child_family(access=query.access):
        if link.valid_from:
            relative = link.adult.full_name if link.adult else "a sibling"
            entries.append(
                ChronologyEntry(
                    _at(link.valid_from),
                    "family",
                    "Hub",
                    f"{link.get_relation_display()}: {relative}",
                    key=f"family:{link.pk}",
                )
            )
    relationships = Relationship.objects.filter(child=child).select_related(
        "holder_user", "holder_team__agency", "holder_agency"
    )
    now = timezone.now()
    for rel in relationships:
        holder = rel.holder_user or rel.holder_team or rel.holder_agency
        agency = (
            rel.holder_team.agency.name
            if rel.holder_team
            else rel.holder_agency.name
            if rel.holder_agency
            else "Hub"
        )
        what = f"{rel.get_basis_display()}: {holder}"
        entries.append(
            ChronologyEntry(rel.valid_from, "involvement", agency, what, key=f"involvement:{rel.pk}")
        )
        if rel.valid_to and rel.valid_to <= now:
            entries.append(
                ChronologyEntry(
                    rel.valid_to, "involvement", agency, f"Ended: {what}", key=f"involvement-end:{rel.pk}"
                )
            )
    return [e for e in entries if _in_range(e, query)]


def _in_range(entry: ChronologyEntry, query: ChronologyQuery) -> bool:
    day = timezone.localdate(entry.occurred_at)
    return (query.since is None or day >= query.since) and (query.until is None or day <= query.until)


def _matches(entry: ChronologyEntry, query: ChronologyQuery) -> bool:
    return (not query.agency or entry.agency == query.agency) and query.wants(entry.kind)


def _own_agency_name(actor: Actor) -> str | None:
    from openmash.accounts.models import Agency

    if actor.agency_id is None:
        return None
    return Agency.objects.filter(pk=actor.agency_id).values_list("name", flat=True).first()


def chronology_counts(query: ChronologyQuery) -> Counter[tuple[str, str]]:
    """How many entries the viewer may see, by (agency name, kind), in the query's date range."""
    unfiltered = query.unfiltered()
    counts: Counter[tuple[str, str]] = Counter(
        (entry.agency, entry.kind) for entry in _visible(_hub_entries(unfiltered), query)
    )
    for provider in chronology_providers():
        counts.update(provider.counts(unfiltered))
    return counts


def _visible(entries: list[ChronologyEntry], query: ChronologyQuery) -> list[ChronologyEntry]:
    """The backstop: outside the roles that see every agency, only the viewer's own agency's
    entries and those shared with it, whatever a provider returned."""
    if query.every_agency:
        return entries
    own = _own_agency_name(query.actor)
    agency_id = query.actor.agency_id
    return [e for e in entries if (own is not None and e.agency == own) or agency_id in e.shared_with]


def chronology_entries(query: ChronologyQuery) -> list[ChronologyEntry]:
    """The newest `query.limit` entries matching the query (all when no limit), newest first."""
    entries = [e for e in _hub_entries(query) if _matches(e, query)]
    for provider in chronology_providers():
        if query.kind and query.kind not in provider.kinds:
            continue
        entries.extend(provider.entries(query))
    return newest(_visible(entries, query), query.limit, oldest_first=query.oldest_first)


@dataclass(frozen=True)
class ChronologyPage:
    entries: list[ChronologyEntry]
    number: int
    page_size: int
    total: int  # entries that match the filters
    agencies: list[str]  # agencies with entries the viewer may see in the date range

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.entries else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.entries)


def chronology_page(
    *,
    access: ChildAccess,
    actor: Actor,
    agency: str = "",
    kind: str = "",
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    page_size: int = CHRONOLOGY_PAGE_SIZE,
) -> ChronologyPage:
    """One page of the child's chronology, newest first, filtered in each provider's SQL.

    Page n asks each provider for its newest n x page_size matching entries (one ordered,
    limited query per source), merges them and keeps the last page_size: the first pages,
    which are what people read, cost the same however long the chronology is. Pages in the
    older half are read oldest first from the other end, so the last page is as cheap as the
    first and the middle one is the dearest.
    """
    query = chronology_query(access=access, actor=actor, agency=agency, kind=kind, since=since, until=until)
    counts = chronology_counts(query)
    total = sum(
        n for (name, k), n in counts.items() if (not agency or name == agency) and (not kind or k == kind)
    )
    pages = max(1, -(-total // page_size))
    number = min(max(1, page), pages)
    skipped = (number - 1) * page_size
    if skipped * 2 <= total:
        entries = chronology_entries(replace(query, limit=skipped + page_size))[skipped:]
    else:
        # A page in the older half is read from the other end: the oldest (total - skipped)
        # entries, whose newest page_size are this page, so no page reads more than half.
        oldest = chronology_entries(replace(query, limit=total - skipped, oldest_first=True))
        entries = oldest[-page_size:][::-1]
    agencies = sorted({name for (name, _k), n in counts.items() if n})
    return ChronologyPage(entries=entries, number=number, page_size=page_size, total=total, agencies=agencies)


def child_chronology(
    *,
    access: ChildAccess,
    actor: Actor,
    agency: str = "",
    kind: str = "",
    since: date | None = None,
    until: date | None = None,
) -> list[ChronologyEntry]:
    """The whole of the child's chronology the viewer may see (or one filter of it), newest
    first: for printing. Pages read `chronology_page`."""
    return chronology_entries(
        chronology_query(access=access, actor=actor, agency=agency, kind=kind, since=since, until=until)
    )
