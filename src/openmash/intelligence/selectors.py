"""Reading the intelligence picture. Every function that shows it takes the actor and writes its
access event through ``access`` (one per view, search or export); refusals are 404s."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from openmash.access.selectors import ChildAccess, child_get_for_user
from openmash.accounts.actor import Actor
from openmash.audit.models import Action

from .access import (
    child_network_refuse,
    child_network_visible,
    entity_get_for_user,
    may_see_network,
    network_read_for_user,
)
from .choices import IntelligenceAssessment, LinkKind, Status, grading_code
from .models import Entity, EntityVersion, Link

NETWORK_NODE_LIMIT = 600
TWO_HOP_PER_NODE = 60


@dataclass(frozen=True)
class NetworkFilters:
    """What part of the picture to show: kinds of entity and link, a date window, a grading floor."""

    entity_kinds: frozenset[str] = frozenset()
    link_kinds: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None
    source_evaluations: frozenset[str] = frozenset()
    worst_assessment: str = "E"  # show links assessed at this letter or better (A best)
    confirmed_only: bool = False

    def describe(self) -> str:
        parts = []
        if self.entity_kinds:
            parts.append("entities " + ",".join(sorted(self.entity_kinds)))
        if self.link_kinds:
            parts.append("links " + ",".join(sorted(self.link_kinds)))
        if self.since or self.until:
            parts.append(f"{self.since or '…'} to {self.until or '…'}")
        if self.source_evaluations:
            parts.append("sources " + ",".join(sorted(self.source_evaluations)))
        if self.worst_assessment != "E":
            parts.append(f"assessed {self.worst_assessment} or better")
        if self.confirmed_only:
            parts.append("confirmed only")
        return "; ".join(parts) or "everything"


@dataclass(frozen=True)
class Node:
    id: uuid.UUID
    kind: str
    label: str
    status: str
    child_id: uuid.UUID | None = None
    attributes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Edge:
    id: uuid.UUID
    kind: str
    source: uuid.UUID
    target: uuid.UUID
    valid_from: date
    valid_to: date | None
    grading: str
    status: str
    source_agency: str
    source_record: str

    @property
    def wording(self) -> str:
        return LinkKind(self.kind).label


@dataclass
class Network:
    nodes: dict[uuid.UUID, Node]
    edges: list[Edge]
    truncated: bool = False

    @property
    def child_ids(self) -> list[uuid.UUID]:
        return [node.child_id for node in self.nodes.values() if node.child_id]


def current_links() -> QuerySet[Link]:
    """Links nothing has corrected and nobody has rejected: the picture as it stands."""
    return Link.objects.filter(corrected_by__isnull=True).exclude(status=Status.REJECTED)


def _filtered(links: QuerySet[Link], filters: NetworkFilters) -> QuerySet[Link]:
    if filters.link_kinds:
        links = links.filter(kind__in=filters.link_kinds)
    if filters.entity_kinds:
        links = links.filter(source__kind__in=filters.entity_kinds, target__kind__in=filters.entity_kinds)
    if filters.since:
        links = links.exclude(valid_to__lt=filters.since)
    if filters.until:
        links = links.filter(valid_from__lte=filters.until)
    if filters.source_evaluations:
        links = links.filter(source_evaluation__in=filters.source_evaluations)
    if filters.worst_assessment in IntelligenceAssessment.values and filters.worst_assessment != "E":
        allowed = [code for code in IntelligenceAssessment.values if code <= filters.worst_assessment]
        links = links.filter(intelligence_assessment__in=allowed)
    if filters.confirmed_only:
        links = links.filter(status=Status.CONFIRMED)
    return links


def current_versions(entity_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, EntityVersion]:
    """The latest uncorrected version of each entity."""
    ids = list(set(entity_ids))
    if not ids:
        return {}
    versions = (
        EntityVersion.objects.filter(entity_id__in=ids, corrected_by__isnull=True)
        .order_by("entity_id", "-recorded_at")
        .distinct("entity_id")
    )
    return {version.entity_id: version for version in versions}


def _nodes(entity_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Node]:
    ids = set(entity_ids)
    versions = current_versions(ids)
    nodes: dict[uuid.UUID, Node] = {}
    for entity_id, kind, child_id in Entity.objects.filter(pk__in=ids).values_list("pk", "kind", "child_id"):
        version = versions.get(entity_id)
        nodes[entity_id] = Node(
            id=entity_id,
            kind=kind,
            label=version.label if version else kind,
            status=version.status if version else Status.UNCONFIRMED,
            child_id=child_id,
            attributes=dict(version.attributes) if version else {},
        )
    return nodes


def _edges(links: Iterable[Link]) -> list[Edge]:
    return [
        Edge(
            id=link.pk,
            kind=link.kind,
            source=link.source_id,
            target=link.target_id,
            valid_from=link.valid_from,
            valid_to=link.valid_to,
            grading=grading_code(link.source_evaluation, link.intelligence_assessment, link.handling_code),
            status=link.status,
            source_agency=link.source_agency.name if link.source_agency_id and link.source_agency else "",
            source_record=link.source_record,
        )
        for link in links
    ]


def network_read(
    *, filters: NetworkFilters, around: Iterable[uuid.UUID] = (), limit: int = NETWORK_NODE_LIMIT
) -> Network:
    """The network under the filters (around some entities if given), with no access check:
    callers are the functions below and the system's own analytics."""
    links = _filtered(current_links(), filters).select_related("source_agency")
    focus = list(around)
    if focus:
        links = links.filter(source_id__in=focus) | links.filter(target_id__in=focus)
    chosen: list[Link] = []
    seen: set[uuid.UUID] = set(focus)
    truncated = False
    for link in links.order_by("-valid_from", "id")[: limit * 4]:
        new = {link.source_id, link.target_id} - seen
        if len(seen) + len(new) > limit:
            truncated = True
            continue
        seen |= new
        chosen.append(link)
    return Network(nodes=_nodes(seen), edges=_edges(chosen), truncated=truncated)


