"""Generated boroughs shared by the independent generator's tests (generated once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.independent_borough.generate import Result, generate

# Enough children to measure rates of a few in a thousand (about 5 s of CPU at most); the import
# tests use a few hundred.
RATES_CHILDREN = 3000
IMPORT_CHILDREN = 300


@pytest.fixture(scope="session")
def borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("borough")
    return out, generate(seed=11, children=RATES_CHILDREN, out=out)


@pytest.fixture(scope="session")
def small_borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("small_borough")
    return out, generate(seed=23, children=IMPORT_CHILDREN, out=out)
