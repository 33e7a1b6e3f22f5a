"""The demo's matching: a trained model, possible matches for the hub to review, and one merge in
force that a MASH manager can undo (issue 12). Idempotent: once there are reviews or a merge,
nothing more is made."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership
from openmash.accounts.roles import Role

REVIEWS = 30


@dataclass(frozen=True)
class DemoMatching:
    trained: bool
    reviews: int
    merges: int


def _manager() -> Actor | None:
    membership = (
        Membership.objects.filter(
            user__username="demo.mash.manager", role=Role.MASH_MANAGER, ended_at__isnull=True
        )
        .select_related("user")
        .first()
    )
    if membership is None:
        return None
    return Actor(
        user_id=membership.user_id, username=membership.user.username, role=membership.role,
        agency_id=membership.agency_id, team_id=membership.team_id, membership_id=membership.pk,
    )  # fmt: skip


def demo_matching_ensure() -> DemoMatching:
    from openmash.matching import data, evaluation, model, pipeline, runner, services
    from openmash.matching.conf import thresholds_default
    from openmash.matching.merge import child_merge
    from openmash.matching.models import ChildMerge, MatchModel, ReviewPair, ReviewSource
    from openmash.people.models import AgencyIdentity
    from openmash.synthetic.models import IdentityTruth

    if ReviewPair.objects.exists() or ChildMerge.objects.exists():
        return DemoMatching(trained=False, reviews=0, merges=0)
    raw = data.identities_raw()
    if raw.num_rows < 100:
        return DemoMatching(trained=False, reviews=0, merges=0)
    system = Actor.system("demo-matching")
    match_model = MatchModel.objects.filter(is_active=True).first()
    trained = match_model is None
    if match_model is None:
        result = runner.batch(raw, splink_model=None, train_kwargs={"u_max_pairs": 2e6})
        assert result.summary is not None
        thresholds = thresholds_default()
        match_model = services.match_model_save(
            actor=system,
            splink_model=result.splink_model,
            training_summary=result.summary.as_dict(),
            term_frequencies=pipeline.term_frequencies(result.con),
            upper_threshold=thresholds.upper,
            lower_threshold=thresholds.lower,
        )
    thresholds = evaluation.Thresholds(match_model.upper_threshold, match_model.lower_threshold)
    result = runner.batch(
        raw, splink_model=match_model.splink_model, thresholds=thresholds, min_weight=thresholds.lower
    )
    auto = model.auto_link_sql(match_model.splink_model, thresholds.upper)
    pairs = runner.scored_pairs(
        result.con, result, lower=0, upper=0, where=f"match_weight >= {thresholds.lower} and not {auto}"
    )
    child_of = {
        str(pk): child
        for pk, child in AgencyIdentity.objects.filter(
            pk__in=[uuid.UUID(i) for p in pairs for i in (p.identity_a, p.identity_b)]
        ).values_list("pk", "child_id")
    }
    chosen = sorted(
        (
            p
            for p in pairs
            if (child_of.get(p.identity_a) or child_of.get(p.identity_b))
            and child_of.get(p.identity_a) != child_of.get(p.identity_b)
        ),
        key=lambda p: -p.match_weight,
    )[:REVIEWS]
    opened = services.review_pairs_open(model=match_model, pairs=chosen, source=ReviewSource.RUN)
    merges = 0
    manager = _manager()
    if manager is not None:
        # A record another agency holds of a hub child, made into a child of its own (as a run
        # before the hub's record arrived would have) and then merged into the hub's child.
        for truth in IdentityTruth.objects.filter(identity__child__isnull=True).order_by("identity_id")[:200]:
            same_child = IdentityTruth.objects.filter(true_child_id=truth.true_child_id).values("identity_id")
            hub = (
                AgencyIdentity.objects.filter(child__isnull=False, pk__in=same_child)
                .values_list("child_id", flat=True)
                .first()
            )
            if hub is None:
                continue
            made = services.child_create_from_identity(actor=system, identity_id=truth.identity_id)
            if made is None:
                continue
            child_merge(
                actor=manager, survivor_id=hub, merged_id=made,
                reason="Demo: the school's record was made a child before the council's record was matched; "
                "same name, date of birth and NHS number.",
            )  # fmt: skip
            merges = 1
            break
    return DemoMatching(trained=trained, reviews=len(opened), merges=merges)