def network_for_user(
    *, actor: Actor, purpose: str, filters: NetworkFilters, around: Iterable[uuid.UUID] = ()
) -> Network:
    """The network view for an intelligence role: one LIST event naming the children shown."""
    if not may_see_network(actor):
        network_read_for_user(actor=actor, purpose=purpose)  # logs the denial and raises 404
    network = network_read(filters=filters, around=around)
    network_read_for_user(
        actor=actor, purpose=purpose, child_ids=network.child_ids, resource_id=filters.describe()[:64]
    )
    return network


@dataclass
class EntityDetail:
    entity: Entity
    version: EntityVersion | None
    history: list[EntityVersion]
    network: Network
    link_history: list[Link]
    current_link_ids: set[uuid.UUID]


def entity_detail_for_user(*, actor: Actor, entity_id: uuid.UUID | str, purpose: str) -> EntityDetail:
    entity = entity_get_for_user(actor=actor, id=entity_id, purpose=purpose)
    history = list(EntityVersion.objects.filter(entity=entity).order_by("-recorded_at"))
    version = next((v for v in history if not EntityVersion.objects.filter(corrects=v).exists()), None)
    network = network_read(filters=NetworkFilters(), around=[entity.pk], limit=200)
    link_history = list(
        (Link.objects.filter(source=entity) | Link.objects.filter(target=entity))
        .select_related("source_agency")
        .order_by("-recorded_at")[:200]
    )
    current_ids = set(
        current_links().filter(pk__in=[link.pk for link in link_history]).values_list("pk", flat=True)
    )
    return EntityDetail(
        entity=entity,
        version=version,
        history=history,
        network=network,
        link_history=link_history,
        current_link_ids=current_ids,
    )


def link_get_for_user(*, actor: Actor, link_id: uuid.UUID | str, purpose: str) -> Link:
    """One link for an analyst's review page (logged against its source entity)."""
    link = (
        Link.objects.filter(pk=link_id).select_related("source", "target").first()
        if may_see_network(actor)
        else None
    )
    if link is None:
        entity_get_for_user(actor=actor, id=str(link_id), purpose=purpose)  # logs the denial, raises 404
        raise AssertionError  # pragma: no cover
    entity_get_for_user(actor=actor, id=link.source_id, purpose=purpose)
    return link


@dataclass
class ChildNetwork:
    access: ChildAccess
    shows_others: bool
    network: Network
    counts: dict[str, int]
    more: int = 0


def two_hop(entity_id: uuid.UUID, *, per_node: int = TWO_HOP_PER_NODE) -> tuple[list[Link], int]:
    """Links within two hops of an entity: all of its own, and up to ``per_node`` of each neighbour's
    (most recent first), with how many were left out."""
    first = list(
        (
            current_links().filter(source_id=entity_id) | current_links().filter(target_id=entity_id)
        ).select_related("source_agency")
    )
    neighbours = {link.source_id for link in first} | {link.target_id for link in first}
    neighbours.discard(entity_id)
    taken: dict[uuid.UUID, int] = defaultdict(int)
    seen = {link.pk for link in first}
    chosen = list(first)
    left_out = 0
    if neighbours:
        second = (
            (
                current_links().filter(source_id__in=neighbours)
                | current_links().filter(target_id__in=neighbours)
            )
            .select_related("source_agency")
            .order_by("-valid_from")
        )
        for link in second:
            if link.pk in seen:
                continue
            hub = link.source_id if link.source_id in neighbours else link.target_id
            if taken[hub] >= per_node:
                left_out += 1
                continue
            taken[hub] += 1
            seen.add(link.pk)
            chosen.append(link)
    return chosen, left_out


def child_network_for_user(*, actor: Actor, child_id: uuid.UUID | str, purpose: str) -> ChildNetwork:
    """A child's two-hop network for the child's page. Reading the child goes through the child's
    choke point (relationship or break-glass, one event); the adults, places, vehicles, phones and
    other children are shown only to intelligence roles (and logged as a network view)."""
    access = child_get_for_user(actor=actor, child_id=child_id, purpose=purpose)
    if not child_network_visible(actor):
        child_network_refuse(actor=actor, child_id=access.child.pk, purpose=purpose)
    entity = Entity.objects.filter(child_id=access.child.pk).first()
    links, more = two_hop(entity.pk) if entity else ([], 0)
    ids = {entity.pk} if entity else set()
    for link in links:
        ids |= {link.source_id, link.target_id}
    nodes = _nodes(ids)
    counts: dict[str, int] = defaultdict(int)
    for node_id, node in nodes.items():
        if entity is None or node_id != entity.pk:
            counts[node.kind] += 1
    shows = may_see_network(actor)
    if shows:
        network = Network(nodes=nodes, edges=_edges(links))
        network_read_for_user(
            actor=actor,
            purpose=purpose,
            child_ids=network.child_ids,
            action=Action.VIEW,
            resource_id=str(access.child.pk),
        )
    else:
        network = Network(nodes={}, edges=[])
    return ChildNetwork(access=access, shows_others=shows, network=network, counts=dict(counts), more=more)
