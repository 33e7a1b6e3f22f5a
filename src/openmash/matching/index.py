# ruff: noqa: S608  (SQL over tables whose names come from this code, never from input)
"""The borough's child index, built from its agencies' records (ADR 0035).

After a run has scored and clustered every agency identity, each cluster of automatic links
(`model.auto_link_sql`) is decided here:

- its identities belong to exactly one hub child: the unlinked ones are linked to it;
- they belong to no hub child: one new child is made from the cluster's most complete, most
  recent record and every identity is linked to it, unless one of them is an uncertain match
  (a pair between the thresholds, not yet decided) for an identity of an existing child: then
  the cluster waits for a person, so the hub's children are extended, never duplicated;
- they belong to two or more children: nothing is linked or merged; the strongest link
  between two children becomes a review (a person decides a merge).

Pairs between the thresholds become reviews when the two identities do not end up with the
same child. Everything is decided in DuckDB; writing is set-based, a chunk of clusters per
transaction, so a run stopped part-way has whole clusters only and the next run carries on;
a run over an index already built changes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from django.db import connection, transaction
from django.utils import timezone

from openmash.accounts.actor import Actor

from . import model
from .models import LinkHow, MatchRun

PROCESS = "matching.index"
CHUNK_IDENTITIES = 20_000


@dataclass
class IndexPlan:
    """What a run will write: links to existing children, new children, and why not the rest."""

    links: pa.Table  # unique_id, child_id, matched_id, weight, how
    new_children: pa.Table  # unique_id, cluster_id, matched_id, weight (one new child per cluster_id)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def clusters_new(self) -> int:
        return len(set(self.new_children.column("cluster_id").to_pylist()))


def _register(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register(f"__{name}_arrow", table)
    con.execute(f"create or replace table {name} as select * from __{name}_arrow")
    con.unregister(f"__{name}_arrow")


def hub_state(con: duckdb.DuckDBPyConnection) -> None:
    """Copy which child each identity belongs to, and the decided reviews, into DuckDB."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select id::text, child_id::text from people_agencyidentity where child_id is not null"
        )
        rows = cursor.fetchall()
        cursor.execute(
            "select identity_a_id::text, identity_b_id::text, status from matching_reviewpair "
            "where status in ('match', 'not_match')"
        )
        decided = cursor.fetchall()
    _register(
        con,
        "child_of",
        pa.table(
            {"unique_id": [r[0] for r in rows], "child_id": [r[1] for r in rows]},
            schema=pa.schema([("unique_id", pa.string()), ("child_id", pa.string())]),
        ),
    )
    _register(
        con,
        "decided",
        pa.table(
            {"a": [r[0] for r in decided], "b": [r[1] for r in decided], "status": [r[2] for r in decided]},
            schema=pa.schema([("a", pa.string()), ("b", pa.string()), ("status", pa.string())]),
        ),
    )


