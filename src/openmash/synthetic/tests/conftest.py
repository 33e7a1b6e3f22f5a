from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openmash.synthetic.generator import BoroughGenerator
from openmash.synthetic.noise import NoiseConfig
from openmash.synthetic.sinks import MemorySink

FIXED_NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def generate_in_memory(*, seed: int = 1, children: int = 500, noise: float = 1.0) -> MemorySink:
    sink = MemorySink()
    BoroughGenerator(seed=seed, children=children, noise=NoiseConfig().scaled(noise), now=FIXED_NOW).run(sink)
    return sink


@pytest.fixture(scope="module")
def borough_3000() -> MemorySink:
    """One mid-sized borough shared by the tests that only read it."""
    return generate_in_memory(seed=11, children=3000)
