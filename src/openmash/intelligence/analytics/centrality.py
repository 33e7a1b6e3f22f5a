"""Centrality within one entity type (adults with adults, children with children; Cockbain et al.
2011): each type is projected onto itself through what its members share, then ranked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import igraph as ig
import numpy as np
from scipy import sparse

from .graph import PictureGraph


@dataclass(frozen=True)
class Central:
    entity_id: uuid.UUID
    kind: str
    degree: int
    betweenness: float
    eigenvector: float
    explanation: str


def projection(pg: PictureGraph, kind: str) -> tuple[list[int], ig.Graph]:
    """Vertices of ``kind`` joined when linked directly or through anything they share."""
    members = pg.vertices_of(kind)
    n = pg.graph.vcount()
    if not members or pg.graph.ecount() == 0:
        return members, ig.Graph(n=len(members))
    edges = np.array(pg.graph.get_edgelist(), dtype=np.int64)
    ones = np.ones(len(edges))
    adjacency = sparse.coo_matrix((ones, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    adjacency = ((adjacency + adjacency.T) > 0).astype(np.float64)
    rows = adjacency[members]
    shared = rows @ adjacency[:, members]  # through one neighbour
    joined = (shared + adjacency[members][:, members]).tocoo()
    pairs = [(i, j) for i, j in zip(joined.row, joined.col, strict=True) if i < j]
    weights = [float(v) for i, j, v in zip(joined.row, joined.col, joined.data, strict=True) if i < j]
    graph = ig.Graph(n=len(members), edges=pairs)
    graph.es["weight"] = weights
    return members, graph


def centrality_by_kind(pg: PictureGraph, kind: str, *, top: int = 10) -> list[Central]:
    """The ``top`` most central entities of one kind, with why, in words."""
    members, graph = projection(pg, kind)
    if graph.vcount() == 0:
        return []
    degree = graph.degree()
    betweenness = graph.betweenness() if graph.vcount() <= 20000 else [0.0] * graph.vcount()
    eigen = graph.eigenvector_centrality(weights="weight" if graph.ecount() else None, scale=True)
    order = sorted(
        range(graph.vcount()), key=lambda i: (-degree[i], -betweenness[i], str(pg.ids[members[i]]))
    )
    found = []
    plural = {"adult": "adults of concern", "child": "children"}.get(kind, f"{kind}s")
    for i in order[:top]:
        if degree[i] == 0:
            break
        words = f"Linked to {degree[i]} other {plural} directly or through someone or something they share"
        if betweenness[i] > 0:
            words += f"; on {betweenness[i]:.0f} of the shortest paths between other {plural}"
        found.append(
            Central(
                entity_id=pg.ids[members[i]],
                kind=kind,
                degree=degree[i],
                betweenness=float(betweenness[i]),
                eigenvector=float(eigen[i]),
                explanation=words + ". A lead to review, not a finding.",
            )
        )
    return found
