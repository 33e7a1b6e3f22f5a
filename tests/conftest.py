"""Fixtures for the cross-app tests; the shared ones live in tests/fixtures.py."""

