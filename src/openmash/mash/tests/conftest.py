"""The project's shared test fixtures (tests/fixtures.py)."""

from tests.fixtures import *  # noqa: F403
