# ruff: noqa: S608  (SQL over DuckDB tables whose names come from this code, never from input)
"""Thresholds from reviewers' decisions on a random sample of pairs, for a borough with no truth (ADR 0039).

1. `sample`: every candidate pair is scored; pairs are grouped by match weight in whole bits,
   and from each group a few are drawn at random (stratified, so the rare high and low weights
   are seen too). They are opened as reviews ("random sample for thresholds"); how many pairs
   each group holds is kept with the model.
2. Reviewers decide them in the ordinary queue.
3. `estimate`: in each group, the share decided "same child" (a Beta posterior: uniform prior
   plus the decisions) stands for the whole group; precision and recall of "link at or above t"
   follow for every t, with 95% intervals by drawing each group's share from its posterior.
   Pairs blocking never proposed are not counted: recall is of the pairs scored.
4. The proposal: the lowest whole bit whose estimated precision reaches the target, and the
   highest whose recall with review does. A manager confirms (`match_model_thresholds_set`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

LOW, HIGH = -5, 30


def bins_population(con: Any, predictions: str) -> dict[int, int]:
    """How many scored pairs fall in each whole-bit group of match weight (clamped to LOW..HIGH)."""
    rows = con.execute(
        f"select greatest({LOW}, least({HIGH}, floor(match_weight)))::int as b, count(*) "
        f"from {predictions} group by b order by b"
    ).fetchall()
    return {int(b): int(n) for b, n in rows}


def sample_pairs(con: Any, predictions: str, *, per_bin: int, seed: int) -> list[dict[str, Any]]:
    """Up to `per_bin` pairs drawn at random from each group (reproducible with `seed`)."""
    con.execute(f"select setseed({(seed % 1000) / 1000.0})")
    cursor = con.execute(
        f"""
        select * exclude (rank) from (
            select p.*, greatest({LOW}, least({HIGH}, floor(match_weight)))::int as weight_bin,
                   row_number() over (partition by greatest({LOW}, least({HIGH}, floor(match_weight)))::int
                                      order by hash(unique_id_l || unique_id_r || '{seed}')) as rank
            from {predictions} p
        ) where rank <= {int(per_bin)}
        """
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class CurveRow:
    threshold: int
    precision: float
    precision_low: float
    precision_high: float
    recall: float
    recall_low: float
    recall_high: float
    pairs_at_or_above: int


def _beta(rng: random.Random, same: int, different: int) -> float:
    return rng.betavariate(same + 1, different + 1)


def estimate(
    population: dict[int, int], decided: dict[int, tuple[int, int]], *, draws: int = 2000, seed: int = 1
) -> list[CurveRow]:
    """Precision and recall of "link at or above t" for each whole bit t, with 95% intervals.

    `decided[bin] = (same, different)`. A group with no decisions takes its neighbours' (the
    nearest decided group below and above, pooled), so a curve exists before every group is done.
    """
    bins = sorted(population)
    known = sorted(b for b, (s, d) in decided.items() if s + d)
    if not bins or not known:
        return []

    def counts(b: int) -> tuple[int, int]:
        if decided.get(b) and sum(decided[b]):
            return decided[b]
        below = [k for k in known if k < b]
        above = [k for k in known if k > b]
        near = ([below[-1]] if below else []) + ([above[0]] if above else [])
        return (sum(decided[k][0] for k in near), sum(decided[k][1] for k in near))

    shares = {b: counts(b) for b in bins}
    rng = random.Random(seed)
    samples: list[dict[int, float]] = [{b: _beta(rng, *shares[b]) for b in bins} for _ in range(draws)]
    point = {b: (shares[b][0] + 1) / (sum(shares[b]) + 2) for b in bins}
    rows = []
    for threshold in bins:
        above = [b for b in bins if b >= threshold]

        def figures(share: dict[int, float], above: list[int] = above) -> tuple[float, float]:
            true_above = sum(population[b] * share[b] for b in above)
            true_all = sum(population[b] * share[b] for b in bins)
            pairs = sum(population[b] for b in above)
            return (true_above / pairs if pairs else 1.0, true_above / true_all if true_all else 1.0)

        precision, recall = figures(point)
        drawn = sorted(figures(s) for s in samples)
        precisions = sorted(p for p, _ in drawn)
        recalls = sorted(r for _, r in drawn)
        low, high = int(0.025 * draws), min(draws - 1, math.ceil(0.975 * draws))
        rows.append(
            CurveRow(
                threshold=threshold,
                precision=precision,
                precision_low=precisions[low],
                precision_high=precisions[high],
                recall=recall,
                recall_low=recalls[low],
                recall_high=recalls[high],
                pairs_at_or_above=sum(population[b] for b in above),
            )
        )
    return rows


def propose(
    curve: list[CurveRow], *, precision: float = 0.9995, recall: float = 0.99
) -> tuple[int, int] | None:
    """(upper, lower): the lowest bit whose precision reaches `precision`, the highest whose recall
    reaches `recall` (and below the upper)."""
    if not curve:
        return None
    uppers = [row.threshold for row in curve if row.precision >= precision]
    upper = min(uppers) if uppers else max(row.threshold for row in curve)
    lowers = [row.threshold for row in curve if row.recall >= recall and row.threshold < upper]
    lower = max(lowers) if lowers else min(row.threshold for row in curve)
    return upper, min(lower, upper - 1)
