# ruff: noqa: S608  (SQL over DuckDB tables whose names come from this code)
"""Benchmark: does matching hold on boroughs it was never tuned on? Both generators, one run.

    .venv/bin/python benchmarks/matching_generalise.py                    # the issue-12 table
    .venv/bin/python benchmarks/matching_generalise.py --children 20000 --json out.json

In one process:
1. the project's own borough (seed 1, the default 49,000 children) is generated in memory, the
   OpenMASH model trained on it and its thresholds chosen from its curve (as `openmash match
   train --choose-thresholds` does);
2. with that model and those thresholds, never changed afterwards, it scores: seed 1 itself,
   a held-out borough of the same generator (seed 2), and, when it is on main, the second,
   independent generator's borough (`tests/independent_borough`, written by another engineer
   and never read or tuned on here);
3. on each borough, a plain Splink model (Splink's name, date-of-birth and exact comparisons,
   trained unsupervised on that borough, links at probability >= 0.5) side by side.

Pairwise figures: a true pair is two records of one true child; pairs blocking never proposed
count as missed. Automatic links are the pairs the index links without a person
(`model.auto_link_sql`); review is every other pair at or above the lower threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "auto_precision": 0.9995,
    "recall_auto_and_review": 0.99,
    "blocking_recall": 0.995,
    "review_share": 0.03,
}


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def independent_borough(seed: int) -> Any:
    """The second generator's borough (raw identities and truth), if it has landed; else None."""
    try:
        from tests.independent_borough import borough_for_matching  # type: ignore[import-not-found]
    except ImportError:
        return None
    return borough_for_matching(seed=seed)


def plain_splink(raw: Any, truth: Any) -> dict[str, Any]:
    """A plain Splink model, as its tutorial declares one, trained on the borough it scores."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from openmash.matching import evaluation, pipeline

    started = time.perf_counter()
    prepared = pipeline.prepare(raw)
    con = prepared.con
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("forename"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nhs_number"),
            cl.ExactMatch("upn"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("forename", "surname"),
            block_on("dob"),
            block_on("surname", "postcode"),
            block_on("nhs_number"),
            block_on("upn"),
        ],
    )
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register("identities"), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("forename", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("forename", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    result = linker.inference.predict(threshold_match_weight=-10)
    con.execute(
        f"create table plain as select unique_id_l, unique_id_r, match_weight from {result.physical_name}"
    )
    con.register("__truth", truth)
    con.execute("create or replace table truth as select * from __truth")
    accuracy = evaluation.accuracy(con, "plain", "truth", evaluation.Thresholds(upper=0.0, lower=0.0))
    return {"accuracy": accuracy.as_dict(), "seconds": round(time.perf_counter() - started, 1)}


def score(name: str, raw: Any, truth: Any, splink_model: dict[str, Any], thresholds: Any) -> dict[str, Any]:
    from openmash.matching import evaluation, model, runner

    started = time.perf_counter()
    result = runner.batch(raw, splink_model=splink_model, thresholds=thresholds)
    con = result.con
    con.register("__truth", truth)
    con.execute("create or replace table truth as select * from __truth")
    accuracy = evaluation.accuracy(
        con,
        result.predicted.table,
        "truth",
        thresholds,
        clusters="clusters",
        auto_sql=model.auto_link_sql(splink_model, thresholds.upper),
    )
    weight_only = evaluation.accuracy(con, result.predicted.table, "truth", thresholds)
    return {
        "borough": name,
        "identities": result.identities,
        "accuracy": accuracy.as_dict(),
        "weight_only_accuracy": weight_only.as_dict(),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=49_000)
    parser.add_argument("--no-plain", action="store_true", help="Skip the plain Splink model")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/matching_generalise.json")
    args = parser.parse_args()
    _setup()
    from openmash.matching import data, evaluation, model, pipeline, runner

    out: dict[str, Any] = {
        "command": "benchmarks/matching_generalise.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.node()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_start": os.getloadavg()[0],
        "boroughs": [],
    }
    seed1 = data.identities_generate(seed=1, children=args.children)
    trained = runner.batch(seed1.raw, splink_model=None)
    con = trained.con
    con.register("__truth", seed1.truth)
    con.execute("create or replace table truth as select * from __truth")
    thresholds = evaluation.choose_thresholds(
        con, trained.predicted.table, "truth", auto_filter=model.own_details_sql(trained.splink_model)
    )
    pipeline.cluster(
        con, trained.predicted.table, threshold=thresholds.upper, splink_model=trained.splink_model
    )
    out["thresholds"] = thresholds.__dict__
    boroughs: list[tuple[str, Any, Any]] = [("own generator, seed 1 (trained on)", seed1.raw, seed1.truth)]
    seed2 = data.identities_generate(seed=2, children=args.children)
    boroughs.append(("own generator, seed 2 (held out)", seed2.raw, seed2.truth))
    independent = independent_borough(seed=1)
    if independent is not None:
        boroughs.append(
            ("independent generator (held out, never tuned on)", independent.raw, independent.truth)
        )
    else:
        out["independent"] = "tests/independent_borough is not on main yet"
    for name, raw, truth in boroughs:
        row = score(name, raw, truth, trained.splink_model, thresholds)
        if not args.no_plain:
            row["plain_splink"] = plain_splink(raw, truth)
        out["boroughs"].append(row)
        print(json.dumps({"borough": name, **row["accuracy"]}), flush=True)
    out["load_end"] = os.getloadavg()[0]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2, default=str))
    print(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
