# ruff: noqa: S608  (SQL over DuckDB tables whose names come from this code, never from input)
"""The batch pipeline: prepare, train, predict, cluster. No database writes here (see services.py).

Engines: ``duckdb`` (default, in-process) and ``spark`` (Splink's Spark backend; local mode
here, a cluster in production, see docs/matching.md). Features are always prepared with
DuckDB so both engines compare exactly the same columns; predictions come back into
DuckDB for clustering and scoring.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from . import features, model

ENGINES = ("duckdb", "spark")
TF_COLUMNS = ("forename", "surname")
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class Prepared:
    con: duckdb.DuckDBPyConnection
    table: str = "identities"
    seconds: float = 0.0


def prepare(
    raw: pa.Table, *, con: duckdb.DuckDBPyConnection | None = None, memory_limit: str | None = None
) -> Prepared:
    started = time.perf_counter()
    con = con or features.connect(memory_limit=memory_limit)
    features.prepare(con, raw, into="identities")
    return Prepared(con=con, seconds=time.perf_counter() - started)


def duckdb_linker(prepared: Prepared, settings_or_model: Any) -> Any:
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=prepared.con)
    sdf = db_api.register(prepared.table)
    return Linker(sdf, settings_or_model, log_level=logging.WARNING)


def term_frequencies(
    con: duckdb.DuckDBPyConnection, table: str = "identities"
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for column in TF_COLUMNS:
        rows = con.execute(
            f"select {column}, count(*) / sum(count(*)) over () from {table} "
            f"where {column} is not null group by {column}"
        ).fetchall()
        out[column] = {value: float(freq) for value, freq in rows}
    return out


def tf_table(frequencies: dict[str, float], column: str) -> pa.Table:
    return pa.table({column: list(frequencies), f"tf_{column}": list(frequencies.values())})


@dataclass
class Trained:
    splink_model: dict[str, Any]
    summary: model.TrainingSummary


# Below this many reviewed pairs, labels are counted and kept but EM's m estimates stand.
MIN_LABELS_FOR_M = 500


def train(
    prepared: Prepared,
    *,
    progress: Progress = _quiet,
    source: str = "",
    labels: list[tuple[str, str, float]] | None = None,
    **kwargs: Any,
) -> Trained:
    """Train a new model. Reviewers' decisions (`labels`: identity, identity, 1.0 same / 0.0
    different) replace EM's m estimates once there are MIN_LABELS_FOR_M of them."""
    linker = duckdb_linker(prepared, model.settings())
    summary = model.train(
        linker, con=prepared.con, table=prepared.table, source=source, progress=progress, **kwargs
    )
    labels = labels or []
    known = {row[0] for row in prepared.con.execute(f"select unique_id from {prepared.table}").fetchall()}
    usable = [(a, b, score) for a, b, score in labels if a in known and b in known]
    summary.seconds["labels"] = 0.0
    summary.source = source
    used = len(usable) >= MIN_LABELS_FOR_M
    if used:
        from splink import DuckDBAPI

        table = pa.table(
            {
                "unique_id_l": [a for a, _, _ in usable],
                "unique_id_r": [b for _, b, _ in usable],
                "clerical_match_score": [score for _, _, score in usable],
            }
        )
        registered = DuckDBAPI(connection=prepared.con).register(table, dataset_display_name="review_labels")
        linker.training.estimate_m_from_pairwise_labels(registered)
    summary.labels = {"reviewed_pairs": len(labels), "usable": len(usable), "used_for_m": used}
    trained = model.regularise(linker.misc.save_model_to_json())
    return Trained(splink_model=trained, summary=summary)


@dataclass
class Predicted:
    table: str
    pairs: int
    seconds: float
    engine: str
    detail: dict[str, float] = field(default_factory=dict)


PREDICTION_COLUMNS = "unique_id_l, unique_id_r, match_weight, match_probability"


