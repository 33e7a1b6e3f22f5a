"""Test-wide setup: migrations run as the owner role, tests act as the application role."""

from __future__ import annotations

import contextlib
import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must allow its ORM there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The shared fixtures, registered once for the whole run. Importing them into each app's
# conftest would register a separate session-scoped `browser` per folder, and a second sync
# Playwright cannot start in a thread where one is already running.
pytest_plugins = ["tests.fixtures"]


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):  # type: ignore[no-untyped-def]
    """Create and migrate the test database as the owner, then act as the application role.

    This is what production does: the schema belongs to one role, the web app runs as
    another that cannot change the read log. Tests that skipped this would pass against
    privileges the real service does not have.
    """
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    settings_dict = connections["default"].settings_dict
    server = _start_throwaway_server(settings_dict)
    assume_role = settings_dict["OPTIONS"].pop("assume_role", None)
    with django_db_blocker.unblock():
        connections["default"].close()
        db_cfg = setup_databases(verbosity=0, interactive=False, keepdb=False)
        connections["default"].close()
    if assume_role:
        settings_dict["OPTIONS"]["assume_role"] = assume_role
    yield
    with django_db_blocker.unblock():
        connections["default"].close()
        settings_dict["OPTIONS"].pop("assume_role", None)
        # The throwaway server is deleted at exit anyway; a failed drop must not fail the run.
        with contextlib.suppress(Exception):
            teardown_databases(db_cfg, verbosity=0)
        if server is not None:
            server.close()


def _start_throwaway_server(settings_dict):  # type: ignore[no-untyped-def]
    """Start this process's throwaway server when the settings left a placeholder for it.

    Only a process that runs database tests starts one (not pytest-xdist's controller, not
    mypy loading the settings). It stops, and its folder goes, when the session ends or
    when this process is killed (openmash.reaper).
    """
    from django.conf import settings

    if settings_dict["HOST"] != getattr(settings, "THROWAWAY_SOCKET_PLACEHOLDER", None):
        return None
    from urllib.parse import parse_qs, urlparse

    from openmash.dbserver import throwaway

    server = throwaway()
    settings_dict["HOST"] = parse_qs(urlparse(server.url).query)["host"][-1]
    return server