def plan(
    con: duckdb.DuckDBPyConnection,
    *,
    predictions: str,
    splink_model: dict[str, Any],
    upper: float,
    lower: float,
    clusters: str = "clusters",
) -> IndexPlan:
    """Decide every cluster (see the module's docstring). `hub_state` must have run first."""
    auto = model.auto_link_sql(splink_model, upper)
    con.execute(
        f"""
        create or replace table __members as
        select c.unique_id, c.cluster_id, o.child_id from {clusters} c left join child_of o using (unique_id);
        create or replace table __cluster_children as
        select cluster_id, count(distinct child_id) as children, min(child_id) as child_id,
               count(*) as members, count(*) filter (where child_id is null) as unlinked
        from __members group by cluster_id;
        create or replace table __auto_edges as
        select unique_id_l as a, unique_id_r as b, match_weight as w from {predictions} where {auto}
        union all
        select unique_id_r, unique_id_l, match_weight from {predictions} where {auto};
        create or replace table __band as
        select p.unique_id_l as a, p.unique_id_r as b, p.match_weight as w from {predictions} p
        where p.match_weight >= {float(lower)} and not {auto}
          and not exists (select 1 from decided d where d.a = least(p.unique_id_l, p.unique_id_r)
                          and d.b = greatest(p.unique_id_l, p.unique_id_r));
        """
    )
    # The strongest automatic link of each identity to another member with a child (or any member).
    con.execute(
        """
        create or replace table __best as
        select e.a as unique_id, arg_max(e.b, (o.child_id is not null, e.w)) as matched_id,
               max(e.w) as weight
        from __auto_edges e left join child_of o on o.unique_id = e.b group by e.a
        """
    )
    links = con.sql(
        f"""
        select m.unique_id, cc.child_id, b.matched_id, b.weight, '{LinkHow.AUTOMATIC}' as how
        from __members m join __cluster_children cc using (cluster_id)
        left join __best b using (unique_id)
        where m.child_id is null and cc.children = 1
        order by cc.child_id, m.unique_id
        """
    ).to_arrow_table()
    # A cluster with no child waits when one of its identities may be an existing child's.
    con.execute(
        """
        create or replace table __waiting as
        select distinct m.cluster_id from __band p
        join __members m on m.unique_id in (p.a, p.b)
        join __members other on other.unique_id = (case when m.unique_id = p.a then p.b else p.a end)
        join __cluster_children oc on oc.cluster_id = other.cluster_id
        join __cluster_children mc on mc.cluster_id = m.cluster_id
        where mc.children = 0 and oc.children >= 1
        """
    )
    new_children = con.sql(
        """
        select m.unique_id, m.cluster_id, b.matched_id, b.weight
        from __members m join __cluster_children cc using (cluster_id)
        left join __best b using (unique_id)
        where cc.children = 0 and m.cluster_id not in (select cluster_id from __waiting)
        order by m.cluster_id, m.unique_id
        """
    ).to_arrow_table()
    reasons: Counter[str] = Counter()
    for children, waiting, identities, clusters_ in con.execute(
        """
        select least(cc.children, 2), cc.cluster_id in (select cluster_id from __waiting),
               sum(cc.unlinked), count(*)
        from __cluster_children cc where cc.unlinked > 0 group by all
        """
    ).fetchall():
        if children == 1:
            reasons["linked_to_existing"] += int(identities)
        elif children == 0 and waiting:
            reasons["waiting_for_review"] += int(identities)
            reasons["clusters_waiting"] += int(clusters_)
        elif children == 0:
            reasons["new_child"] += int(identities)
        else:
            reasons["two_children"] += int(identities)
            reasons["clusters_two_children"] += int(clusters_)
    return IndexPlan(links=links, new_children=new_children, reasons=reasons)


def review_pairs(
    con: duckdb.DuckDBPyConnection, *, predictions: str, splink_model: dict[str, Any]
) -> list[Any]:
    """After the plan: pairs between the thresholds whose identities will not share a child, and in
    each cluster spanning two or more children its strongest link between two of them."""
    from . import runner

    con.execute(
        """
        create or replace table __final as
        select m.unique_id, coalesce(m.child_id,
               case when cc.children = 1 then cc.child_id
                    when cc.children = 0 and m.cluster_id not in (select cluster_id from __waiting)
                    then 'new:' || m.cluster_id end) as final
        from __members m join __cluster_children cc using (cluster_id)
        """
    )
    cursor = con.execute(
        f"""
        with band as (
            select p.* from {predictions} p join __band b on b.a = p.unique_id_l and b.b = p.unique_id_r
            join __final fa on fa.unique_id = p.unique_id_l join __final fb on fb.unique_id = p.unique_id_r
            where fa.final is null or fb.final is null or fa.final <> fb.final
        ),
        merges as (
            select p.* from (
                select p.*, row_number() over (partition by m.cluster_id order by p.match_weight desc) as rank
                from {predictions} p
                join __members m on m.unique_id = p.unique_id_l
                join __members r on r.unique_id = p.unique_id_r
                join __cluster_children cc on cc.cluster_id = m.cluster_id
                where cc.children >= 2 and m.child_id is not null and r.child_id is not null
                  and m.child_id <> r.child_id and m.cluster_id = r.cluster_id
            ) p where rank = 1
        )
        select * exclude (rank) from merges union all by name select * from band
        """
    )
    return runner.pairs_from_cursor(cursor, splink_model)


_NEW_CHILDREN_SQL = """
INSERT INTO people_child
       (id, created_at, updated_at, forename, middle_names, surname, date_of_birth, sex, preferred_name,
        nhs_number, unique_pupil_number, address, postcode, created_by_process)
SELECT DISTINCT ON (wanted.child_id)
       wanted.child_id, %(now)s, %(now)s, i.forename, i.middle_names, i.surname, i.date_of_birth, i.sex, '',
       i.nhs_number, i.unique_pupil_number, i.address, i.postcode, %(process)s
  FROM unnest(%(ids)s::uuid[], %(children)s::uuid[]) AS wanted(identity_id, child_id)
  JOIN people_agencyidentity i ON i.id = wanted.identity_id
 ORDER BY wanted.child_id,
          (i.nhs_number <> '')::int + (i.unique_pupil_number <> '')::int + (i.date_of_birth IS NOT NULL)::int
          + (i.postcode <> '')::int + (i.sex <> 'U')::int + (i.middle_names <> '')::int DESC,
          i.recorded_on DESC, i.id
"""
_LINKS_SQL = """
INSERT INTO matching_identitylink
       (id, created_at, updated_at, identity_id, child_id, how, matched_identity_id, match_weight, model_id,
        run_id, review_id, linked_by)
SELECT gen_random_uuid(), %(now)s, %(now)s, row.identity_id, row.child_id, row.how, row.matched, row.weight,
       %(model)s, %(run)s, NULL, %(by)s
  FROM unnest(%(ids)s::uuid[], %(children)s::uuid[], %(how)s::text[], %(matched)s::uuid[],
              %(weights)s::float8[]) AS row(identity_id, child_id, how, matched, weight)
 WHERE row.identity_id = ANY(%(linked)s::uuid[])
"""


