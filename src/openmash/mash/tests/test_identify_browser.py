"""In Chromium, by keyboard: a hub officer finds the child a public report is about and attaches it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openmash.intake.models import Contact
from openmash.intake.services import public_report_submit
from openmash.mash.tests.helpers import child_make, hub_make
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_a_hub_officer_finds_and_attaches_the_child_for_a_public_report_by_keyboard(browser, live_server):
    hub = hub_make()
    child = child_make(forename="Kiera", surname="Testbrook")
    child_make(forename="Kiera", surname="Testmoor")
    contact = public_report_submit(
        client_hash="browser-test", worry="A girl called Kiera is picked up late at night by older men",
        child_description="Kiera Testbrook, about 13",
    )  # fmt: skip
    page = browser.new_context().new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/account/sign-in")
    page.fill("#id_username", hub.officer.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Triage queue")).to_be_visible()

    page.goto(f"{live_server.url}/hub/contacts/{contact.pk}")
    expect(page.get_by_text("Not yet matched to a record")).to_be_visible()
    page.get_by_role("button", name="Find the child").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Find the child")).to_be_visible()

    # Searching with nothing is refused with a GOV.UK error summary, which takes the focus.
    page.get_by_role("button", name="Search").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert all("status of 400" in error for error in errors)  # Chromium logs the page's 400 status, only that
    errors.clear()

    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type("Kiera Testbrook")
    page.keyboard.press("Enter")
    results = page.locator("#candidates")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and one child
    results.get_by_role("link", name="This is the child").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Is this the child?")).to_be_visible()
    page.get_by_label("Why are you sure this is the child?").focus()
    page.keyboard.type("Name and age match the report")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=contact.reference)).to_be_visible()
    expect(page.get_by_role("link", name="Kiera Testbrook")).to_be_visible()
    assert Contact.objects.get(pk=contact.pk).child_id == child.pk
    assert errors == []
