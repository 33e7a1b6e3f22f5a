"""The project's shared test fixtures (tests/fixtures.py)."""

import pytest

from openmash.mash.tests.helpers import Hub, hub_make
from tests.fixtures import *  # noqa: F403


@pytest.fixture
def hub(db: None) -> Hub:
    return hub_make()
