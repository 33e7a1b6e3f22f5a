# ruff: noqa: S608  (SQL over DuckDB tables whose names come from this code, never from input)
"""Scoring predictions against ground truth: pairwise precision and recall, the curve, thresholds.

Everything here is SQL over a DuckDB (or any) connection holding two tables: the scored
candidate pairs (``unique_id_l``, ``unique_id_r``, ``match_weight``) and the truth
(``unique_id``, ``true_id``). A true pair is two identities of the same true child; the
number of true pairs is counted from the truth, so pairs that blocking never proposed
count against recall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    """Match weights: at or above `upper` link automatically; at or above `lower` send to review."""

    upper: float
    lower: float


@dataclass(frozen=True)
class CurvePoint:
    weight: float
    precision: float
    recall: float
    pairs: int


@dataclass
class Accuracy:
    true_pairs: int
    candidate_true_pairs: int
    auto_pairs: int
    auto_true: int
    review_pairs: int
    review_true: int
    identities: int
    identities_in_review: int
    cluster_pairs: int = 0
    cluster_true: int = 0

    @property
    def blocking_recall(self) -> float:
        return self.candidate_true_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def auto_precision(self) -> float:
        return self.auto_true / self.auto_pairs if self.auto_pairs else 1.0

    @property
    def auto_recall(self) -> float:
        return self.auto_true / self.true_pairs if self.true_pairs else 1.0

    @property
    def recall_auto_and_review(self) -> float:
        return (self.auto_true + self.review_true) / self.true_pairs if self.true_pairs else 1.0

    @property
    def review_share(self) -> float:
        return self.identities_in_review / self.identities if self.identities else 0.0

    @property
    def false_auto_links(self) -> int:
        return self.auto_pairs - self.auto_true

    @property
    def cluster_precision(self) -> float:
        return self.cluster_true / self.cluster_pairs if self.cluster_pairs else 1.0

    @property
    def f1_auto(self) -> float:
        p, r = self.auto_precision, self.auto_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "true_pairs": self.true_pairs,
            "blocking_recall": round(self.blocking_recall, 5),
            "auto_pairs": self.auto_pairs,
            "auto_precision": round(self.auto_precision, 5),
            "false_auto_links": self.false_auto_links,
            "auto_recall": round(self.auto_recall, 5),
            "f1_auto": round(self.f1_auto, 5),
            "review_pairs": self.review_pairs,
            "review_true": self.review_true,
            "recall_auto_and_review": round(self.recall_auto_and_review, 5),
            "identities": self.identities,
            "identities_in_review": self.identities_in_review,
            "review_share": round(self.review_share, 5),
            "cluster_pairs": self.cluster_pairs,
            "cluster_precision": round(self.cluster_precision, 5),
        }


def labelled_pairs_sql(predictions: str, truth: str) -> str:
    return f"""
        select p.*,
               (tl.true_id is not null and tl.true_id = tr.true_id) as is_match
        from {predictions} p
        left join {truth} tl on tl.unique_id = p.unique_id_l
        left join {truth} tr on tr.unique_id = p.unique_id_r
    """


def true_pair_count(con: Any, truth: str) -> int:
    row = con.execute(
        f"select coalesce(sum(n * (n - 1) / 2), 0) from (select count(*) n from {truth} group by true_id)"
    ).fetchall()[0]
    return int(row[0])


def curve(con: Any, predictions: str, truth: str, *, points: int = 200) -> list[CurvePoint]:
    """Precision and recall of 'link if weight ≥ w' for w across the observed range."""
    total = true_pair_count(con, truth)
    rows = con.execute(
        f"""
        with lp as ({labelled_pairs_sql(predictions, truth)}),
        grid as (select unnest(generate_series(-10, 40)) * 0.5 as w)
        select g.w,
               count(*) filter (where lp.match_weight >= g.w) as pairs,
               count(*) filter (where lp.match_weight >= g.w and lp.is_match) as tp
        from grid g cross join lp
        group by g.w order by g.w
        """
    ).fetchall()
    result = []
    for w, pairs, tp in rows:
        result.append(
            CurvePoint(
                weight=float(w),
                precision=(tp / pairs) if pairs else 1.0,
                recall=(tp / total) if total else 1.0,
                pairs=int(pairs),
            )
        )
    return result[:points]


def choose_thresholds(
    con: Any,
    predictions: str,
    truth: str,
    *,
    min_precision: float = 0.9999,
    min_recall: float = 0.996,
    margin: float = 1.0,
    auto_filter: str = "true",
) -> Thresholds:
    """Thresholds from the precision/recall curve, in whole bits.

    Upper: the lowest weight at which automatic links (every pair at or above it) reach
    `min_precision` (ten times stricter than the 0.999 target, so an unseen borough keeps the
    target), rounded up, plus `margin` bits. Lower: the highest weight at which links and
    reviews together still reach `min_recall`, rounded down.

    `auto_filter` (SQL) says which pairs may link automatically whatever their weight (the
    child's-own-details rule, ADR 0036): precision is walked over those pairs only."""
    rows = con.execute(
        f"""
        with lp as ({labelled_pairs_sql(predictions, truth)})
        select match_weight, is_match, {auto_filter} as may_link from lp order by match_weight desc
        """
    ).fetchall()
    total = true_pair_count(con, truth)
    tp = fp = 0
    upper: float | None = None
    best_lower: float | None = None
    # Walk down the weights: precision of "everything at or above w".
    found = 0
    for weight_, is_match, may_link in rows:
        found += bool(is_match)
        if may_link:
            if is_match:
                tp += 1
            else:
                fp += 1
        precision = tp / (tp + fp) if tp + fp else 1.0
        if precision >= min_precision:
            upper = float(weight_)
        if best_lower is None and total and found / total >= min_recall:
            best_lower = float(weight_)
    if upper is None:
        upper = float(rows[0][0]) if rows else 10.0
    upper = float(math.ceil(upper) + margin)
    lower = float(min(math.floor(best_lower) if best_lower is not None else upper - 10, upper - 1))
    return Thresholds(upper=upper, lower=lower)


def accuracy(
    con: Any,
    predictions: str,
    truth: str,
    thresholds: Thresholds,
    *,
    clusters: str | None = None,
    auto_sql: str | None = None,
) -> Accuracy:
    """Pairwise accuracy. `auto_sql` says which pairs link automatically (default: at or above
    the upper threshold); pairs at or above the lower threshold that do not are reviews."""
    total = true_pair_count(con, truth)
    auto = auto_sql or f"(match_weight >= {thresholds.upper})"
    band = f"(match_weight >= {thresholds.lower} and not {auto})"
    row = con.execute(
        f"""
        with lp as (select *, {auto} as auto from ({labelled_pairs_sql(predictions, truth)}))
        select count(*) as candidates_true,
               (select count(*) from lp where auto) as auto_pairs,
               (select count(*) from lp where auto and is_match) as auto_true,
               (select count(*) from lp where {band}) as review_pairs,
               (select count(*) from lp where {band} and is_match) as review_true,
               (select count(*) from {truth}) as identities,
               (select count(distinct id) from (
                    select unique_id_l as id from lp where {band}
                    union all
                    select unique_id_r from lp where {band})) as in_review
        from lp where is_match
        """
    ).fetchall()[0]
    result = Accuracy(
        true_pairs=total,
        candidate_true_pairs=int(row[0]),
        auto_pairs=int(row[1]),
        auto_true=int(row[2]),
        review_pairs=int(row[3]),
        review_true=int(row[4]),
        identities=int(row[5]),
        identities_in_review=int(row[6]),
    )
    if clusters is not None:
        crow = con.execute(
            f"""
            with c as (select c.cluster_id, t.true_id from {clusters} c join {truth} t using (unique_id)),
            sizes as (select cluster_id, count(*) n from c group by cluster_id),
            same as (select cluster_id, true_id, count(*) n from c group by cluster_id, true_id)
            select (select coalesce(sum(n * (n - 1) / 2), 0) from sizes),
                   (select coalesce(sum(n * (n - 1) / 2), 0) from same)
            """
        ).fetchall()[0]
        result.cluster_pairs, result.cluster_true = int(crow[0]), int(crow[1])
    return result
