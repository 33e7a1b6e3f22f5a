"""Fixtures shared by every test package (imported by tests/conftest.py and each app's tests/conftest.py).

* people acting in a role (`make_member`, `social_worker`) and signed-in test clients (`sign_in`);
* a child allocated to the social worker (`allocated_child`);
* `superuser_sql`: SQL as the PostgreSQL superuser, for what only a database administrator could do;
* transactional tests (``transactional_db``, ``live_server``) are emptied afterwards as the
  superuser, because the application role they run as may not TRUNCATE the append-only tables;
* `browser`: one headless Debian Chromium per test session, driven by Playwright.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client, TransactionTestCase

from openmash.access.models import RelationshipBasis
from openmash.accounts.middleware import SESSION_MEMBERSHIP
from openmash.accounts.models import Membership
from openmash.accounts.roles import Role
from openmash.people.models import Child
from tests.factories import (
    AdultFactory,
    AgencyIdentityFactory,
    ChildFactory,
    FamilyLinkFactory,
    MembershipFactory,
    RelationshipFactory,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SUPERUSER = "postgres"
# Rows that migrations put in place and no test changes.
_KEEP_ON_FLUSH = {"django_content_type", "auth_permission"}


@contextmanager
def superuser_connection() -> Iterator[psycopg.Connection[Any]]:
    """A separate autocommit connection to the test database as the embedded server's superuser."""
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or None,
        dbname=settings_dict["NAME"],
        user=SUPERUSER,
        autocommit=True,
    ) as conn:
        conn.execute("SET lock_timeout = '10s'")
        yield conn


def _flush_as_superuser(self: TransactionTestCase) -> None:
    """Replace TransactionTestCase's flush: the app role may not TRUNCATE append-only tables."""
    tables = set(connection.introspection.django_table_names(only_existing=True, include_views=False))
    quoted = ", ".join(connection.ops.quote_name(table) for table in sorted(tables - _KEEP_ON_FLUSH))
    with superuser_connection() as conn:
        # Replica mode skips user triggers, including the read log's no-truncate trigger.
        conn.execute("SET session_replication_role = replica")
        conn.execute(f"TRUNCATE {quoted}")


@pytest.fixture(scope="session", autouse=True)
def transactional_tests_flush_as_superuser() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", _flush_as_superuser)
        yield


@pytest.fixture
def superuser_sql(transactional_db: None) -> Callable[..., list[tuple[Any, ...]]]:
    """Run SQL as the superuser. Needs committed rows, so it brings transactional_db with it."""

    def run(sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        with superuser_connection() as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    return run


@pytest.fixture
def make_member(db: None) -> Callable[..., Membership]:
    """make_member(role, **fields): a user acting in that role for an agency, in a team."""

    def make(role: str = Role.SOCIAL_WORKER, **fields: Any) -> Membership:
        return MembershipFactory(role=role, **fields)

    return make


def sign_in_client(membership: Membership, client: Client | None = None) -> Client:
    """A test client signed in as the membership's user, acting in that membership."""
    client = client or Client()
    client.force_login(membership.user, backend=MODEL_BACKEND)
    session = client.session
    session[SESSION_MEMBERSHIP] = str(membership.pk)
    session.save()
    return client


@pytest.fixture
def sign_in(db: None) -> Callable[..., Client]:
    return sign_in_client


@pytest.fixture
def social_worker(make_member: Callable[..., Membership]) -> Membership:
    return make_member(Role.SOCIAL_WORKER)


def allocate(child: Child, membership: Membership, **fields: Any) -> Any:
    """Make the membership's user the child's allocated worker (pass valid_from/valid_to to shape it)."""
    return RelationshipFactory(
        child=child, holder_user=membership.user, basis=RelationshipBasis.ALLOCATED_WORKER, **fields
    )


@pytest.fixture
def allocated_child(social_worker: Membership) -> Child:
    """A child allocated to `social_worker`, known to two agencies, with a mother on record."""
    child = ChildFactory()
    allocate(child, social_worker)
    AgencyIdentityFactory(child=child, agency=social_worker.agency)
    AgencyIdentityFactory(child=child)
    FamilyLinkFactory(child=child, adult=AdultFactory())
    return child


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium (Playwright cannot download its own browsers here), shared by the session."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: run `make browser`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
