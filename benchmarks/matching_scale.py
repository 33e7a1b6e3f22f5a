"""Benchmark: matching at scale (targets: a full run over 1,000,000 agency identities in under
5 minutes with peak memory under 8 GB; match on arrival at p95 under 200 ms against 1,000,000).

    .venv/bin/python benchmarks/matching_scale.py                       # 1,000,000 identities, 3 runs
    .venv/bin/python benchmarks/matching_scale.py --identities 200000 --repeat 1

1. Identities are generated in memory by the synthetic borough's generator (untimed; cached as
   Parquet under .data/matching-bench/): for 1,000,000, four boroughs (seeds 1-4) of about
   116,000 children each, since one borough's agency names run out above about 300,000.
2. The model: trained once on the default borough size (seed 1, 49,000 children), untimed.
3. Full run, timed, each in a fresh child process so its peak memory (VmHWM) is its own:
   prepare features, score every candidate pair in chunks (the review threshold is the
   floor), cluster at the upper threshold. Training on the big table is timed separately.
4. Match on arrival: the index is built over every identity but 200 held out, then each
   held-out identity is scored against the rest, one at a time; p50, p95 and p99.

Prints JSON and a Markdown summary for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".data" / "matching-bench"
IDENTITIES_PER_CHILD = 105_836 / 49_000  # the default borough (seed 1)


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _paths(identities: int) -> tuple[Path, Path, Path]:
    stem = CACHE / f"identities-{identities}"
    return (
        stem.with_suffix(".parquet"),
        stem.with_name(stem.name + "-truth.parquet"),
        CACHE / "model-seed1.json",
    )


def prepare_inputs(identities: int) -> dict[str, float]:
    import pyarrow.parquet as pq

    from openmash.matching import data, pipeline, runner

    raw_path, truth_path, model_path = _paths(identities)
    CACHE.mkdir(parents=True, exist_ok=True)
    out: dict[str, float] = {}
    if not raw_path.exists():
        import pyarrow as pa

        # The generator's agency names run out above about 300,000 children (a borough has
        # only so many street names for its schools), so large tables are several boroughs.
        boroughs = max(1, -(-identities // 250_000))
        children = int(identities / IDENTITIES_PER_CHILD / boroughs) + 1000
        parts = [data.identities_generate(seed=seed, children=children) for seed in range(1, boroughs + 1)]
        raw = pa.concat_tables([p.raw for p in parts]).slice(0, identities)
        pq.write_table(raw, raw_path)
        pq.write_table(pa.concat_tables([p.truth for p in parts]), truth_path)
        out["generate_seconds"] = round(sum(p.seconds for p in parts), 1)
        out["boroughs"] = boroughs
        out["children_per_borough"] = children
    if not model_path.exists():
        generated = data.identities_generate(seed=1, children=49_000)
        result = runner.batch(generated.raw, splink_model=None)
        model_path.write_text(
            json.dumps({"splink_model": result.splink_model, "tf": pipeline.term_frequencies(result.con)})
        )
    return out


def full_run(identities: int, train: bool) -> dict[str, object]:
    """One full run (in this process: call it in a child process)."""
    import pyarrow.parquet as pq

    from openmash.matching import runner
    from openmash.matching.conf import thresholds_default

    raw_path, _, model_path = _paths(identities)
    saved = json.loads(model_path.read_text())
    started = time.perf_counter()
    raw = pq.read_table(raw_path)
    read = time.perf_counter() - started
    thresholds = thresholds_default()
    result = runner.batch(
        raw,
        splink_model=None if train else saved["splink_model"],
        thresholds=thresholds,
        min_weight=thresholds.lower,
        train_kwargs={"u_max_pairs": 5e6, "em_max_pairs": 2e6},
    )
    total = time.perf_counter() - started
    clusters = result.con.execute("select count(distinct cluster_id) from clusters").fetchall()[0][0]
    return {
        "identities": result.identities,
        "seconds_total": round(total, 1),
        "seconds": {"read_parquet": round(read, 2), **{k: round(v, 1) for k, v in result.seconds.items()}},
        "pairs_at_or_above_review_threshold": result.predicted.pairs,
        "clusters": clusters,
        "peak_memory_gb": round(runner.peak_memory_bytes() / 2**30, 2),
        "trained": train,
    }


def arrival(identities: int, held_out: int = 200) -> dict[str, object]:
    import pyarrow.parquet as pq

    from openmash.matching import arrival as arrival_module
    from openmash.matching import runner
    from openmash.matching.conf import thresholds_default

    raw_path, _, model_path = _paths(identities)
    saved = json.loads(model_path.read_text())
    raw = pq.read_table(raw_path)
    step = raw.num_rows // held_out
    held = set(range(0, raw.num_rows, step)[:held_out])
    keep = [i for i in range(raw.num_rows) if i not in held]
    started = time.perf_counter()
    index = arrival_module.ArrivalIndex(
        splink_model=saved["splink_model"], term_frequencies=saved["tf"], raw=raw.take(keep)
    )
    build = time.perf_counter() - started
    lower = thresholds_default().lower
    index.score(raw.slice(sorted(held)[0], 1), min_weight=lower)  # the SQL is generated on the first call
    latencies, found = [], 0
    for i in sorted(held):
        started = time.perf_counter()
        candidates = index.score(raw.slice(i, 1), min_weight=lower)
        latencies.append((time.perf_counter() - started) * 1000)
        found += bool(candidates)
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {
        "existing_identities": len(keep),
        "arrivals": len(latencies),
        "with_a_candidate": found,
        "index_build_seconds": round(build, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1], 1),
        "peak_memory_gb": round(runner.peak_memory_bytes() / 2**30, 2),
    }


def _child(args: list[str]) -> dict[str, object]:
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--identities", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--part", choices=["all", "run", "train", "arrival", "prepare"], default="all")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _setup()
    if args.child:
        result: dict[str, object]
        if args.part == "run":
            result = full_run(args.identities, train=False)
        elif args.part == "train":
            result = full_run(args.identities, train=True)
        elif args.part == "arrival":
            result = arrival(args.identities)
        else:
            result = prepare_inputs(args.identities)
        print(json.dumps(result))
        return
    report: dict[str, object] = {
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
        "command": " ".join([".venv/bin/python", "benchmarks/matching_scale.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d"),
        "prepare": _child(["--child", "--part", "prepare", "--identities", str(args.identities)]),
    }
    parts = (
        ["run", "arrival", "train"] if args.part == "all" else [] if args.part == "prepare" else [args.part]
    )
    for part in parts:
        runs = [
            _child(["--child", "--part", part, "--identities", str(args.identities)])
            for _ in range(1 if part == "train" else args.repeat)
        ]
        report[part] = runs
        key = "seconds_total" if part != "arrival" else "p95_ms"
        report[f"{part}_median_{key}"] = statistics.median(float(r[key]) for r in runs)  # type: ignore[arg-type]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
