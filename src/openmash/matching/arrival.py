# ruff: noqa: S608  (SQL over DuckDB tables whose names come from this code, never from input)
"""Match on arrival: one incoming identity scored against every existing one, in real time.

An `ArrivalIndex` holds the existing identities' prepared features in an in-process DuckDB
table, sorted by the blocking keys, with the model's term-frequency tables registered. An
arrival is prepared by the same SQL as the batch (features.py), its candidates found by
Splink's `predict_between` (the model's own blocking rules, so arrival and batch propose the
same pairs) and scored. The index is built once per process and model version and then kept
current: each scored identity is added to it, and identities written by other processes
since it was built are read in before each arrival (by `created_at`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from . import features, model, pipeline


@dataclass(frozen=True)
class Candidate:
    identity_id: str
    match_weight: float
    match_probability: float
    explanation: list[dict[str, Any]] = field(default_factory=list)
    sure: bool = False  # an automatic link (weight and the own-details rule, ADR 0036)


def _key_selects(table: str, *, probe: bool) -> list[str]:
    """SQL selecting (key, unique_id) rows of `table` for every blocking key.

    Stored keys are `name:A|values` (the first column list) and `name:B|values` (the second);
    a symmetric key stores one. A probe looks up what would pair with it: its first-list
    values under B, its second-list values under A.
    """
    selects = []
    for name, one, other in model.BLOCKING_KEYS:
        sides = [("", one)] if other is None else [(":A", one), (":B", other)]
        for tag, columns in sides:
            stored_tag = tag if not probe else {":A": ":B", ":B": ":A", "": ""}[tag]
            values = " || '|' || ".join(f"{c}::varchar" for c in columns)
            present = " and ".join(f"{c} is not null" for c in columns)
            selects.append(
                f"select '{name}{stored_tag}|' || {values} as key, unique_id from {table} where {present}"
            )
    return selects


class ArrivalIndex:
    def __init__(
        self,
        *,
        splink_model: dict[str, Any],
        term_frequencies: dict[str, dict[str, float]],
        raw: pa.Table,
        memory_limit: str | None = None,
    ) -> None:
        from splink import DuckDBAPI

        self.splink_model = splink_model
        self.lock = threading.Lock()
        self.con = features.connect(memory_limit=memory_limit)
        features.prepare(self.con, raw, into="existing")
        for column, freqs in term_frequencies.items():
            self.con.register(f"__tf_{column}", pipeline.tf_table(freqs, column))
            self.con.execute(f"create table tf_{column} as select * from __tf_{column}")
            self.con.unregister(f"__tf_{column}")
        self.tf_columns = list(term_frequencies)
        # An ART index on the keys: each probe is a point lookup (about half a millisecond at
        # 10 million keys), where an IN list over the unindexed table scanned it (about 300 ms).
        self.con.execute(f"create table keys as {' union all '.join(_key_selects('existing', probe=False))}")
        self.con.execute("create index keys_key on keys (key)")
        self.con.execute("create index existing_id on existing (unique_id)")
        self.db_api = DuckDBAPI(connection=self.con)
        self.cache_key = f"openmash-arrival-{pipeline.model_fingerprint(splink_model)}"
        self.size = raw.num_rows
        self.known: set[str] = set(raw.column("id").to_pylist())
        self.built_at: datetime | None = None
        self._sql: str | None = None

    def add(self, raw: pa.Table) -> int:
        """Add identities (RAW_SCHEMA) not yet in the index; returns how many were added."""
        ids = raw.column("id").to_pylist()
        keep = [i for i, identity in enumerate(ids) if identity not in self.known]
        if not keep:
            return 0
        new = raw.take(keep)
        with self.lock:
            features.prepare(self.con, new, into="__arrival_new")
            self.con.execute("insert into existing select * from __arrival_new")
            self.con.execute(
                f"insert into keys {' union all '.join(_key_selects('__arrival_new', probe=False))}"
            )
            self.con.execute("drop table __arrival_new")
            self.known.update(new.column("id").to_pylist())
            self.size += new.num_rows
        return new.num_rows

    def _with_tf(self, table: str) -> str:
        """The table with each term-frequency column; a value never seen counts as the rarest seen."""
        joins = " ".join(f"left join tf_{c} on tf_{c}.{c} = t.{c}" for c in self.tf_columns)
        tf_cols = ", ".join(
            f"case when t.{c} is null then null else coalesce(tf_{c}.tf_{c}, "
            f"(select min(tf_{c}) from tf_{c})) end as tf_{c}"
            for c in self.tf_columns
        )
        return f"select t.*, {tf_cols} from {table} t {joins}"

    def _comparison_sql(self, left: pa.Table, right: pa.Table) -> str:
        """Splink's SQL that scores every left x right pair, generated once and kept."""
        if self._sql is None:
            from splink.internals.realtime import _sql_cache, compare_records

            result = compare_records(
                left, right, self.splink_model, self.db_api, sql_cache_key=self.cache_key
            )
            result.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
            sql, uid = _sql_cache._cache[self.cache_key]
            for side in ("left", "right"):
                self.con.unregister(f"__splink__compare_records_{side}_{uid}")
            self._sql = sql.replace(uid, "openmash")
        return self._sql

    def score(self, raw_one: pa.Table, *, min_weight: float, upper: float | None = None) -> list[Candidate]:
        """Candidates for one incoming identity (RAW_SCHEMA, one row), strongest first."""
        own = str(raw_one.column("id")[0])
        with self.lock:
            features.prepare(self.con, raw_one, into="__incoming")
            probes = [
                row[0]
                for row in self.con.execute(" union ".join(_key_selects("__incoming", probe=True))).fetchall()
            ]
            if not probes:
                return []
            found: set[str] = set()
            for probe in probes:
                found.update(
                    row[0]
                    for row in self.con.execute(
                        "select unique_id from keys where key = ?", [probe]
                    ).fetchall()
                )
            found.discard(own)
            ids = sorted(found)
            if not ids:
                return []
            marks = ", ".join("?" for _ in ids)
            left = self.con.sql(
                f"{self._with_tf('existing')} where t.unique_id in ({marks})", params=ids
            ).to_arrow_table()
            if left.num_rows == 0:
                return []
            right = self.con.sql(self._with_tf("__incoming")).to_arrow_table()
            sql = self._comparison_sql(left, right)
            self.con.register("__splink__compare_records_left_openmash", left)
            self.con.register("__splink__compare_records_right_openmash", right)
            try:
                sure = model.auto_link_sql(self.splink_model, upper) if upper is not None else "false"
                cursor = self.con.execute(
                    f"select *, {sure} as __sure from ({sql}) where match_weight >= ? "
                    "order by match_weight desc",
                    [min_weight],
                )
                names = [d[0] for d in cursor.description]
                rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
            finally:
                self.con.unregister("__splink__compare_records_left_openmash")
                self.con.unregister("__splink__compare_records_right_openmash")
        return [
            Candidate(
                identity_id=row["unique_id_l"],
                match_weight=float(row["match_weight"]),
                match_probability=float(row["match_probability"]),
                explanation=pipeline.explain(self.splink_model, row),
                sure=bool(row["__sure"]),
            )
            for row in rows
        ]


_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def index_for(
    *, model_version: int, splink_model: dict[str, Any], term_frequencies: dict[str, dict[str, float]]
) -> ArrivalIndex:
    """This process's index for the model version, built on first use and caught up on every call."""
    from .data import identities_raw

    with _cache_lock:
        index: ArrivalIndex | None = _cache.get("index")
        if index is None or _cache.get("version") != model_version:
            started = time.perf_counter()
            now = _db_now()
            index = ArrivalIndex(
                splink_model=splink_model, term_frequencies=term_frequencies, raw=identities_raw()
            )
            index.built_at = now
            _cache.update(index=index, version=model_version, build_seconds=time.perf_counter() - started)
        else:
            # Identities other processes wrote since: a minute's overlap, de-duplicated by id.
            assert index.built_at is not None
            now = _db_now()
            recent = identities_raw(
                where="where created_at >= %s - interval '1 minute'", params=(index.built_at,)
            )
            index.add(recent)
            index.built_at = now
        return index


def index_reset() -> None:
    with _cache_lock:
        _cache.clear()


def _db_now() -> datetime:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select statement_timestamp()")
        return cursor.fetchone()[0]
