"""Where identities come from: the database, or a borough generated in memory for benchmarks.

The matching run is a system process: it reads every agency identity to compare them and
shows none of them to a person, so, like intake's linking, it writes no read-log entry.
What a person then sees (a review, a merge) goes through the access layer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
from django.db import connection

from .features import RAW_COLUMNS, RAW_SCHEMA

_SELECT = (
    "select id::text, agency_id::text, forename, middle_names, surname, other_surnames, date_of_birth, "
    "sex, address, postcode, nhs_number, unique_pupil_number from people_agencyidentity"
)


def identities_raw(*, batch_rows: int = 50_000, where: str = "", params: tuple[Any, ...] = ()) -> pa.Table:
    """Every agency identity (or those `where` selects) as an Arrow table of RAW_SCHEMA."""
    batches: list[pa.RecordBatch] = []
    with connection.cursor() as cursor:
        cursor.execute(f"{_SELECT} {where} order by id", params)
        while rows := cursor.fetchmany(batch_rows):
            columns = list(zip(*rows, strict=True))
            batches.append(
                pa.RecordBatch.from_arrays(
                    [pa.array(col, type=RAW_SCHEMA.field(i).type) for i, col in enumerate(columns)],
                    schema=RAW_SCHEMA,
                )
            )
    if not batches:
        return RAW_SCHEMA.empty_table()
    return pa.Table.from_batches(batches, schema=RAW_SCHEMA)


def truth_from_database() -> pa.Table:
    """identity id -> true child id, from the synthetic borough's IdentityTruth."""
    with connection.cursor() as cursor:
        cursor.execute("select identity_id::text, true_child_id::text from synthetic_identitytruth")
        rows = cursor.fetchall()
    ids, truth = (list(c) for c in zip(*rows, strict=True)) if rows else ([], [])
    return pa.table({"unique_id": pa.array(ids, pa.string()), "true_id": pa.array(truth, pa.string())})


@dataclass
class GeneratedIdentities:
    raw: pa.Table
    truth: pa.Table
    seconds: float


class _IdentitySink:
    """A RowSink that keeps only agency identities and their truth, as columns (bounded memory)."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = defaultdict(list)
        self.truth_ids: list[str] = []
        self.truth_children: list[str] = []
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, model: type, row: dict[str, Any]) -> None:
        name = model.__name__
        self.counts[name] += 1
        if name == "AgencyIdentity":
            for column in RAW_COLUMNS:
                value = row.get(column, "")
                if column in {"id", "agency_id"}:
                    value = str(value)
                self.columns[column].append(value)
        elif name == "IdentityTruth":
            self.truth_ids.append(str(row["identity_id"]))
            self.truth_children.append(str(row["true_child_id"]))

    def close(self) -> None:
        return None


def identities_generate(*, seed: int, children: int, as_of: date | None = None) -> GeneratedIdentities:
    """A borough generated in memory (no database): its agency identities and their truth."""
    import time

    from openmash.synthetic.generator import BoroughGenerator

    started = time.perf_counter()
    kwargs: dict[str, Any] = {"seed": seed, "children": children}
    if as_of is not None:
        kwargs["as_of"] = as_of
    sink = _IdentitySink()
    BoroughGenerator(**kwargs).run(sink)  # type: ignore[arg-type]
    raw = pa.table({c: sink.columns[c] for c in RAW_COLUMNS}, schema=RAW_SCHEMA)
    truth = pa.table({"unique_id": sink.truth_ids, "true_id": sink.truth_children})
    return GeneratedIdentities(raw=raw, truth=truth, seconds=time.perf_counter() - started)
