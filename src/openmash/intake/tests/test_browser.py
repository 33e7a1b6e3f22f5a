"""In Chromium: a practitioner's concern from start to the hub queue; the public form without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openmash.accounts.roles import Role
from openmash.intake.models import Contact, ContactSource
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
  .filter(el => !el.closest('[aria-hidden=true]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name)"""


# `browser` is the session's shared Chromium (tests/fixtures.py): one Playwright per worker,
# since a second sync Playwright in the same thread cannot start while the first runs.


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/account/sign-in")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _continue(page) -> None:
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_a_practitioner_reports_a_concern_and_it_is_in_the_hub_queue(browser, live_server, hub_team, school):
    teacher = MembershipFactory(agency=school, role=Role.PRACTITIONER, user__full_name="Tara Teacher")
    mash = MembershipFactory(agency=hub_team.agency, team=hub_team, role=Role.MASH_OFFICER)
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, live_server.url, teacher.user.username)

    page.get_by_role("link", name="Report a concern").click()
    page.get_by_role("button", name="Start now").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Who is the child?")).to_be_visible()
    assert page.evaluate(UNLABELLED_FIELDS) == []

    _continue(page)  # nothing entered: a clear error, linked to the field
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "Enter the child's first name" in summary.inner_text()
    assert page.title().startswith("Error:")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_forename"

    page.get_by_label("First name").fill("Zara")
    page.get_by_label("Last name").fill("Northam")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2012")
    _continue(page)
    page.locator("#id_what_happened").fill("Collected from school by a man in a silver car.")
    page.get_by_label("If you do not know the date, say roughly when").fill("last Friday")
    _continue(page)
    page.locator("#id_what_seen_or_told").fill("I saw her get into the car.")
    page.get_by_label("Yes").check()
    page.get_by_label("What the child said, in their own words").fill("He said I owe him")
    _continue(page)
    page.get_by_label("Seen getting into cars with adults the family does not know.").check()
    _continue(page)
    page.get_by_label("Vehicles").fill("ZA71 KXT, silver hatchback")
    _continue(page)
    page.get_by_label("Needs a decision today").check()
    _continue(page)
    page.locator("input[name=family_knows][value=no]").check()
    page.get_by_label("Why has the family not been told?").fill("It could put her at risk")
    page.locator("input[name=sharing_basis][value=safeguarding]").check()
    _continue(page)
    assert page.get_by_label("Your name").input_value() == "Tara Teacher"
    page.get_by_label("Phone number").fill("07700 900001")
    _continue(page)

    expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()
    assert "He said I owe him" in page.content()
    page.get_by_role("button", name="Send concern").click()
    panel = page.locator(".govuk-panel")
    expect(panel).to_contain_text("Concern sent")
    reference = Contact.objects.get(source=ContactSource.PROFESSIONAL).reference
    assert reference in panel.inner_text()
    context.close()

    hub = browser.new_context().new_page()
    _sign_in(hub, live_server.url, mash.user.username)
    # The navigation now leads to the hub's triage queue (issue 5); intake's own list still works.
    hub.goto(f"{live_server.url}/concerns/hub")
    expect(hub.get_by_role("heading", name="Hub queue")).to_be_visible()
    row = hub.get_by_role("row").filter(has_text=reference)
    assert row.count() == 1
    assert "Zara Northam" in row.inner_text() and "Needs a decision today" in row.inner_text()
    row.get_by_role("link", name=reference).click()
    expect(hub.get_by_role("heading", name=reference)).to_be_visible()
    assert "He said I owe him" in hub.content() and "Sealed" in hub.content()


@pytest.mark.django_db(transaction=True)
def test_a_member_of_the_public_reports_a_worry_without_javascript(browser, live_server, hub_team):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/report-a-worry/")
    expect(page.get_by_role("heading", name="Report a worry about a child")).to_be_visible()
    assert page.locator("html.govuk-frontend-supported").count() == 0  # GOV.UK's script never ran
    assert page.locator("#id_website").get_attribute("tabindex") == "-1"

    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert "Tell us what you are worried about" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("What are you worried about?").fill("A girl is picked up by different men every night.")
    page.get_by_label("Where does this happen? (optional)").fill("Chip shop, Mill Lane")
    page.get_by_role("button", name="Send report").click()

    expect(page.locator(".govuk-panel")).to_contain_text("Report sent")
    contact = Contact.objects.get()
    assert contact.source == ContactSource.PUBLIC and contact.reference in page.content()
    assert "different men" not in page.content() and "Mill Lane" not in page.content()
    assert "999" in page.content()
    context.close()
