"""How other apps add to a child's record without the people app importing them.

An app registers, in its AppConfig.ready():
- a tab on the child's record (`register_child_tab`), shown when its `visible` says so;
- a chronology provider (`register_chronology_provider`): the kinds it produces (so the
  chronology filter lists them) and two functions of a `ChronologyQuery`:
  `entries(query)`, the newest `query.limit` entries (all when the limit is None) that match
  the query's filters, newest first, and `counts(query)`, how many entries it holds for each
  (agency name, kind) under the query's visibility and date range (not its agency and kind
  filters: the page lists the agencies from them).
Both answer in SQL: filter by the query's child ids, agency, kind and dates, order by time
descending and cut at the limit, and build entries from `values()` rows (ADR 0052).

Providers receive the query, which holds the ChildAccess the choke point handed out, never
a bare child id, so they cannot be called for a child the viewer may not see. Each provider
still decides which of its own records the viewer's agency may see (`query.every_agency`
says whether the viewer's role sees every agency's entries; the people app filters again
afterwards as a backstop).

`query.child_ids` is the child and every child merged into it (ADR 0034): append-only rows
of a merged child stay with it, and are read through the merge. Mark an entry from one of
those with `merged=query.is_merged(child_id)`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from openmash.access.selectors import ChildAccess
    from openmash.accounts.actor import Actor
    from openmash.people.selectors import ChronologyEntry


@dataclass(frozen=True)
class ChildTab:
    key: str
    label: str
    url_name: str  # takes child_id
    order: int = 100
    visible: Callable[[ChildAccess, Actor], bool] = lambda access, actor: True


@dataclass(frozen=True)
class ChronologyQuery:
    """What part of a child's chronology to read, for whom."""

    access: ChildAccess
    actor: Actor
    child_ids: tuple[uuid.UUID, ...]  # the child first, then children merged into it
    every_agency: bool  # the viewer's role sees every agency's entries
    agency: str = ""  # an agency's name ("Hub" for the hub's own entries); "" for all
    kind: str = ""  # one kind; "" for all
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive
    limit: int | None = None  # the newest this many; None for all
    oldest_first: bool = False  # the oldest `limit` instead, oldest first (for the later pages)

    @property
    def child_id(self) -> uuid.UUID:
        return self.child_ids[0]

    @property
    def viewer_agency_id(self) -> uuid.UUID | None:
        return self.actor.agency_id

    def is_merged(self, child_id: uuid.UUID | None) -> bool:
        return child_id is not None and child_id != self.child_id

    def order(self, when: str) -> tuple[str, str]:
        """A provider's ORDER BY for a source dated by `when`: the order `newest` cuts in."""
        return (when, "pk") if self.oldest_first else (f"-{when}", "-pk")

    def wants(self, kind: str) -> bool:
        return not self.kind or self.kind == kind

    def unfiltered(self) -> ChronologyQuery:
        """The same child, viewer and dates, every agency and kind, no limit (for counts)."""
        return ChronologyQuery(
            access=self.access,
            actor=self.actor,
            child_ids=self.child_ids,
            every_agency=self.every_agency,
            since=self.since,
            until=self.until,
        )

    def at_range(self, name: str) -> Q:
        """The date range on a date-and-time column (local days, whole days)."""
        q = Q()
        if self.since:
            q &= Q(**{f"{name}__gte": _local_midnight(self.since)})
        if self.until:
            q &= Q(**{f"{name}__lt": _local_midnight(self.until + timedelta(days=1))})
        return q

    def on_range(self, name: str) -> Q:
        """The date range on a date column."""
        q = Q()
        if self.since:
            q &= Q(**{f"{name}__gte": self.since})
        if self.until:
            q &= Q(**{f"{name}__lte": self.until})
        return q

    def agency_q(self, name: str, *, fallback: str | None = None) -> Q | None:
        """The agency filter on an agency foreign key `name` (null shows as `fallback`).
        None when no row of this source can match (skip the query)."""
        if not self.agency:
            return Q()
        if fallback is not None and self.agency == fallback:
            return Q(**{f"{name}__isnull": True})
        return Q(**{f"{name}__name": self.agency})

    def fixed_agency(self, label: str) -> bool:
        """Whether the agency filter admits entries that always show as `label` (e.g. "Hub")."""
        return not self.agency or self.agency == label

    def own_agency_q(self, name: str) -> Q | None:
        """Rows of the viewer's own agency, for viewers who see only their own (Q() for the
        rest); None when the viewer has no agency and so may see none."""
        if self.every_agency:
            return Q()
        if self.actor.agency_id is None:
            return None
        return Q(**{f"{name}_id": self.actor.agency_id})


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def newest(
    rows: list[ChronologyEntry], limit: int | None, *, oldest_first: bool = False
) -> list[ChronologyEntry]:
    """Newest first (or oldest first), ties in a fixed order, cut at the limit: what `entries`
    returns."""
    rows.sort(key=lambda entry: (entry.occurred_at, entry.key), reverse=not oldest_first)
    return rows if limit is None else rows[:limit]


def count_rows(
    rows: Any, kind: str, *, agency: str = "agency__name", fallback: str = ""
) -> Counter[tuple[str, str]]:
    """Counts for `counts()`: a queryset's rows grouped by agency name, as (agency, kind)."""
    from django.db.models import Count

    counted: Counter[tuple[str, str]] = Counter()
    for name, n in rows.order_by().values(agency).annotate(n=Count("pk")).values_list(agency, "n"):
        counted[(name or fallback, kind)] += n
    return counted


@dataclass(frozen=True)
class ChronologyProvider:
    name: str
    kinds: dict[str, str]
    entries: Callable[[ChronologyQuery], list[ChronologyEntry]]
    counts: Callable[[ChronologyQuery], Counter[tuple[str, str]]]


_tabs: dict[str, ChildTab] = {}
_providers: dict[str, ChronologyProvider] = {}


def register_child_tab(tab: ChildTab) -> None:
    _tabs[tab.key] = tab


def register_chronology_provider(provider: ChronologyProvider) -> None:
    _providers[provider.name] = provider


def child_tabs() -> list[ChildTab]:
    return sorted(_tabs.values(), key=lambda tab: (tab.order, tab.key))


def chronology_providers() -> list[ChronologyProvider]:
    return list(_providers.values())


def visible_tabs(access: ChildAccess, actor: Actor) -> list[dict[str, Any]]:
    return [
        {"key": tab.key, "label": tab.label, "url_name": tab.url_name}
        for tab in child_tabs()
        if tab.visible(access, actor)
    ]
