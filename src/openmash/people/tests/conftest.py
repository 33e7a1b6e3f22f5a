"""The project's shared test fixtures (tests/fixtures.py) are registered once, in the root conftest."""
