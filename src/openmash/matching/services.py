"""Every write of the matching app: model versions, runs and their links, reviews, merges.

Runs and arrivals are system processes (an `Actor.system(...)`); reviews, merges and
unmerges are people, and need a reason.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.people.models import AgencyIdentity

from .models import (
    IdentityLink,
    LinkHow,
    MatchModel,
    MatchRun,
    ReviewPair,
    ReviewSource,
    ReviewStatus,
    RunStatus,
)


def _who(actor: Actor) -> str:
    return actor.username[:150]


@transaction.atomic
def match_model_save(
    *,
    actor: Actor,
    splink_model: dict[str, Any],
    training_summary: dict[str, Any],
    term_frequencies: dict[str, dict[str, float]],
    upper_threshold: float,
    lower_threshold: float,
    threshold_curve: list[dict[str, Any]] | None = None,
    accuracy: dict[str, Any] | None = None,
    engine: str = "duckdb",
    activate: bool = True,
) -> MatchModel:
    """Save a trained model as the next version (and make it the one in use, by default)."""
    if upper_threshold <= lower_threshold:
        raise ValueError("The upper threshold must be above the lower one")
    latest = MatchModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    if activate:
        MatchModel.objects.filter(is_active=True).update(is_active=False)
    return MatchModel.objects.create(
        version=latest + 1,
        engine=engine,
        splink_model=splink_model,
        training_summary=training_summary,
        term_frequencies=term_frequencies,
        upper_threshold=upper_threshold,
        lower_threshold=lower_threshold,
        threshold_curve=threshold_curve or [],
        accuracy=accuracy or {},
        trained_by=_who(actor),
        is_active=activate,
    )


@transaction.atomic
def match_model_thresholds_set(
    *, actor: Actor, model_id: uuid.UUID, upper: float, lower: float
) -> MatchModel:
    """Change a model's thresholds (configuration): recorded in its training summary's history."""
    if upper <= lower:
        raise ValueError("The upper threshold must be above the lower one")
    match_model = MatchModel.objects.select_for_update().get(pk=model_id)
    history = list(match_model.training_summary.get("threshold_changes", []))
    history.append(
        {
            "at": timezone.now().isoformat(),
            "by": _who(actor),
            "from": [match_model.upper_threshold, match_model.lower_threshold],
            "to": [upper, lower],
        }
    )
    match_model.training_summary = {**match_model.training_summary, "threshold_changes": history}
    match_model.upper_threshold, match_model.lower_threshold = upper, lower
    match_model.save(update_fields=["training_summary", "upper_threshold", "lower_threshold", "updated_at"])
    return match_model


@transaction.atomic
def match_run_start(*, actor: Actor, model: MatchModel, engine: str) -> MatchRun:
    return MatchRun.objects.create(model=model, engine=engine, started_by=_who(actor))


@transaction.atomic
def match_run_finish(*, run: MatchRun, status: str = RunStatus.FINISHED, **fields: Any) -> MatchRun:
    for name, value in fields.items():
        setattr(run, name, value)
    run.status = status
    run.finished_at = timezone.now()
    run.save()
    return run


def _ordered(a: uuid.UUID | str, b: uuid.UUID | str) -> tuple[uuid.UUID, uuid.UUID]:
    first, second = uuid.UUID(str(a)), uuid.UUID(str(b))
    return (first, second) if first < second else (second, first)


@dataclass(frozen=True)
class ScoredPair:
    identity_a: str
    identity_b: str
    match_weight: float
    match_probability: float
    explanation: list[dict[str, Any]]


def review_pairs_open(
    *,
    model: MatchModel,
    pairs: Iterable[ScoredPair],
    source: str,
    run: MatchRun | None = None,
) -> list[ReviewPair]:
    """Open a review for each pair that has no open one; pairs already decided are not asked again."""
    wanted = {_ordered(p.identity_a, p.identity_b): p for p in pairs}
    if not wanted:
        return []
    firsts = {a for a, _ in wanted}
    existing = set(
        ReviewPair.objects.filter(identity_a_id__in=firsts)
        .exclude(status=ReviewStatus.SUPERSEDED)
        .values_list("identity_a_id", "identity_b_id")
    )
    rows = [
        ReviewPair(
            identity_a_id=a,
            identity_b_id=b,
            model=model,
            run=run,
            source=source,
            match_weight=pair.match_weight,
            match_probability=pair.match_probability,
            explanation=pair.explanation,
        )
        for (a, b), pair in wanted.items()
        if (a, b) not in existing
    ]
    return ReviewPair.objects.bulk_create(rows, batch_size=2000)


def identity_link_record(
    *,
    actor: Actor,
    identity_id: uuid.UUID,
    child_id: uuid.UUID,
    how: str,
    matched_identity_id: uuid.UUID | None = None,
    match_weight: float | None = None,
    model: MatchModel | None = None,
    run: MatchRun | None = None,
    review: ReviewPair | None = None,
) -> IdentityLink:
    return IdentityLink.objects.create(
        identity_id=identity_id,
        child_id=child_id,
        how=how,
        matched_identity_id=matched_identity_id,
        match_weight=match_weight,
        model=model,
        run=run,
        review=review,
        linked_by=_who(actor),
    )


def identity_link(
    *,
    actor: Actor,
    identity_id: uuid.UUID,
    child_id: uuid.UUID,
    how: str,
    **evidence: Any,
) -> bool:
    """Link an unlinked identity to a child through intake's seam (it also catches up contacts and
    warning signs), and record why. Returns False if the identity was linked meanwhile."""
    from openmash.intake.services import identity_link_to_child

    if not AgencyIdentity.objects.filter(pk=identity_id, child__isnull=True).exists():
        return False
    identity_link_to_child(identity_id=identity_id, child_id=child_id, resolved_by=_who(actor))
    identity_link_record(actor=actor, identity_id=identity_id, child_id=child_id, how=how, **evidence)
    return True


@dataclass
class AppliedRun:
    links_made: int
    reviews_opened: int
    merge_proposals: int


@transaction.atomic
def match_run_apply(
    *,
    actor: Actor,
    run: MatchRun,
    auto_edges: Iterable[tuple[str, str, float]],
    clusters: dict[str, str],
    review_pairs: Iterable[ScoredPair],
    merge_pairs: Iterable[ScoredPair] = (),
) -> AppliedRun:
    """Write a full run's outcome.

    - An unlinked identity whose automatic cluster holds identities of exactly one child is
      linked to that child (the evidence is its strongest edge into the cluster).
    - A cluster holding identities of two or more children is never merged by the run: its
      strongest edge between two children becomes a review (a person decides a merge).
    - Pairs between the thresholds become reviews when at least one side belongs to a child.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for identity, cluster_id in clusters.items():
        members[cluster_id].append(identity)
    ids = [uuid.UUID(i) for i in clusters]
    child_of = {
        str(pk): child_id
        for pk, child_id in AgencyIdentity.objects.filter(pk__in=ids).values_list("pk", "child_id")
    }
    best_edge: dict[str, tuple[str, float]] = {}
    for a, b, weight in auto_edges:
        for one, other in ((a, b), (b, a)):
            if child_of.get(other) and (one not in best_edge or weight > best_edge[one][1]):
                best_edge[one] = (other, weight)
    links = 0
    for identities in members.values():
        children = {child_of[i] for i in identities if child_of.get(i)}
        if len(children) != 1:
            continue
        (child_id,) = children
        for identity in identities:
            if child_of.get(identity) is None:
                matched, weight = best_edge.get(identity, (None, None))
                made = identity_link(
                    actor=actor,
                    identity_id=uuid.UUID(identity),
                    child_id=child_id,
                    how=LinkHow.AUTOMATIC,
                    matched_identity_id=uuid.UUID(matched) if matched else None,
                    match_weight=weight,
                    model=run.model,
                    run=run,
                )
                links += made
    relevant = [p for p in review_pairs if child_of.get(p.identity_a) or child_of.get(p.identity_b)]
    opened = review_pairs_open(model=run.model, pairs=relevant, source=ReviewSource.RUN, run=run)
    proposals = review_pairs_open(model=run.model, pairs=list(merge_pairs), source=ReviewSource.RUN, run=run)
    return AppliedRun(links_made=links, reviews_opened=len(opened), merge_proposals=len(proposals))
