# ruff: noqa: E501 -- long table rows and COPY column lists read better whole
"""Benchmarks of the intelligence app (issue 13). Results go in docs/benchmarks.md.

    .venv/bin/python benchmarks/intelligence.py planted --seeds 1 7 11        # planted groups, ARI/NMI
    .venv/bin/python benchmarks/intelligence.py lfr                           # LFR graphs, ARI/NMI
    .venv/bin/python benchmarks/intelligence.py leiden --edges 1000000        # community detection time
    .venv/bin/python benchmarks/intelligence.py picture --entities 100000     # two-hop p95, alert time

`planted` generates each borough (default size) in a throwaway embedded PostgreSQL and scores
the candidate groups against the planted ones. `lfr` scores igraph's Leiden (as the app calls
it) on networkx LFR graphs (n=1,000 to 5,000) and networkit LFR graphs (n=100,000, about 1M
links) at mixing 0.1 to 0.4. `leiden` times `communities_detect` on a networkit LFR graph of
about a million links. `picture` writes a synthetic picture of N entities (planted groups plus
background) into a throwaway database, then times a child's two-hop network through
`child_network_for_user` (access check and read-log write included) for 300 children, and the
shared-entity alert over the whole picture.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NULL = "\\N"  # COPY's NULL


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} / {five:.2f}"


def _setup(database: bool) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if database:
        from openmash import dbserver

        data_dir = Path(tempfile.mkdtemp(prefix="openmash-bench-intelligence-")) / "pg"
        os.environ["DATABASE_URL"] = dbserver.ensure_running(data_dir, throwaway=True)
        os.environ["OPENMASH_DB_OWNER"] = "1"
    import django

    django.setup()
    if database:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, skip_checks=True)


def planted(seeds: list[int], children: int) -> None:
    _setup(True)
    from openmash.intelligence.analytics.communities import communities_detect
    from openmash.intelligence.analytics.graph import graph_load
    from openmash.synthetic.intelligence_scoring import planted_groups, score_partition
    from openmash.synthetic.services import borough_generate

    print(
        f"| seed | children | entities | links | planted groups | people scored | ARI | NMI | Leiden (s) | {_load()} |"
    )
    for seed in seeds:
        borough_generate(seed=seed, children=children, replace=True)
        pg = graph_load()
        started = time.perf_counter()
        membership = communities_detect(pg)
        seconds = time.perf_counter() - started
        score = score_partition(planted_groups(), {pg.ids[v]: c for v, c in enumerate(membership)})
        print(
            f"| {seed} | {children:,} | {pg.graph.vcount():,} | {pg.graph.ecount():,} | {score.groups} | "
            f"{score.people} | {score.ari:.3f} | {score.nmi:.3f} | {seconds:.3f} |"
        )


def _score(graph_edges: list[tuple[int, int]], truth: list[int], n: int) -> tuple[float, float, float]:
    import igraph as ig

    from openmash.intelligence.analytics.communities import communities_detect
    from openmash.intelligence.analytics.graph import graph_build

    pg = graph_build(
        ids=[uuid.UUID(int=i) for i in range(n)],
        kinds=["adult"] * n,
        child_ids=[None] * n,
        edges=graph_edges,
        edge_kinds=["associates_with"] * len(graph_edges),
    )
    started, cpu = time.perf_counter(), time.process_time()
    membership = communities_detect(pg)
    seconds = time.perf_counter() - started
    print(f"  (Leiden: {seconds:.2f} s wall, {time.process_time() - cpu:.2f} s of CPU in this process)")
    ari = ig.compare_communities(truth, membership, method="adjusted_rand")
    nmi = ig.compare_communities(truth, membership, method="nmi")
    return ari, nmi, seconds


def lfr(small: list[int], large: int) -> None:
    _setup(False)
    import networkx as nx

    print(f"| generator | n | links | mu | communities | ARI | NMI | Leiden (s) | {_load()} |")
    for n in small:
        for mu in (0.1, 0.2, 0.3, 0.4):
            graph = None
            for seed in range(1, 30):
                try:
                    graph = nx.LFR_benchmark_graph(
                        n,
                        3,
                        1.5,
                        mu,
                        average_degree=10,
                        max_degree=50,
                        min_community=20,
                        max_community=100,
                        seed=seed,
                    )
                    break
                except nx.ExceededMaxIterations:
                    continue
            if graph is None:
                print(f"| networkx | {n:,} | - | {mu} | did not converge in 29 seeds | | | |")
                continue
            community_of: dict[int, int] = {}
            for node in graph:
                community = frozenset(graph.nodes[node]["community"])
                community_of[node] = community_of.get(node, hash(community))
            labels = {c: i for i, c in enumerate(sorted(set(community_of.values())))}
            truth = [labels[community_of[node]] for node in range(n)]
            edges = [(a, b) for a, b in graph.edges() if a != b]
            ari, nmi, seconds = _score(edges, truth, n)
            print(
                f"| networkx LFR | {n:,} | {len(edges):,} | {mu} | {len(labels)} | {ari:.3f} | {nmi:.3f} | {seconds:.2f} |"
            )
    try:
        import networkit as nk
    except ImportError:
        print("networkit is not installed: large LFR graphs skipped")
        return
    nk.engineering.setNumberOfThreads(2)
    for mu in (0.1, 0.2, 0.3, 0.4):
        edges, truth, n = _networkit_lfr(nk, large, mu)
        ari, nmi, seconds = _score(edges, truth, n)
        print(
            f"| networkit LFR | {n:,} | {len(edges):,} | {mu} | {len(set(truth)):,} | {ari:.3f} | {nmi:.3f} | {seconds:.2f} |"
        )


def _networkit_lfr(nk, n: int, mu: float) -> tuple[list[tuple[int, int]], list[int], int]:  # type: ignore[no-untyped-def]
    nk.setSeed(20261202, False)
    generator = nk.generators.LFRGenerator(n)
    generator.generatePowerlawDegreeSequence(20, 50, -2)
    generator.generatePowerlawCommunitySizeSequence(20, 200, -1)
    generator.setMu(mu)
    graph = generator.generate()
    partition = generator.getPartition()
    truth = [partition.subsetOf(v) for v in range(n)]
    edges = [(u, v) for u, v in graph.iterEdges()]
    return edges, truth, n


def leiden(edges_wanted: int, repeat: int) -> None:
    _setup(False)
    import networkit as nk

    nk.engineering.setNumberOfThreads(2)
    n = max(1000, edges_wanted // 10)
    edges, truth, n = _networkit_lfr(nk, n, 0.2)
    print(f"networkit LFR: {n:,} nodes, {len(edges):,} links, mu 0.2 ({_load()})")
    times = []
    for run in range(repeat):
        ari, nmi, seconds = _score(edges, truth, n)
        times.append(seconds)
        print(f"run {run + 1}: Leiden {seconds:.2f} s, ARI {ari:.3f}, NMI {nmi:.3f} ({_load()})")
    print(f"median {statistics.median(times):.2f} s over {repeat} runs")


# --- a synthetic picture at scale ----------------------------------------------------------------


def _copy(table: str, columns: str, rows: list[str]) -> None:
    from django.db import connection

    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        copy.write("".join(rows))


def picture(entities: int, samples: int) -> None:
    _setup(True)
    from django.db import connection
    from django.utils import timezone

    from openmash.access.models import Relationship
    from openmash.accounts.actor import Actor
    from openmash.accounts.models import Agency, Membership, Team, User
    from openmash.intelligence.analytics.alerts import shared_entities
    from openmash.intelligence.models import Entity, EntityVersion, Link
    from openmash.intelligence.selectors import child_network_for_user
    from openmash.people.models import Child

    rng = random.Random(20261202)
    now = timezone.now().isoformat()
    today = timezone.localdate()
    shares = {"child": 0.4, "adult": 0.2, "place": 0.15, "vehicle": 0.1, "phone": 0.15}
    ids: dict[str, list[uuid.UUID]] = {
        kind: [uuid.uuid4() for _ in range(int(entities * s))] for kind, s in shares.items()
    }
    child_records = {entity_id: uuid.uuid4() for entity_id in ids["child"]}
    started = time.perf_counter()
    _copy(
        Child._meta.db_table,
        "id, created_at, updated_at, forename, middle_names, surname, sex, preferred_name, "
        "nhs_number, unique_pupil_number, address, postcode, created_by_process",
        [
            f"{record}\t{now}\t{now}\tChild\t\tNumber{i}\tU\t\t\t\t\t\tbenchmark\n"
            for i, record in enumerate(child_records.values())
        ],
    )
    entity_rows, version_rows = [], []
    for kind, members in ids.items():
        for i, entity_id in enumerate(members):
            child = child_records.get(entity_id)
            key = f"bench-{kind}-{i}" if kind in ("vehicle", "phone") else ""
            entity_rows.append(f"{entity_id}\t{now}\t{now}\t{kind}\t{key}\t{child or NULL}\t\\N\tbenchmark\n")
            version_rows.append(
                f"{uuid.uuid4()}\t{now}\t{now}\t\\N\t\tuntested\tC\tC\tconfirmed\t{now}\tbenchmark\t\t\t\t{entity_id}\t{kind} {i}\t{{}}\t\\N\n"
            )
    _copy(
        Entity._meta.db_table,
        "id, created_at, updated_at, kind, key, child_id, person_id, created_by_process",
        entity_rows,
    )
    _copy(
        EntityVersion._meta.db_table,
        "id, created_at, updated_at, source_agency_id, source_record, source_evaluation, intelligence_assessment, "
        "handling_code, status, recorded_at, recorded_by, reason, feed_key, content_hash, entity_id, label, attributes, corrects_id",
        version_rows,
    )
    # Planted groups of 4 adults, 6 children, 3 places, 2 vehicles and 5 phones; then background
    # sightings of children at places (as many again as the groups' links).
    link_rows: list[str] = []

    def link(kind: str, source: uuid.UUID, target: uuid.UUID) -> None:
        start = today - timedelta(days=rng.randint(1, 700))
        status = "confirmed" if rng.random() < 0.5 else "unconfirmed"
        link_rows.append(
            f"{uuid.uuid4()}\t{now}\t{now}\t\\N\t\tuntested\tC\tC\t{status}\t{now}\tbenchmark\t\t\t\t{kind}\t{start.isoformat()}\t\\N\t\\N\t{source}\t{target}\n"
        )

    pools = {kind: list(members) for kind, members in ids.items()}
    for pool in pools.values():
        rng.shuffle(pool)
    size = {"adult": 4, "child": 6, "place": 3, "vehicle": 2, "phone": 5}
    groups = min(len(pools[k]) // n for k, n in size.items())
    for g in range(groups):
        members = {k: pools[k][g * n : (g + 1) * n] for k, n in size.items()}
        for a, b in zip(members["adult"], members["adult"][1:], strict=False):
            link("associates_with", a, b)
        for child in members["child"]:
            for adult in rng.sample(members["adult"], 2):
                link("seen_with", adult, child)
            link("present_at", child, rng.choice(members["place"]))
        for adult in members["adult"]:
            link("owns_or_uses", adult, rng.choice(members["phone"]))
        for vehicle in members["vehicle"]:
            link("owns_or_uses", rng.choice(members["adult"]), vehicle)
            link("transported_in", rng.choice(members["child"]), vehicle)
    planted_links = len(link_rows)
    for _ in range(planted_links):
        link("present_at", rng.choice(ids["child"]), rng.choice(ids["place"]))
    _copy(
        Link._meta.db_table,
        "id, created_at, updated_at, source_agency_id, source_record, source_evaluation, intelligence_assessment, "
        "handling_code, status, recorded_at, recorded_by, reason, feed_key, content_hash, kind, valid_from, valid_to, "
        "corrects_id, source_id, target_id",
        link_rows,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"wrote {entities:,} entities ({groups:,} planted groups) and {len(link_rows):,} links in "
        f"{time.perf_counter() - started:.1f} s (untimed)"
    )
    agency = Agency.objects.create(name="Benchmark Police", code="bench-police", kind="police")
    team = Team.objects.create(agency=agency, name="Intelligence Unit", kind="intelligence")
    user = User.objects.create_user(username="bench-analyst", password=uuid.uuid4().hex)
    membership = Membership.objects.create(
        user=user, agency=agency, team=team, role="intelligence_analyst", started_at=timezone.now() - timedelta(days=1)
    )
    actor = Actor(
        user_id=user.pk,
        username=user.username,
        role="intelligence_analyst",
        agency_id=agency.pk,
        team_id=team.pk,
        membership_id=membership.pk,
    )
    chosen = rng.sample(list(child_records.values()), samples)
    Relationship.objects.bulk_create(
        [
            Relationship(
                child_id=c,
                holder_user=user,
                basis="intelligence_case",
                valid_from=timezone.now() - timedelta(days=1),
                created_by_process="benchmark",
            )
            for c in chosen
        ]
    )
    times, sizes = [], []
    for child_id in chosen:
        began = time.perf_counter()
        found = child_network_for_user(actor=actor, child_id=child_id, purpose="Benchmark")
        times.append((time.perf_counter() - began) * 1000)
        sizes.append(len(found.network.edges))
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"two-hop view: {samples} children, median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms; links shown median {statistics.median(sizes):.0f}, max {max(sizes)} ({_load()})"
    )
    for run in range(3):
        began = time.perf_counter()
        found_alerts = shared_entities(window_start=today - timedelta(days=365), window_end=today)
        print(
            f"shared-entity alert, whole picture, 365-day window, run {run + 1}: {time.perf_counter() - began:.2f} s, "
            f"{len(found_alerts):,} shared entities ({_load()})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="part", required=True)
    p = sub.add_parser("planted")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 7, 11])
    p.add_argument("--children", type=int, default=49000)
    p = sub.add_parser("lfr")
    p.add_argument("--small", type=int, nargs="+", default=[1000, 5000])
    p.add_argument("--large", type=int, default=100000)
    p = sub.add_parser("leiden")
    p.add_argument("--edges", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p = sub.add_parser("picture")
    p.add_argument("--entities", type=int, default=100_000)
    p.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    print(f"{date.today()} {os.uname().nodename} {os.cpu_count()} cores, {_load()}")
    if args.part == "planted":
        planted(args.seeds, args.children)
    elif args.part == "lfr":
        lfr(args.small, args.large)
    elif args.part == "leiden":
        leiden(args.edges, args.repeat)
    else:
        picture(args.entities, args.samples)


if __name__ == "__main__":
    main()
