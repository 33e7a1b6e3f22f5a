# ruff: noqa: S608  (SQL over DuckDB tables whose names come from this code, never from input)
"""`openmash match run` and `openmash match score`: the batch paths, with a progress bar.

The stages report to a `Stages` object (a rich progress bar on a terminal, nothing in
tests). Predicting is done in chunks of the left-hand records so the bar moves and memory
stays bounded.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from . import evaluation, model, pipeline
from .conf import thresholds_default


class Stages:
    """Progress reporting: `stage(name, total)` then `advance(n)`. The base class is silent."""

    @contextmanager
    def stage(self, name: str, total: int = 1) -> Iterator[Callable[[int], None]]:
        def advance(n: int = 1) -> None:
            return None

        yield advance


class RichStages(Stages):
    def __init__(self, console: Any = None) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )

    def __enter__(self) -> RichStages:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    @contextmanager
    def stage(self, name: str, total: int = 1) -> Iterator[Callable[[int], None]]:
        task = self.progress.add_task(name, total=total)

        def advance(n: int = 1) -> None:
            self.progress.advance(task, n)

        yield advance
        self.progress.update(task, completed=total)


def predict_chunked(
    prepared: pipeline.Prepared,
    splink_model: dict[str, Any],
    *,
    chunks: int,
    min_weight: float,
    advance: Callable[[int], None],
    into: str = "predictions",
) -> pipeline.Predicted:
    started = time.perf_counter()
    linker = pipeline.duckdb_linker(prepared, splink_model)
    con = prepared.con
    con.execute(f"drop table if exists {into}")
    for index in range(1, chunks + 1):
        result = linker.inference.predict_chunk(
            left_chunk=(index, chunks), right_chunk=(1, 1), threshold_match_weight=min_weight
        )
        columns = pipeline.result_columns(con, result.physical_name)
        if index == 1:
            con.execute(f"create table {into} as select {columns} from {result.physical_name}")
        else:
            con.execute(f"insert into {into} select {columns} from {result.physical_name}")
        result.drop_table_from_database_and_remove_from_cache()
        advance(1)
    pairs = con.execute(f"select count(*) from {into}").fetchall()[0][0]
    return pipeline.Predicted(
        table=into, pairs=int(pairs), seconds=time.perf_counter() - started, engine="duckdb"
    )


@dataclass
class BatchResult:
    """What a run found, before anything is written to the database."""

    prepared: pipeline.Prepared
    splink_model: dict[str, Any]
    thresholds: evaluation.Thresholds
    identities: int
    predicted: pipeline.Predicted
    seconds: dict[str, float] = field(default_factory=dict)
    summary: model.TrainingSummary | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        return self.prepared.con


def batch(
    raw: pa.Table,
    *,
    splink_model: dict[str, Any] | None,
    thresholds: evaluation.Thresholds | None = None,
    engine: str = "duckdb",
    stages: Stages | None = None,
    chunks: int | None = None,
    min_weight: float = -5.0,
    train_kwargs: dict[str, Any] | None = None,
    memory_limit: str | None = None,
    spark: Any = None,
    labels: list[tuple[str, str, float]] | None = None,
) -> BatchResult:
    """Prepare, (train,) predict and cluster `raw` identities. Trains when `splink_model` is None."""
    stages = stages or Stages()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with stages.stage("Preparing features") as advance:
        prepared = pipeline.prepare(raw, memory_limit=memory_limit)
        advance(1)
    seconds["prepare"] = time.perf_counter() - started
    summary = None
    if splink_model is None:
        steps = 2 + len(model.EM_RULES)
        with stages.stage("Training (EM)", total=steps) as advance:
            trained = pipeline.train(
                prepared, progress=lambda name: advance(1), labels=labels, **(train_kwargs or {})
            )
        splink_model, summary = trained.splink_model, trained.summary
        seconds["train"] = sum(summary.seconds.values())
    identities = int(prepared.con.execute("select count(*) from identities").fetchall()[0][0])
    # Few chunks: each one blocks its slice of records against all of them, so more chunks repeat work.
    chunks = chunks or max(1, min(8, identities // 250_000))
    started = time.perf_counter()
    if engine == "duckdb":
        with stages.stage("Scoring pairs", total=chunks) as advance:
            predicted = predict_chunked(
                prepared, splink_model, chunks=chunks, min_weight=min_weight, advance=advance
            )
    else:
        with stages.stage(f"Scoring pairs ({engine})") as advance:
            predicted = pipeline.predict(
                prepared, splink_model, engine=engine, min_weight=min_weight, spark=spark
            )
            advance(1)
    seconds["predict"] = time.perf_counter() - started
    thresholds = thresholds or thresholds_default()
    started = time.perf_counter()
    with stages.stage("Clustering") as advance:
        pipeline.cluster(prepared.con, predicted.table, threshold=thresholds.upper, splink_model=splink_model)
        advance(1)
    seconds["cluster"] = time.perf_counter() - started
    return BatchResult(
        prepared=prepared,
        splink_model=splink_model,
        thresholds=thresholds,
        identities=identities,
        predicted=predicted,
        seconds=seconds,
        summary=summary,
    )


def peak_memory_bytes() -> int:
    """Peak resident memory of this process so far (Linux: VmHWM)."""
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def scored_pairs(
    con: duckdb.DuckDBPyConnection,
    result: BatchResult,
    *,
    lower: float,
    upper: float,
    where: str = "",
) -> list[Any]:
    """The pairs in [lower, upper) (or as `where` says), each with its per-comparison explanation."""
    condition = where or f"match_weight >= {float(lower)} and match_weight < {float(upper)}"
    cursor = con.execute(f"select * from {result.predicted.table} where {condition}")
    return pairs_from_cursor(cursor, result.splink_model)


def pairs_from_cursor(cursor: Any, splink_model: dict[str, Any]) -> list[Any]:
    """Scored pairs (with each comparison's explanation) from a cursor over prediction rows."""
    from .services import ScoredPair

    names = [d[0] for d in cursor.description]
    pairs = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        pairs.append(
            ScoredPair(
                identity_a=row["unique_id_l"],
                identity_b=row["unique_id_r"],
                match_weight=float(row["match_weight"]),
                match_probability=float(row["match_probability"]),
                explanation=pipeline.explain(splink_model, row),
            )
        )
    return pairs
