"""Onboarding an agency (ADR 0037): the command, and the page a system administrator uses (404 for
every other role, and a POST from them changes nothing)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from openmash.accounts.models import Agency
from openmash.accounts.roles import Role
from openmash.intake.feeds.catalogue import feed_get
from openmash.intake.feeds.importer import feed_agency_problem
from openmash.intake.models import FeedClient
from openmash.intake.services import feed_token_hash
from tests.fixtures import sign_in_client

pytestmark = pytest.mark.django_db


def test_the_command_adds_an_agency_with_its_feeds_and_issues_a_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command(
        "agency", "add", "--name", "Wrenford Police", "--kind", "police", "--code", "wrenford-police",
        "--feeds", "police_missing,police_domestic_abuse", "--client", "Records system",
    )  # fmt: skip
    out = capsys.readouterr().out
    agency = Agency.objects.get(code="wrenford-police")
    assert agency.feeds == ["police_missing", "police_domestic_abuse"] and agency.kind == "police"
    token = out.strip().splitlines()[-1]
    client = FeedClient.objects.get(agency=agency)
    assert client.token_hash == feed_token_hash(token) and client.feeds == agency.feeds
    assert "openmash import FEED FILE --agency wrenford-police" in out
    # What it was onboarded for is what it may import.
    assert feed_agency_problem(feed_get("police_missing"), agency) == ""  # type: ignore[arg-type]
    assert "not police_protection" in feed_agency_problem(feed_get("police_protection"), agency)  # type: ignore[arg-type]
    with pytest.raises(CommandError, match="cannot send health_ae"):
        call_command(
            "agency", "add", "--name", "Other", "--kind", "police", "--code", "other", "--feeds", "health_ae"
        )
    with pytest.raises(CommandError, match="already has the code"):
        call_command("agency", "add", "--name", "Again", "--kind", "police", "--code", "wrenford-police")
    call_command("agency", "client", "--code", "wrenford-police", "--client", "Second system")
    assert FeedClient.objects.filter(agency=agency).count() == 2


ADD = {
    "name": "Wrenford Health",
    "kind": "nhs_trust",
    "code": "wrenford-health",
    "feeds": ["health_ae", "health_sexual_health"],
    "client_name": "Patient system",
}


def test_a_system_administrator_adds_an_agency_and_sees_its_token_once(make_member) -> None:
    admin = sign_in_client(make_member(Role.SYSTEM_ADMIN))
    assert admin.get("/administration/agencies").status_code == 200
    page = admin.get("/administration/agencies/add")
    assert b"Which feeds may it send?" in page.content
    refused = admin.post("/administration/agencies/add", {**ADD, "feeds": ["police_missing"]})
    assert refused.status_code == 200 and b"cannot send police_missing" in refused.content
    added = admin.post("/administration/agencies/add", ADD)
    assert added.status_code == 200 and added["Cache-Control"] == "no-store"
    agency = Agency.objects.get(code="wrenford-health")
    client = FeedClient.objects.get(agency=agency)
    token = added.content.decode().split('<code id="token">')[1].split("</code>")[0]
    assert feed_token_hash(token) == client.token_hash
    listing = admin.get("/administration/agencies").content.decode()
    assert "Wrenford Health" in listing and token not in listing and client.token_hint in listing
    issued = admin.post(f"/administration/agencies/{agency.pk}/client", {"client_name": "Second system"})
    assert issued.status_code == 200 and FeedClient.objects.filter(agency=agency).count() == 2


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.SYSTEM_ADMIN])
def test_every_other_role_gets_not_found_and_changes_nothing(make_member, role: str) -> None:
    other = sign_in_client(make_member(role))
    agency = Agency.objects.create(name="Existing", kind="police", code="existing")
    agencies = Agency.objects.count()
    assert other.get("/administration/agencies").status_code == 404
    assert other.get("/administration/agencies/add").status_code == 404
    assert other.post("/administration/agencies/add", ADD).status_code == 404
    assert (
        other.post(f"/administration/agencies/{agency.pk}/client", {"client_name": "Sneaky"}).status_code
        == 404
    )
    assert Agency.objects.count() == agencies and not FeedClient.objects.exists()
