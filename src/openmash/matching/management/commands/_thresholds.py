"""`openmash match thresholds sample|show|confirm` (ADR 0039): thresholds from reviewers' decisions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership
from openmash.accounts.roles import Role
from openmash.matching import data, evaluation, pipeline, runner, services, thresholds
from openmash.matching.models import MatchModel
from openmash.matching.selectors import threshold_sample_decisions


def _active() -> MatchModel:
    active = MatchModel.objects.filter(is_active=True).first()
    if active is None:
        raise CommandError("No model has been trained yet: run `openmash match train` first.")
    return active


def handle(console: Console, options: dict[str, Any]) -> None:
    step = options["step"]
    match_model = _active()
    if step == "sample":
        _sample(console, match_model, per_bin=options["per_group"], seed=options["seed"])
    elif step == "confirm":
        _confirm(console, match_model, options)
    else:
        _show(console, match_model)


def _population(match_model: MatchModel) -> dict[int, int]:
    samples = match_model.training_summary.get("threshold_samples") or []
    if not samples:
        raise CommandError("No sample has been drawn: run `openmash match thresholds sample` first.")
    return {int(k): int(v) for k, v in samples[-1]["population"].items()}


def _sample(console: Console, match_model: MatchModel, *, per_bin: int, seed: int) -> None:
    with runner.RichStages(console) as stages:
        result = runner.batch(
            data.identities_raw(),
            splink_model=match_model.splink_model,
            thresholds=evaluation.Thresholds(match_model.upper_threshold, match_model.lower_threshold),
            stages=stages,
            min_weight=float(thresholds.LOW),
        )
    population = thresholds.bins_population(result.con, result.predicted.table)
    rows = thresholds.sample_pairs(result.con, result.predicted.table, per_bin=per_bin, seed=seed)
    pairs = [
        services.ScoredPair(
            identity_a=row["unique_id_l"],
            identity_b=row["unique_id_r"],
            match_weight=float(row["match_weight"]),
            match_probability=float(row["match_probability"]),
            explanation=pipeline.explain(match_model.splink_model, row),
        )
        for row in rows
    ]
    opened = services.threshold_sample_open(
        actor=Actor.system("match-thresholds"),
        model=match_model,
        pairs=pairs,
        population=population,
        seed=seed,
    )
    console.print(
        f"Drew {len(rows):,} pairs at random, up to {per_bin} from each whole bit of match weight "
        f"({sum(population.values()):,} scored pairs in {len(population)} groups), and opened "
        f"{len(opened):,} of them for review (pairs already open or decided were not asked again). "
        "When reviewers have decided them in Possible matches, run `openmash match thresholds` "
        "to see the curve."
    )


def _show(console: Console, match_model: MatchModel) -> None:
    population = _population(match_model)
    decided = threshold_sample_decisions(model=match_model)
    done = sum(s + d for s, d in decided.values())
    curve = thresholds.estimate(population, decided)
    if not curve:
        console.print("No decisions on the sample yet: reviewers decide the pairs in Possible matches first.")
        return
    table = Table(title=f"Model v{match_model.version}: link at or above each weight ({done} reviewed pairs)")
    for column in ("weight", "pairs at or above", "precision (95% interval)", "recall (95% interval)",
                   "decided here (same / different)"):  # fmt: skip
        table.add_column(column, justify="right")
    for row in curve:
        same, different = decided.get(row.threshold, (0, 0))
        table.add_row(
            f"{row.threshold:g}",
            f"{row.pairs_at_or_above:,}",
            f"{row.precision:.4f} ({row.precision_low:.4f}-{row.precision_high:.4f})",
            f"{row.recall:.4f} ({row.recall_low:.4f}-{row.recall_high:.4f})",
            f"{same} / {different}",
        )
    console.print(table)
    proposal = thresholds.propose(curve)
    assert proposal is not None
    upper, lower = proposal
    at_upper = next(r for r in curve if r.threshold == upper)
    at_lower = next(r for r in curve if r.threshold == lower)
    console.print(
        f"Proposed: link automatically at {upper} bits (precision {at_upper.precision:.4f}, 95% interval "
        f"{at_upper.precision_low:.4f}-{at_upper.precision_high:.4f}), review at {lower} bits (recall with "
        f"review {at_lower.recall:.4f}). In use now: {match_model.upper_threshold:g} and "
        f"{match_model.lower_threshold:g}. The intervals narrow as more pairs are decided; recall counts "
        "only pairs the blocking rules proposed."
    )
    console.print(
        f"A MASH manager confirms with: openmash match thresholds confirm --upper {upper} --lower {lower} "
        "--by USERNAME"
    )
    services.match_model_reviewed_figures_set(
        model=match_model,
        figures={
            "precision": round(at_upper.precision, 5),
            "recall": round(next(r for r in curve if r.threshold == upper).recall, 5),
            "recall_with_review": round(at_lower.recall, 5),
            "labels": done,
            "at": timezone.now().isoformat(),
        },
    )


def _confirm(console: Console, match_model: MatchModel, options: dict[str, Any]) -> None:
    if options["upper"] is None or options["lower"] is None or not options["by"]:
        raise CommandError("Give --upper, --lower and --by (the confirming MASH manager's username).")
    now = timezone.now()
    manager = (
        Membership.objects.filter(user__username=options["by"], role=Role.MASH_MANAGER, started_at__lte=now)
        .exclude(ended_at__lte=now)
        .select_related("user")
        .first()
    )
    if manager is None:
        raise CommandError(f"{options['by']} is not a MASH manager: only a MASH manager confirms thresholds.")
    actor = Actor(
        user_id=manager.user_id, username=manager.user.username, role=manager.role,
        agency_id=manager.agency_id, team_id=manager.team_id, membership_id=manager.pk,
    )  # fmt: skip
    try:
        services.match_model_thresholds_set(
            actor=actor, model_id=match_model.pk, upper=options["upper"], lower=options["lower"]
        )
    except (ValueError, ValidationError) as error:
        raise CommandError(str(error)) from None
    console.print(
        f"Model v{match_model.version} now links at {options['upper']:g} bits and reviews at "
        f"{options['lower']:g} bits, confirmed by {manager.user.username} (recorded with the model)."
    )
