"""The project's shared test fixtures (tests/fixtures.py) are registered once, in the root conftest."""

import pytest

from openmash.mash.tests.helpers import Hub, hub_make


@pytest.fixture
def hub(db: None) -> Hub:
    return hub_make()
