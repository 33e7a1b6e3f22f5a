"""schemathesis against the API's own OpenAPI schema: whatever it sends, the answer is never a 5xx.

Runs in-process through Django's WSGI application, so `make test` runs it with the rest,
and with a real token so the fuzzing reaches the import code, not only the 401. Cases
come from schemathesis' strategies for the schema (valid and deliberately invalid
requests); the schema is the one the API serves at /api/openapi.json.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from openmash.accounts.actor import Actor
from openmash.api import api
from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.services import feed_client_create
from tests.factories import AgencyFactory

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
SCHEMA.app = get_wsgi_application()
OPERATION = SCHEMA["/api/v1/feeds/{feed}"]["POST"]
CASES = OPERATION.as_strategy(GenerationMode.POSITIVE) | OPERATION.as_strategy(GenerationMode.NEGATIVE)


@pytest.fixture
def fuzz_tokens(db) -> dict[str, str]:
    """For each feed, the token of a system allowed to send it, so every feed's import is reached."""
    tokens: dict[str, str] = {}
    for kind in sorted({spec.agency_kinds[0] for spec in FEEDS.values()}):
        agency = AgencyFactory(kind=kind, code=f"fuzz-{kind}")
        feeds = [code for code, spec in FEEDS.items() if spec.agency_kinds[0] == kind]
        _, token = feed_client_create(actor=Actor.system("fuzz"), agency=agency, name="fuzz", feeds=feeds)
        tokens.update(dict.fromkeys(feeds, token))
    # As Django's test client does: a request must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield tokens
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_served_schema_is_the_one_fuzzed(client, db):
    assert client.get("/api/openapi.json").json() == SCHEMA.raw_schema


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(case=CASES)
def test_the_feeds_api_never_answers_with_a_server_error(fuzz_tokens, case):
    token = fuzz_tokens.get(str(case.path_parameters.get("feed")), fuzz_tokens["police_missing"])
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, response.text[:500]
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.text[:200]
    case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])
