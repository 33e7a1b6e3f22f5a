"""The public report: no sign-in, lands in the hub queue as public, never echoed, protected from abuse."""

from __future__ import annotations

import pytest
from django.test import Client

from openmash.intake.models import Contact, ContactSource, PublicReport, PublicReportAttempt

URL = "/report-a-worry/"
WORRY = "A girl of about 14 is picked up from the chip shop on Mill Lane by different men most nights."


def _report(client: Client, address: str = "203.0.113.7", **fields: str):
    data = {"worry": WORRY, "child_description": "Girl, about 14, school uniform", **fields}
    return client.post(URL, data, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_anyone_can_report_without_signing_in_and_it_lands_in_the_hub_queue_as_public(hub_team):
    client = Client()
    page = client.get(URL)
    assert page.status_code == 200 and b"call 999" in page.content and b"What happens next" in page.content
    response = _report(client)
    assert response.status_code == 302 and response["Location"] == "/report-a-worry/thanks"
    contact = Contact.objects.get()
    assert contact.source == ContactSource.PUBLIC and contact.status == "open"
    assert PublicReport.objects.get(contact=contact).worry == WORRY
    thanks = client.get("/report-a-worry/thanks").content.decode()
    assert contact.reference in thanks and "999" in thanks and "What happens next" in thanks
    assert "chip shop" not in thanks and "Mill Lane" not in thanks  # never echoed back


@pytest.mark.django_db
def test_a_filled_honeypot_is_refused_calmly_and_nothing_is_kept(hub_team):
    response = _report(Client(), website="http://spam.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert "could not be sent" in body and "Nothing you wrote has been kept" in body and WORRY not in body
    assert not Contact.objects.exists()
    assert PublicReportAttempt.objects.get().reason == "honeypot"


@pytest.mark.django_db
def test_one_address_may_send_five_reports_an_hour_then_gets_a_calm_refusal(hub_team):
    client = Client()
    for _ in range(5):
        assert _report(client).status_code == 302
    refused = _report(client)
    assert refused.status_code == 429 and "try again in an hour" in refused.content.decode()
    assert Contact.objects.count() == 5
    assert _report(client, address="198.51.100.20").status_code == 302
    # The address itself is never stored, only a keyed hash of it.
    assert not PublicReportAttempt.objects.filter(client_hash__contains="203.0.113").exists()


@pytest.mark.django_db
def test_repeated_refused_attempts_also_count_towards_the_limit(hub_team):
    client = Client()
    for _ in range(20):
        client.post(URL, {"worry": ""}, REMOTE_ADDR="192.0.2.1")  # invalid: not counted
    for _ in range(20):
        _report(client, address="192.0.2.1", website="x")
    assert _report(client, address="192.0.2.1").status_code == 429


@pytest.mark.django_db
def test_oversize_and_empty_reports_are_refused_with_a_clear_message(hub_team):
    client = Client()
    too_big = client.post(URL, {"worry": "x" * 130_000}, REMOTE_ADDR="192.0.2.9")
    assert too_big.status_code == 413 and "too long" in too_big.content.decode()
    long_field = client.post(URL, {"worry": "x" * 5001}, REMOTE_ADDR="192.0.2.9")
    assert long_field.status_code == 200 and "5,000 characters or fewer" in long_field.content.decode()
    empty = client.post(URL, {"worry": "  "}, REMOTE_ADDR="192.0.2.9")
    assert "Tell us what you are worried about" in empty.content.decode()
    assert not Contact.objects.exists()
