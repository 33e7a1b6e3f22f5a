"""Connected components and Leiden communities as candidate groups, each explained in words."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass

import igraph as ig
import numpy as np

from .graph import PictureGraph

PERSON_KINDS = frozenset({"adult", "child"})
KIND_WORDS = {
    "adult": ("adult of concern", "adults of concern"),
    "child": ("child", "children"),
    "place": ("place", "places"),
    "vehicle": ("vehicle", "vehicles"),
    "phone": ("phone", "phones"),
    "account": ("online account", "online accounts"),
    "group": ("named group", "named groups"),
}


def count_words(counts: Counter[str] | dict[str, int], order: tuple[str, ...] = tuple(KIND_WORDS)) -> str:
    parts = []
    for kind in order:
        n = counts.get(kind, 0)
        if n:
            one, many = KIND_WORDS.get(kind, (kind, kind + "s"))
            parts.append(f"{n} {one if n == 1 else many}")
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def components(pg: PictureGraph) -> list[list[int]]:
    """Connected components, largest first (vertices with no link left out)."""
    found = [list(c) for c in pg.graph.connected_components() if len(c) > 1]
    return sorted(found, key=len, reverse=True)


def community_weights(pg: PictureGraph) -> list[float]:
    """Link weights for community detection: a link to a busy place counts for less, since a
    station or a park joins people who have nothing else in common."""
    graph = pg.graph
    if graph.ecount() == 0:
        return []
    degree = np.asarray(graph.degree(), dtype=np.float64)
    # Each vertex's divisor: log2(degree) for a place linked more than twice, else 1.
    divisor = np.ones(graph.vcount())
    places = np.fromiter((kind == "place" for kind in pg.kinds), dtype=bool, count=graph.vcount())
    busy = places & (degree > 2)
    divisor[busy] = np.log2(degree[busy])
    ends = np.asarray(graph.get_edgelist(), dtype=np.int64)
    weights = np.asarray(graph.es["weight"], dtype=np.float64) / divisor[ends[:, 0]] / divisor[ends[:, 1]]
    return weights.tolist()


def communities_detect(
    pg: PictureGraph,
    *,
    resolution: float = 1.0,
    iterations: int = 2,
    seed: int = 1,
    weights: list[float] | None = None,
) -> list[int]:
    """igraph's own Leiden (modularity), deterministic for a seed. Returns a community per vertex.

    Two iterations (igraph's default): on a million links, iterating until stable took 65 s of wall
    time against 41 s for two (both on a busy machine, benchmarks/intelligence.py), with the same
    scores against the planted partition.
    """
    random.seed(seed)
    ig.set_random_number_generator(random)
    if pg.graph.ecount() == 0:
        return list(range(pg.graph.vcount()))
    clustering = pg.graph.community_leiden(
        objective_function="modularity",
        weights=weights if weights is not None else community_weights(pg),
        resolution=resolution,
        n_iterations=iterations,
    )
    return list(clustering.membership)


@dataclass(frozen=True)
class CandidateGroup:
    number: int
    members: list[int]
    entity_ids: list[uuid.UUID]
    counts: dict[str, int]
    internal_links: int
    external_links: int
    adult_links: int
    explanation: str

    @property
    def child_count(self) -> int:
        return self.counts.get("child", 0)


def candidate_groups(pg: PictureGraph, membership: list[int], *, min_people: int = 3) -> list[CandidateGroup]:
    """Communities with at least one adult of concern and ``min_people`` people, largest first,
    each with the reasons it was drawn as a group."""
    graph = pg.graph
    by_community: dict[int, list[int]] = {}
    for vertex, community in enumerate(membership):
        by_community.setdefault(community, []).append(vertex)
    groups: list[CandidateGroup] = []
    for members in by_community.values():
        counts = Counter(pg.kinds[v] for v in members)
        if counts.get("adult", 0) < 1 or counts.get("adult", 0) + counts.get("child", 0) < min_people:
            continue
        inside = set(members)
        internal = external = adult_links = 0
        for a, b in _incident(graph, members):
            if a in inside and b in inside:
                internal += 1
                if pg.kinds[a] == "adult" and pg.kinds[b] == "adult":
                    adult_links += 1
            else:
                external += 1
        groups.append(
            CandidateGroup(
                number=0,
                members=members,
                entity_ids=[pg.ids[v] for v in members],
                counts=dict(counts),
                internal_links=internal,
                external_links=external,
                adult_links=adult_links,
                explanation=_explain(counts, internal, external, adult_links),
            )
        )
    groups.sort(key=lambda g: (-(g.counts.get("adult", 0) + g.counts.get("child", 0)), str(g.entity_ids[0])))
    return [
        CandidateGroup(**{**group.__dict__, "number": number}) for number, group in enumerate(groups, start=1)
    ]


def _incident(graph: ig.Graph, members: list[int]) -> list[tuple[int, int]]:
    seen: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for vertex in members:
        for edge_id in graph.incident(vertex):
            if edge_id not in seen:
                seen.add(edge_id)
                pairs.append(graph.es[edge_id].tuple)
    return pairs


def _explain(counts: Counter[str], internal: int, external: int, adult_links: int) -> str:
    share = internal / (internal + external) if internal + external else 0.0
    words = [
        f"{count_words(counts)} are more closely linked to one another than to the rest of the picture: "
        f"{internal} of their {internal + external} links ({share:.0%}) stay inside the group."
    ]
    if adult_links:
        words.append(
            f"The adults are linked to each other {adult_links} time{'s' if adult_links != 1 else ''}."
        )
    if counts.get("child"):
        words.append(
            "The children are linked to these adults or to the same places, vehicles or phones: "
            "they may be being exploited by the same people."
        )
    words.append("This is a lead for an analyst to review, not a finding about anyone.")
    return " ".join(words)
