"""Every write of the matching app: model versions, runs and their links, reviews, merges.

Runs and arrivals are system processes (an `Actor.system(...)`); reviews, merges and
unmerges are people, and need a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.people.models import AgencyIdentity, Child

from .models import (
    Decision,
    IdentityLink,
    LinkHow,
    MatchModel,
    MatchRun,
    ReviewDecision,
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


@transaction.atomic
def threshold_sample_open(
    *, actor: Actor, model: MatchModel, pairs: list[ScoredPair], population: dict[int, int], seed: int
) -> list[ReviewPair]:
    """Open a random sample of pairs as reviews and keep how many pairs each weight group holds
    (ADR 0039), so reviewers' decisions can stand for their groups."""
    opened = review_pairs_open(model=model, pairs=pairs, source=ReviewSource.SAMPLE)
    locked = MatchModel.objects.select_for_update().get(pk=model.pk)
    samples = list(locked.training_summary.get("threshold_samples", []))
    samples.append(
        {
            "at": timezone.now().isoformat(),
            "by": _who(actor),
            "seed": seed,
            "population": {str(k): v for k, v in population.items()},
            "opened": len(opened),
        }
    )
    locked.training_summary = {**locked.training_summary, "threshold_samples": samples}
    locked.save(update_fields=["training_summary", "updated_at"])
    return opened


@transaction.atomic
def match_model_reviewed_figures_set(*, model: MatchModel, figures: dict[str, Any]) -> MatchModel:
    """Keep the precision and recall measured from reviewers' decisions on the model (for `models`)."""
    locked = MatchModel.objects.select_for_update().get(pk=model.pk)
    locked.accuracy = {**locked.accuracy, "reviewed": figures}
    locked.save(update_fields=["accuracy", "updated_at"])
    return locked


# --- Match on arrival -----------------------------------------------------------------------


class ArrivalOutcome:
    LINK = "link"
    REVIEW = "review"
    NEW_CHILD = "new_child"
    NO_MODEL = "no_model"


@dataclass(frozen=True)
class ArrivalDecision:
    """What matching decided about one incoming identity."""

    identity_id: uuid.UUID
    outcome: str  # ArrivalOutcome
    child_id: uuid.UUID | None  # linked child ("link"), or the strongest candidate's child ("review")
    match_weight: float | None  # the strongest candidate's weight, if any
    candidates: list[Any]  # arrival.Candidate, strongest first (at or above the lower threshold)
    reviews_opened: int = 0
    linked: bool = False


def identity_match_on_arrival(
    *, identity_id: uuid.UUID, actor: Actor | None = None, apply: bool = True, create_child: bool = False
) -> ArrivalDecision:
    """Score one just-saved AgencyIdentity against every existing identity and act on it.

    - ``link``: candidates at or above the upper threshold belong to exactly one child: the
      identity is linked to it (through intake's ``identity_link_to_child``, so contacts and
      warning signs catch up) and the evidence recorded.
    - ``review``: the strongest evidence is between the thresholds, or sure matches point at
      two different children: a review pair is opened for each such candidate.
    - ``new_child``: no candidate that belongs to a child reaches the lower threshold. With
      ``create_child`` (a record that arrives with a contact), a child is made from the record
      and the record linked to it (``decision.child_id``, ``decision.linked``).
    - ``no_model``: no trained model yet; nothing is done.

    With ``apply=False`` nothing is written; the decision is only returned. An identity that
    is already linked is scored but never re-linked.
    """
    from . import arrival
    from .data import identities_raw

    actor = actor or Actor.system("match-arrival")
    match_model = MatchModel.objects.filter(is_active=True).first()
    if match_model is None:
        return ArrivalDecision(identity_id, ArrivalOutcome.NO_MODEL, None, None, [])
    index = arrival.index_for(
        model_version=match_model.version,
        splink_model=match_model.splink_model,
        term_frequencies=match_model.term_frequencies,
    )
    raw_one = identities_raw(where="where id = %s", params=(identity_id,))
    if raw_one.num_rows != 1:
        raise AgencyIdentity.DoesNotExist(f"No agency identity {identity_id}")
    candidates = index.score(
        raw_one, min_weight=match_model.lower_threshold, upper=match_model.upper_threshold
    )
    index.add(raw_one)
    own_child = AgencyIdentity.objects.filter(pk=identity_id).values_list("child_id", flat=True).first()
    child_of = dict(
        AgencyIdentity.objects.filter(
            pk__in=[uuid.UUID(c.identity_id) for c in candidates], child__isnull=False
        ).values_list("pk", "child_id")
    )
    with_child = [c for c in candidates if child_of.get(uuid.UUID(c.identity_id))]
    if not with_child:
        made: uuid.UUID | None = None
        if apply and create_child and own_child is None:
            made = child_create_from_identity(actor=actor, identity_id=identity_id, model=match_model)
        return ArrivalDecision(
            identity_id, ArrivalOutcome.NEW_CHILD, made, None, candidates, linked=made is not None
        )
    best = with_child[0]
    sure = [c for c in with_child if c.sure]
    sure_children = {child_of[uuid.UUID(c.identity_id)] for c in sure}
    if len(sure_children) == 1 and (own_child is None or own_child in sure_children):
        (child_id,) = sure_children
        linked = False
        if apply and own_child is None:
            with transaction.atomic():
                linked = identity_link(
                    actor=actor,
                    identity_id=identity_id,
                    child_id=child_id,
                    how=LinkHow.ARRIVAL,
                    matched_identity_id=uuid.UUID(sure[0].identity_id),
                    match_weight=sure[0].match_weight,
                    model=match_model,
                )
        return ArrivalDecision(
            identity_id, ArrivalOutcome.LINK, child_id, best.match_weight, candidates, linked=linked
        )
    to_review = [c for c in with_child if child_of[uuid.UUID(c.identity_id)] != own_child]
    opened: list[ReviewPair] = []
    if apply and to_review:
        with transaction.atomic():
            opened = review_pairs_open(
                model=match_model,
                source=ReviewSource.ARRIVAL,
                pairs=[
                    ScoredPair(
                        str(identity_id), c.identity_id, c.match_weight, c.match_probability, c.explanation
                    )
                    for c in to_review
                ],
            )
    return ArrivalDecision(
        identity_id,
        ArrivalOutcome.REVIEW,
        child_of[uuid.UUID(best.identity_id)],
        best.match_weight,
        candidates,
        reviews_opened=len(opened),
    )


