"""A system administrator onboards an agency in a real browser, by keyboard: the form, an error
message, then the token page."""

from __future__ import annotations

import pytest

from openmash.accounts.models import Agency
from openmash.accounts.roles import Role
from openmash.intake.models import FeedClient
from tests.fixtures import sign_in_client

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context
    context.close()


def test_a_system_administrator_adds_an_agency_by_keyboard(page, live_server, make_member) -> None:
    admin = make_member(Role.SYSTEM_ADMIN)
    client = sign_in_client(admin)
    page.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    tab = page.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tab.goto(f"{live_server.url}/administration/agencies")
    assert tab.get_by_role("heading", name="Agencies", exact=True).is_visible()
    tab.get_by_role("link", name="Agencies").first.wait_for()
    add = tab.get_by_role("button", name="Add an agency")
    add.focus()
    tab.keyboard.press("Enter")
    tab.get_by_role("heading", name="Add an agency").wait_for()
    tab.get_by_label("Name").fill("Wrenford Police")
    tab.get_by_label("Police force").check()
    tab.get_by_label("Code").fill("wrenford-police")
    tab.get_by_label("Health: A&E attendances (health_ae)").check()
    tab.get_by_label("System that will send feeds by the API (optional)").fill("Records system")
    tab.get_by_role("button", name="Add the agency").focus()
    tab.keyboard.press("Enter")
    tab.get_by_text("There is a problem").wait_for()
    tab.get_by_text("cannot send health_ae").first.wait_for()
    tab.get_by_label("Health: A&E attendances (health_ae)").uncheck()
    tab.get_by_label("Police: missing-person reports and returns (police_missing)").check()
    tab.get_by_role("button", name="Add the agency").click()
    tab.get_by_text("Wrenford Police is ready to send feeds").wait_for()
    token = tab.locator("#token").inner_text()
    assert (
        token.startswith("omf_")
        and FeedClient.objects.get(agency__code="wrenford-police").token_hint in token
    )
    assert Agency.objects.get(code="wrenford-police").feeds == ["police_missing"]
    assert errors == []
