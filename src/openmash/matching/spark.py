"""The same model on Splink's Spark backend (`openmash match run --engine spark`).

Locally, and in the tests, Spark runs in local mode inside this process (pyspark, Java 17+).
On a cluster, set OPENMASH_SPARK_MASTER (e.g. spark://host:7077 or yarn) and the session is
built against it instead; see docs/matching.md. Features are prepared by DuckDB exactly as
for the DuckDB engine and handed to Spark as Arrow, so both engines compare the same values.
The custom comparison levels are written in DuckDB's SQL and translated by Splink (sqlglot).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from typing import Any

import pyarrow as pa

from .pipeline import Prepared


def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


_reapers: list[Any] = []


def _temporary_checkpoints() -> str:
    """A checkpoint folder removed when this process ends, killed or not (openmash.reaper)."""
    from pathlib import Path

    from openmash.reaper import watch

    folder = tempfile.mkdtemp(prefix="openmash-spark-")
    _reapers.append(watch(Path(folder)))  # kept open for the life of the process
    return folder


def session(*, app_name: str = "openmash-matching") -> Any:
    """A Spark session with Splink's similarity functions (its bundled jar) registered."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    master = os.environ.get("OPENMASH_SPARK_MASTER", "local[2]")
    checkpoints = os.environ.get("OPENMASH_SPARK_CHECKPOINTS") or _temporary_checkpoints()
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", os.environ.get("OPENMASH_SPARK_PARTITIONS", "8"))
        .config("spark.default.parallelism", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", os.environ.get("OPENMASH_SPARK_DRIVER_MEMORY", "4g"))
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(checkpoints)
    return spark


def model_for_dialect(splink_model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The trained parameters on the model's declaration rendered for another SQL dialect.

    Splink's saved JSON holds SQL in the dialect it was trained in; the declaration in
    model.py renders each level for any dialect, and the trained m, u and prior are copied
    over level by level.
    """
    from . import model

    fresh = model.settings().get_settings(dialect).as_dict()
    if len(fresh["comparisons"]) != len(splink_model["comparisons"]):
        raise ValueError("This saved model was declared differently: retrain it to run on another engine")
    for new, old in zip(fresh["comparisons"], splink_model["comparisons"], strict=True):
        if len(new["comparison_levels"]) != len(old["comparison_levels"]):
            raise ValueError("This saved model was declared differently: retrain it to run on another engine")
        for new_level, old_level in zip(new["comparison_levels"], old["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in old_level:
                    new_level[key] = old_level[key]
    fresh["probability_two_random_records_match"] = splink_model["probability_two_random_records_match"]
    return fresh


def _to_spark(spark: Any, table: pa.Table) -> Any:
    try:
        return spark.createDataFrame(table)
    except (TypeError, ValueError):
        return spark.createDataFrame(table.to_pandas())


def predict_with_spark(
    prepared: Prepared, splink_model: dict[str, Any], *, min_weight: float, spark: Any = None
) -> pa.Table:
    """Score every candidate pair with Spark; the predictions come back as Arrow."""
    from splink import Linker
    from splink.backends.spark import SparkAPI

    spark = spark or session()
    features = prepared.con.sql(f"select * from {prepared.table}").to_arrow_table()  # noqa: S608
    frame = _to_spark(spark, features)
    db_api = SparkAPI(spark_session=spark, break_lineage_method="parquet")
    sdf = db_api.register(frame, dataset_display_name="identities_spark")
    linker = Linker(sdf, model_for_dialect(splink_model, "spark"), log_level=logging.WARNING)
    predictions = linker.inference.predict(threshold_match_weight=min_weight)
    result = predictions.as_spark_dataframe()
    try:
        return pa.Table.from_batches(result._collect_as_arrow())
    except Exception:
        return pa.Table.from_pandas(result.toPandas())