@transaction.atomic
def child_create_from_identity(
    *, actor: Actor, identity_id: uuid.UUID, model: MatchModel | None = None, how: str = LinkHow.NEW_CHILD
) -> uuid.UUID | None:
    """Make a hub child from one unlinked agency record and link the record to it (the index's
    rule for a cluster of one). Returns the child's id, or None if the record was linked meanwhile."""
    from openmash.intake.linking import identities_link_to_children

    identity = AgencyIdentity.objects.select_for_update().filter(pk=identity_id, child__isnull=True).first()
    if identity is None:
        return None
    child = Child.objects.create(
        forename=identity.forename,
        middle_names=identity.middle_names,
        surname=identity.surname,
        date_of_birth=identity.date_of_birth,
        sex=identity.sex,
        nhs_number=identity.nhs_number,
        unique_pupil_number=identity.unique_pupil_number,
        address=identity.address,
        postcode=identity.postcode,
        created_by_process="matching.arrival" if how == LinkHow.NEW_CHILD else "hub.identify",
    )
    identities_link_to_children(
        links={identity.pk: child.pk}, resolved_by=_who(actor), new_children={identity.pk}
    )
    identity_link_record(actor=actor, identity_id=identity.pk, child_id=child.pk, how=how, model=model)
    return child.pk


# --- Clerical review ------------------------------------------------------------------------

MIN_REASON = 10


@transaction.atomic
def review_decide(*, actor: Actor, review_id: uuid.UUID, decision: str, reason: str) -> ReviewDecision:
    """Record a reviewer's decision and act on it.

    "Same child": an unlinked identity is linked to the other's child; two identities of two
    different children merge the children (the older record survives), with this reason.
    "Different children" and "not sure" change no child. Every decision is kept, with who
    made it, in which role and agency, and why; "same" and "different" become training labels.
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    from .merge import child_merge
    from .selectors import WAITING, may_review

    if not may_review(actor):
        raise PermissionDenied("Only the hub's officers and managers review possible matches")
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose whether these records are the same child"})
    if len(reason.strip()) < MIN_REASON:
        raise ValidationError({"reason": f"Give a reason of at least {MIN_REASON} characters"})
    review = ReviewPair.objects.select_for_update().filter(pk=review_id, status__in=WAITING).first()
    if review is None:
        raise ValidationError("This review has already been decided")
    assert actor.user_id is not None and actor.role is not None
    made = ReviewDecision.objects.create(
        review=review,
        decision=decision,
        reason=reason.strip(),
        decided_by_id=actor.user_id,
        decided_by_role=actor.role,
        decided_by_agency_id=actor.agency_id,
    )
    if decision == Decision.MATCH:
        identities = {
            i.pk: i
            for i in AgencyIdentity.objects.select_for_update().filter(
                pk__in=[review.identity_a_id, review.identity_b_id]
            )
        }
        a, b = identities[review.identity_a_id], identities[review.identity_b_id]
        if a.child_id and b.child_id and a.child_id != b.child_id:
            older, newer = sorted(
                Child.objects.filter(pk__in=[a.child_id, b.child_id]), key=lambda c: (c.created_at, str(c.pk))
            )
            child_merge(actor=actor, survivor_id=older.pk, merged_id=newer.pk, reason=reason, review=review)
        elif bool(a.child_id) != bool(b.child_id):
            linked, unlinked = (a, b) if a.child_id else (b, a)
            assert linked.child_id is not None
            identity_link(
                actor=actor,
                identity_id=unlinked.pk,
                child_id=linked.child_id,
                how=LinkHow.REVIEW,
                matched_identity_id=linked.pk,
                match_weight=review.match_weight,
                model=review.model,
                review=review,
            )
    review.status = {
        Decision.MATCH: ReviewStatus.MATCH,
        Decision.NOT_MATCH: ReviewStatus.NOT_MATCH,
        Decision.NOT_SURE: ReviewStatus.NOT_SURE,
    }[Decision(decision)]
    review.save(update_fields=["status", "updated_at"])
    return made
