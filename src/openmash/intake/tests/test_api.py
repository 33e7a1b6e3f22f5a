"""POST /api/v1/feeds/<feed>: token per agency system, scoped to feeds; 422 lists bad rows, good rows kept."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from openmash.accounts.actor import Actor
from openmash.intake.feeds.samples import rows_to_csv, sample_rows
from openmash.intake.models import FeedBatch, FeedClient, FeedRecord
from openmash.intake.services import feed_client_create, feed_client_revoke

from .conftest import AS_OF

URL = "/api/v1/feeds/{}"


@pytest.fixture
def police_token(police, hub_team):
    _, token = feed_client_create(
        actor=Actor.system("test"), agency=police, name="Records system", feeds=["police_missing"]
    )
    return token


def _post(
    token: str | None, feed: str = "police_missing", body: object = None, content_type="application/json"
):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(URL.format(feed), data=data, content_type=content_type, **headers)


def _records(people, count=4, feed="police_missing"):
    return list(sample_rows(feed=feed, persons=people, count=count, seed=9, as_of=AS_OF))


@pytest.mark.django_db
def test_good_records_are_stored_and_the_same_post_again_stores_nothing(police_token, people):
    records = _records(people)
    response = _post(police_token, body={"records": records})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["rejected"], body["errors"]) == (4, 0, [])
    again = _post(police_token, body={"records": records}).json()
    assert (again["created"], again["unchanged"]) == (0, 4)
    assert FeedRecord.objects.count() == 4


@pytest.mark.django_db
def test_bad_rows_get_a_422_listing_row_field_and_reason_and_the_good_rows_are_kept(police_token, people):
    records = _records(people, 5)
    records[1]["occurred_at"] = "yesterday"
    records[3]["date_of_birth"] = "2099-02-30"
    del records[4]["person_id"]
    response = _post(police_token, body={"records": records})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "occurred_at"), (5, "person_id")]
    assert all(e["reason"] for e in errors)
    # An impossible date of birth is held back and its record kept (ADR 0038).
    assert [(e["row"], e["field"]) for e in response.json()["held_back"]] == [(4, "date_of_birth")]
    assert FeedRecord.objects.count() == 3


@pytest.mark.django_db
def test_a_csv_body_is_accepted_too(police_token, people):
    response = _post(
        police_token, body=rows_to_csv(_records(people), "police_missing"), content_type="text/csv"
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        ("{not json", "application/json", "not valid JSON"),
        ('{"records": {"a": 1}}', "application/json", '"records" list'),
        ("[" * 50_000, "application/json", "not valid JSON"),
        ('{"records": [NaN]}', "application/json", "not valid JSON"),
        (b"\xff\xfe\x00r\x00e", "text/csv", "binary data"),
        ("no,columns\r\n1,2\r\n", "text/csv", "no record_id"),
    ],
)
def test_a_body_that_cannot_be_read_is_a_422_with_one_error_on_row_0(police_token, body, content_type, words):
    response = _post(police_token, body=body, content_type=content_type)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["row"] == 0 and words in error["reason"]


@pytest.mark.django_db
def test_strange_json_values_are_row_errors_not_server_errors(police_token, people):
    record = _records(people, 1)[0]
    body = json.dumps({"records": [dict(record, surname=["x"]), {"\ud800": "x"}, 7, dict(record, x="a\x00")]})
    response = _post(police_token, body=body)
    assert response.status_code == 422
    assert [e["row"] for e in response.json()["errors"]][:4] == [1, 2, 3, 4]


@pytest.mark.django_db
def test_tokens_are_checked_scoped_and_stored_only_as_a_hash(police_token, people):
    assert _post(None, body={"records": []}).status_code == 401
    assert _post("omf_wrong", body={"records": []}).status_code == 401
    assert _post(police_token, feed="health_ae", body={"records": []}).status_code == 403
    assert _post(police_token, feed="no_such_feed", body={"records": []}).status_code == 404
    client = FeedClient.objects.get()
    assert police_token not in json.dumps(list(FeedClient.objects.values()), default=str)
    assert len(client.token_hash) == 64
    feed_client_revoke(actor=Actor.system("test"), client=client)
    assert _post(police_token, body={"records": []}).status_code == 401


@pytest.mark.django_db
def test_too_many_records_or_too_big_a_body_is_refused_with_413(police_token, settings):
    response = _post(police_token, body={"records": [{}] * 5001})
    assert response.status_code == 413
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert _post(police_token, body={"records": [{"x": "y" * 2000}]}).status_code == 413
    assert not FeedBatch.objects.filter(rows__gt=0).exists()


@pytest.mark.django_db
def test_the_openapi_schema_and_docs_are_public_and_docs_load_without_a_cdn():
    client = Client()
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    operation = schema.json()["paths"]["/api/v1/feeds/{feed}"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "text/csv"}
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/docs/assets/..%2Fsettings.py").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_signs_from_an_api_post_reach_the_exploitation_app_after_the_response(
    hospital, hub_team, people, make_children
):
    import time

    from openmash.exploitation.models import Sign

    person = people[0]
    make_children([person])
    _, token = feed_client_create(
        actor=Actor.system("t"), agency=hospital, name="ED system", feeds=["health_ae"]
    )
    record = dict(_records(people, 1, feed="health_ae")[0], person_id=person.person_id,
                  nhs_number=person.nhs_number, upn=person.upn, injury="Y")  # fmt: skip
    response = _post(token, feed="health_ae", body={"records": [record]})
    assert response.status_code == 200 and response.json()["signs"] == 1
    deadline = time.monotonic() + 20
    while not Sign.objects.filter(indicator_code="ae_injury").exists():
        assert time.monotonic() < deadline, "the sign was never handed over"
        time.sleep(0.05)


@pytest.mark.django_db
def test_a_held_back_field_alone_is_a_200_that_lists_it(police_token, people):
    records = _records(people, 2)
    records[0]["nhs_number"] = "1234567890"
    response = _post(police_token, body={"records": records})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["errors"] == [] and [(e["row"], e["field"]) for e in body["held_back"]] == [(1, "nhs_number")]
    assert FeedRecord.objects.count() == 2
