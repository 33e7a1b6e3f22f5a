"""The Spark backend (local mode) gives the same pairs, weights and clusters as DuckDB on a sample."""

from __future__ import annotations

import pytest

from openmash.matching import data, pipeline, runner
from openmash.matching.spark import java_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not java_available(),
        reason="pyspark needs Java 17+: `make test` installs default-jre-headless; or apt-get install it",
    ),
]


def test_spark_gives_the_same_clusters_as_duckdb_on_a_sample(trained: runner.BatchResult) -> None:
    from openmash.matching.spark import session

    sample = data.identities_generate(seed=23, children=1_500)
    duck = runner.batch(sample.raw, splink_model=trained.splink_model)
    spark = session()
    on_spark = pipeline.predict(
        duck.prepared,
        trained.splink_model,
        engine="spark",
        min_weight=-5.0,
        into="spark_predictions",
        spark=spark,
    )
    con = duck.con
    assert on_spark.pairs == duck.predicted.pairs > 500
    [(missing, worst)] = con.execute(
        "select count(*) filter (where a.unique_id_l is null or b.unique_id_l is null),"
        " max(abs(a.match_weight - b.match_weight))"
        " from predictions a full join spark_predictions b using (unique_id_l, unique_id_r)"
    ).fetchall()
    assert missing == 0 and worst < 1e-9
    pipeline.cluster(con, "predictions", threshold=duck.thresholds.upper, into="clusters_duckdb")
    pipeline.cluster(con, "spark_predictions", threshold=duck.thresholds.upper, into="clusters_spark")
    [(differ, clusters)] = con.execute(
        "select count(*) filter (where a.cluster_id <> b.cluster_id), count(distinct a.cluster_id)"
        " from clusters_duckdb a join clusters_spark b using (unique_id)"
    ).fetchall()
    assert differ == 0 and clusters < sample.raw.num_rows
