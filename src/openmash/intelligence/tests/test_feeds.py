"""Intelligence feeds by file and API: per-row and per-field errors, the rest kept; idempotent;
new content is a correction; a concern naming an adult, a car or a place adds them unconfirmed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.intake.models import Concern, FeedBatch
from openmash.intake.services import contact_open, feed_client_create
from openmash.intelligence.concerns import concern_entities_add
from openmash.intelligence.feeds.importer import intelligence_file_import
from openmash.intelligence.feeds.spec import ENTITIES, LINKS
from openmash.intelligence.models import Entity, EntityVersion, Link
from tests.factories import AgencyFactory, ChildFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FUTURE = (TODAY + timedelta(days=10)).isoformat()
GRADE = "source_evaluation,intelligence_assessment,handling_code"


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def police():
    return AgencyFactory(kind="police", code="test-police", name="Test Police")


def _entities_csv(child) -> str:
    return (
        f"record_id,recorded_on,entity_type,name,nhs_number,registration,phone_number,place_kind,latitude,longitude,{GRADE}\n"
        f"E1,2026-01-10,adult,Dale Marwood,,,,,,,reliable,B,P\n"
        f"E2,2026-01-10,child,,{child.nhs_number},,,,,,reliable,B,P\n"
        f"E3,2026-01-10,vehicle,Silver hatchback,,za71 kxt,,,,,untested,C,C\n"
        f"E4,2026-01-10,place,Cinder Bank Park,,,,park,54.03,0.95,untested,C,C\n"
        f"E5,2026-01-10,vehicle,Bad car,,NOT A REG!,,,,,untested,C,C\n"
        f"E6,2026-01-10,phone,Burner,,,12345,,,,untested,C,C\n"
        f"E7,{FUTURE},adult,Later Person,,,,,,,untested,C,C\n"
        f"E8,2026-01-10,adult,Graded Wrong,,,,,,,sure,F,X\n"
    )


def test_an_entities_file_keeps_good_rows_and_reports_each_bad_field(tmp_path, police):
    child = ChildFactory(nhs_number="9434765919")
    errors = []
    result = intelligence_file_import(
        actor=Actor.system("test"),
        spec=ENTITIES,
        agency=police,
        path=_write(tmp_path, "e.csv", _entities_csv(child)),
        on_error=errors.append,
    )
    assert (result.counts.rows, result.counts.created, result.counts.rejected) == (8, 4, 4)
    fields = {(error.row, error.field) for error in errors}
    assert {(6, "registration"), (7, "phone_number"), (8, "recorded_on")} <= fields
    assert {(9, "source_evaluation"), (9, "intelligence_assessment"), (9, "handling_code")} <= fields
    assert Entity.objects.get(kind="child").child_id == child.pk
    assert Entity.objects.get(kind="vehicle").key == "ZA71KXT"


def test_links_to_entities_never_sent_are_refused_and_a_file_sent_twice_stores_nothing_twice(
    tmp_path, police
):
    child = ChildFactory(nhs_number="9434765919")
    intelligence_file_import(
        actor=Actor.system("t"),
        spec=ENTITIES,
        agency=police,
        path=_write(tmp_path, "e.csv", _entities_csv(child)),
    )
    links = (
        f"record_id,recorded_on,link_type,from_entity,to_entity,valid_from,valid_to,confirmed,{GRADE}\n"
        "L1,2026-02-01,seen_with,E1,E2,2026-01-20,,N,reliable,B,P\n"
        "L2,2026-02-01,transported_in,E2,E3,2026-01-21,,Y,reliable,B,P\n"
        "L3,2026-02-01,seen_with,E1,NOPE,2026-01-20,,N,reliable,B,P\n"
        f"L4,2026-02-01,present_at,E2,E4,{FUTURE},,N,reliable,B,P\n"
        "L5,2026-02-01,made_to_introduce,E1,E3,2026-01-20,,N,reliable,B,P\n"
        "L6,2026-02-01,present_at,E2,E4,2026-01-20,2026-01-01,N,reliable,B,P\n"
    )
    path = _write(tmp_path, "l.csv", links)
    errors = []
    first = intelligence_file_import(
        actor=Actor.system("t"), spec=LINKS, agency=police, path=path, on_error=errors.append
    )
    assert (first.counts.created, first.counts.rejected) == (2, 4)
    fields = {(error.row, error.field) for error in errors}
    assert {
        (4, "to_entity"),
        (5, "valid_from"),
        (6, "from_entity"),
        (6, "to_entity"),
        (7, "valid_to"),
    } <= fields
    assert "has been sent by your agency" in next(
        e.reason for e in errors if e.field == "to_entity" and e.row == 4
    )
    assert Link.objects.get(kind="transported_in").status == "confirmed"
    again = intelligence_file_import(actor=Actor.system("t"), spec=LINKS, agency=police, path=path)
    assert (again.counts.created, again.counts.unchanged) == (0, 2)
    assert Link.objects.count() == 2
    # New content for L1 is a correction pointing at what it corrects.
    changed = _write(
        tmp_path,
        "l2.csv",
        links.splitlines()[0] + "\nL1,2026-02-01,seen_with,E1,E2,2026-01-20,2026-01-30,N,reliable,A,P\n",
    )
    third = intelligence_file_import(actor=Actor.system("t"), spec=LINKS, agency=police, path=changed)
    assert third.counts.new_versions == 1
    newest = Link.objects.get(feed_key__endswith=":L1", corrects__isnull=False)
    assert newest.corrects.feed_key == newest.feed_key and newest.intelligence_assessment == "A"
    assert FeedBatch.objects.filter(feed="intelligence_links").count() == 3


def test_a_file_that_is_not_a_csv_is_refused_whole(tmp_path, police):
    path = tmp_path / "e.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    result = intelligence_file_import(actor=Actor.system("t"), spec=ENTITIES, agency=police, path=path)
    assert "Excel" in result.file_problem and not Entity.objects.exists()


def test_the_command_writes_an_errors_report_and_exits_1(tmp_path, police):
    child = ChildFactory(nhs_number="9434765919")
    path = _write(tmp_path, "e.csv", _entities_csv(child))
    with pytest.raises(SystemExit) as ended:
        call_command("intelligence_import", "intelligence_entities", str(path), agency="test-police")
    assert ended.value.code == 1
    assert "registration" in (tmp_path / "e.csv.errors.csv").read_text()


def test_the_api_takes_json_with_a_token_and_answers_422_for_bad_rows(police):
    _, token = feed_client_create(
        actor=Actor.system("t"), agency=police, name="Intel system", feeds=["intelligence_entities"]
    )
    records = [
        {
            "record_id": "A1",
            "recorded_on": "2026-01-10",
            "entity_type": "adult",
            "name": "Dale Marwood",
            "source_evaluation": "reliable",
            "intelligence_assessment": "B",
            "handling_code": "P",
        },
        {
            "record_id": "A2",
            "recorded_on": "2026-01-10",
            "entity_type": "phone",
            "phone_number": "999",
            "source_evaluation": "reliable",
            "intelligence_assessment": "B",
            "handling_code": "P",
        },
    ]
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post(
        "/api/v1/intelligence/intelligence_entities",
        json.dumps({"records": records}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    body = response.json()
    assert (
        body["created"] == 1
        and body["errors"][0]["field"] == "phone_number"
        and body["errors"][0]["row"] == 2
    )
    again = client.post(
        "/api/v1/intelligence/intelligence_entities",
        json.dumps({"records": records[:1]}),
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 200 and again.json()["unchanged"] == 1
    assert (
        client.post(
            "/api/v1/intelligence/intelligence_links", "{}", content_type="application/json", **auth
        ).status_code
        == 403
    )
    assert (
        client.post("/api/v1/intelligence/nope", "{}", content_type="application/json", **auth).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/intelligence/intelligence_entities", "{", content_type="application/json", **auth
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/intelligence/intelligence_entities", "{}", content_type="application/json"
        ).status_code
        == 401
    )


def test_a_concern_naming_an_adult_a_car_and_a_place_adds_them_unconfirmed_for_an_analyst(police):
    child = ChildFactory()
    contact = contact_open(
        actor=Actor.system("t"),
        source="professional",
        summary="Worried",
        child_id=child.pk,
        source_agency_id=police.pk,
    )
    concern = Concern(
        contact=contact,
        adults=["Dale Marwood"],
        vehicles=["ZA71 KXT", "a silver car"],
        places=["Cinder Bank Park"],
        phones=["not a number"],
    )
    added = concern_entities_add(concern)
    assert sorted(e.kind for e in added) == ["adult", "place", "vehicle", "vehicle"]
    versions = EntityVersion.objects.filter(entity__in=added)
    assert {v.status for v in versions} == {"unconfirmed"}
    links = Link.objects.filter(source__child=child) | Link.objects.filter(target__child=child)
    assert links.count() == 4 and {link.status for link in links} == {"unconfirmed"}
    assert all(link.source_record == f"Concern {contact.reference}" for link in links)


def test_the_feed_pages_in_docs_match_the_declarations():
    from pathlib import Path

    from openmash.intelligence.feeds.docs import page
    from openmash.intelligence.feeds.spec import FEEDS

    docs = Path(__file__).resolve().parents[4] / "docs" / "feeds"
    for code, spec in FEEDS.items():
        assert (docs / f"{code}.md").read_text(encoding="utf-8") == page(spec), (
            f"run openmash intelligence_feed_docs ({code})"
        )
