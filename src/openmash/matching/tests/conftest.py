"""The project's shared test fixtures (tests/fixtures.py), and this app's own: a model trained
once per test session on a small borough generated in memory."""

from __future__ import annotations

from typing import Any

import pytest

from openmash.accounts.actor import Actor
from openmash.matching import data, evaluation, pipeline, runner
from openmash.matching.conf import thresholds_default
from openmash.matching.models import MatchModel
from openmash.matching.services import match_model_save

TRAIN_SEED = 7
TRAIN_CHILDREN = 4_000


@pytest.fixture(scope="session")
def small_borough() -> data.GeneratedIdentities:
    return data.identities_generate(seed=TRAIN_SEED, children=TRAIN_CHILDREN)


@pytest.fixture(scope="session")
def trained(small_borough: data.GeneratedIdentities) -> runner.BatchResult:
    result = runner.batch(small_borough.raw, splink_model=None, train_kwargs={"u_max_pairs": 2e6})
    result.con.register("__truth", small_borough.truth)
    result.con.execute("create or replace table truth as select * from __truth")
    return result


@pytest.fixture
def saved_model(db: None, trained: runner.BatchResult) -> MatchModel:
    thresholds = thresholds_default()
    return match_model_save(
        actor=Actor.system("test"),
        splink_model=trained.splink_model,
        training_summary=trained.summary.as_dict() if trained.summary else {},
        term_frequencies=pipeline.term_frequencies(trained.con),
        upper_threshold=thresholds.upper,
        lower_threshold=thresholds.lower,
    )


def accuracy_of(result: runner.BatchResult, thresholds: evaluation.Thresholds | None = None) -> Any:
    return evaluation.accuracy(
        result.con, result.predicted.table, "truth", thresholds or result.thresholds, clusters="clusters"
    )