def result_columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The columns kept from Splink's predictions: the score, and each comparison's level and Bayes factor."""
    names = [row[0] for row in con.execute(f"describe {table}").fetchall()]
    detail = [n for n in names if n.startswith(("gamma_", "bf_"))]
    return ", ".join([PREDICTION_COLUMNS, *detail])


def predict(
    prepared: Prepared,
    splink_model: dict[str, Any],
    *,
    engine: str = "duckdb",
    min_weight: float = -5.0,
    into: str = "predictions",
    spark: Any = None,
) -> Predicted:
    """Score every candidate pair at or above `min_weight` into DuckDB table `into`."""
    started = time.perf_counter()
    if engine == "duckdb":
        linker = duckdb_linker(prepared, splink_model)
        result = linker.inference.predict(threshold_match_weight=min_weight)
        columns = result_columns(prepared.con, result.physical_name)
        prepared.con.execute(
            f"create or replace table {into} as select {columns} from {result.physical_name}"
        )
        result.drop_table_from_database_and_remove_from_cache()
    elif engine == "spark":
        from .spark import predict_with_spark

        arrow = predict_with_spark(prepared, splink_model, min_weight=min_weight, spark=spark)
        prepared.con.register("__spark_predictions", arrow)
        columns = result_columns(prepared.con, "__spark_predictions")
        prepared.con.execute(f"create or replace table {into} as select {columns} from __spark_predictions")
        prepared.con.unregister("__spark_predictions")
    else:
        raise ValueError(f"Unknown engine {engine!r}: choose from {', '.join(ENGINES)}")
    pairs = prepared.con.execute(f"select count(*) from {into}").fetchall()[0][0]
    return Predicted(table=into, pairs=int(pairs), seconds=time.perf_counter() - started, engine=engine)


def cluster(
    con: duckdb.DuckDBPyConnection,
    predictions: str,
    *,
    threshold: float,
    into: str = "clusters",
    splink_model: dict[str, Any] | None = None,
) -> str:
    """Connected components of the automatic links: (unique_id, cluster_id) for every identity.

    An automatic link is a pair at or above `threshold` that, given the model, also passes the
    child's-own-details rule (`model.auto_link_sql`).

    Label propagation in SQL: each identity takes the smallest id among its neighbours until
    nothing changes (a handful of rounds for the small clusters identities form).
    """
    auto = model.auto_link_sql(splink_model, threshold)
    con.execute(
        f"""
        create or replace temp table __edges as
        select unique_id_l as a, unique_id_r as b from {predictions} where {auto}
        union all
        select unique_id_r, unique_id_l from {predictions} where {auto}
        """
    )
    con.execute(
        f"create or replace table {into} as select unique_id, unique_id as cluster_id from identities"
    )
    for _ in range(100):
        changed = con.execute(
            f"""
            with best as (
                select e.a as unique_id, min(c.cluster_id) as cluster_id
                from __edges e join {into} c on c.unique_id = e.b group by e.a
            )
            select count(*) from best join {into} c using (unique_id) where best.cluster_id < c.cluster_id
            """
        ).fetchall()[0][0]
        if not changed:
            break
        con.execute(
            f"""
            create or replace table {into} as
            select c.unique_id, least(c.cluster_id, coalesce(best.cluster_id, c.cluster_id)) as cluster_id
            from {into} c left join (
                select e.a as unique_id, min(c2.cluster_id) as cluster_id
                from __edges e join {into} c2 on c2.unique_id = e.b group by e.a
            ) best using (unique_id)
            """
        )
    con.execute("drop table if exists __edges")
    return into


def _level_for(comparison: dict[str, Any], gamma: int) -> dict[str, Any] | None:
    """Splink numbers a comparison's levels from the bottom: else is 0, null is -1."""
    non_null = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
    index = len(non_null) - 1 - gamma
    return non_null[index] if 0 <= index < len(non_null) else None


def explain(splink_model: dict[str, Any], row: dict[str, Any]) -> list[dict[str, Any]]:
    """Each comparison's level and weight in bits for one scored pair (a row with gamma_ columns).

    A level's weight is log2(m/u). What the exact-name levels gain or lose because a name is
    rare or common (term-frequency adjustment) is the rest of the pair's match weight after
    the prior and the levels, shown as its own row so the rows add up to the match weight.
    """
    out = []
    total = 0.0
    for comparison in splink_model["comparisons"]:
        name = comparison["output_column_name"]
        label = model.COMPARISON_LABELS.get(name, name)
        gamma = row.get(f"gamma_{name}")
        level = _level_for(comparison, int(gamma)) if gamma is not None and gamma >= 0 else None
        if level is None:
            out.append({"comparison": label, "key": name, "level": "Missing on one side", "weight": 0.0})
            continue
        m, u = level.get("m_probability"), level.get("u_probability")
        weight = math.log2(m / u) if m and u else 0.0
        total += weight
        out.append(
            {
                "comparison": label,
                "key": name,
                "level": str(level.get("label_for_charts") or ""),
                "weight": round(weight, 2),
            }
        )
    prior = splink_model.get("probability_two_random_records_match")
    if prior and row.get("match_weight") is not None:
        rest = float(row["match_weight"]) - math.log2(prior / (1 - prior)) - total
        if abs(rest) >= 0.05:
            out.append(
                {
                    "comparison": "How common the names are",
                    "key": "term_frequency",
                    "level": "Rare names count for more, common ones for less",
                    "weight": round(rest, 2),
                }
            )
    return out


def model_fingerprint(splink_model: dict[str, Any]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(splink_model, sort_keys=True).encode()).hexdigest()[:16]
