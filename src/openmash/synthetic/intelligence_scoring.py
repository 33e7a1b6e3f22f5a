"""Scoring the intelligence app's candidate groups against the planted truth (tests, benchmarks).

Reads the truth tables, so nothing in the service imports it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import igraph as ig

from .intelligence import _namespace, observed_id
from .models import Borough, TrueAdult, TrueChild


@dataclass(frozen=True)
class GroupScore:
    ari: float
    nmi: float
    people: int
    groups: int


def planted_groups(seed: int | None = None) -> dict[uuid.UUID, int]:
    """Observed entity id -> planted group number, for every adult and child in a planted group."""
    if seed is None:
        borough = Borough.objects.order_by("-generated_at").first()
        seed = borough.seed if borough else 1
    ns = _namespace(seed)
    truth: dict[uuid.UUID, int] = {}
    for true_id, number in TrueAdult.objects.filter(exploitation_group__isnull=False).values_list(
        "id", "exploitation_group__number"
    ):
        truth[observed_id(ns, true_id)] = number
    for true_id, number in (
        TrueChild.objects.filter(exploitation_group__isnull=False, hub_child__isnull=False)
        .exclude(exploitation_risk="none")
        .values_list("id", "exploitation_group__number")
    ):
        truth[observed_id(ns, true_id)] = number
    return truth


def score_partition(truth: dict[uuid.UUID, int], found: dict[uuid.UUID, int]) -> GroupScore:
    """ARI and NMI over the planted people the picture holds (people it never observed are left out;
    a person it holds but put in no community counts as a community of their own)."""
    people = [entity_id for entity_id in truth if entity_id in found]
    if not people:
        return GroupScore(0.0, 0.0, 0, 0)
    a = [truth[p] for p in people]
    b = [found[p] for p in people]
    ari = ig.compare_communities(a, b, method="adjusted_rand") if len(set(a)) > 1 or len(set(b)) > 1 else 1.0
    nmi = ig.compare_communities(a, b, method="nmi") if len(set(a)) > 1 or len(set(b)) > 1 else 1.0
    return GroupScore(float(ari), float(nmi), len(people), len(set(a)))