@dataclass
class Written:
    links_made: int = 0
    children_created: int = 0


def _chunks(rows: list[dict[str, Any]], key: str, size: int) -> list[list[dict[str, Any]]]:
    """Rows cut into chunks of about `size`, never splitting rows that share `key`."""
    chunks: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    for row in rows:
        if len(current) >= size and current[-1][key] != row[key]:
            chunks.append(current)
            current = []
        current.append(row)
    if current:
        chunks.append(current)
    return chunks


def write(
    *,
    actor: Actor,
    run: MatchRun,
    index_plan: IndexPlan,
    advance: Callable[[int], None] | None = None,
    chunk_identities: int | None = None,
) -> Written:
    """Write the plan, a chunk of clusters per transaction (whole clusters only)."""
    rows: list[dict[str, Any]] = []
    for row in index_plan.links.to_pylist():
        rows.append({**row, "group": f"child:{row['child_id']}"})
    child_for_cluster: dict[str, str] = {}
    for row in index_plan.new_children.to_pylist():
        child = child_for_cluster.setdefault(row["cluster_id"], str(uuid.uuid4()))
        rows.append({**row, "child_id": child, "how": LinkHow.NEW_CHILD, "group": f"new:{row['cluster_id']}"})
    written = Written()
    for chunk in _chunks(rows, "group", chunk_identities or CHUNK_IDENTITIES):
        made, created = _write_chunk(actor=actor, run=run, rows=chunk)
        written.links_made += made
        written.children_created += created
        if advance is not None:
            advance(len(chunk))
    return written


@transaction.atomic
def _write_chunk(*, actor: Actor, run: MatchRun, rows: list[dict[str, Any]]) -> tuple[int, int]:
    from openmash.intake.linking import identities_link_to_children

    now = timezone.now()
    new_rows = [row for row in rows if row["how"] == LinkHow.NEW_CHILD]
    created = 0
    with connection.cursor() as cursor:
        if new_rows:
            # A new child only for a cluster none of whose identities was linked meanwhile.
            ids = [row["unique_id"] for row in new_rows]
            cursor.execute(
                "select id::text from people_agencyidentity "
                "where id = any(%s::uuid[]) and child_id is not null",
                [ids],
            )
            taken = {r[0] for r in cursor.fetchall()}
            taken_clusters = {row["cluster_id"] for row in new_rows if row["unique_id"] in taken}
            new_rows = [row for row in new_rows if row["cluster_id"] not in taken_clusters]
            rows = [
                row
                for row in rows
                if row["how"] != LinkHow.NEW_CHILD or row["cluster_id"] not in taken_clusters
            ]
            if new_rows:
                cursor.execute(
                    _NEW_CHILDREN_SQL,
                    {
                        "now": now,
                        "process": PROCESS,
                        "ids": [row["unique_id"] for row in new_rows],
                        "children": [row["child_id"] for row in new_rows],
                    },
                )
                created = cursor.rowcount
    linked = identities_link_to_children(
        links={uuid.UUID(row["unique_id"]): uuid.UUID(row["child_id"]) for row in rows},
        resolved_by=actor.username,
        new_children={uuid.UUID(row["unique_id"]) for row in new_rows},
    )
    if linked:
        with connection.cursor() as cursor:
            cursor.execute(
                _LINKS_SQL,
                {
                    "now": now,
                    "model": run.model_id,
                    "run": run.pk,
                    "by": actor.username[:150],
                    "ids": [row["unique_id"] for row in rows],
                    "children": [row["child_id"] for row in rows],
                    "how": [str(row["how"]) for row in rows],
                    "matched": [row.get("matched_id") for row in rows],
                    "weights": [row.get("weight") for row in rows],
                    "linked": [str(i) for i in linked],
                },
            )
    return len(linked), created
