"""In Chromium: a school's concern reaches the triage queue, the police researcher answers the
hub's request, the manager decides on a strategy discussion and sees the conference due date."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openmash.core.formatting import govuk_date
from openmash.intake.models import Concern
from openmash.mash.tests.helpers import child_make, hub_make
from openmash.timescales.calendar import ENGLAND
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# Screenshots for a person to look at: OPENMASH_SHOTS=<folder>; none are taken otherwise.
SHOTS = os.environ.get("OPENMASH_SHOTS", "")


def _sign_in(browser, base: str, username: str):
    page = browser.new_context().new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{base}/account/sign-in")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    return page, errors


@pytest.mark.django_db(transaction=True)
def test_school_concern_to_strategy_discussion_with_icpc_due_date(browser, live_server):
    hub = hub_make()
    child = child_make(forename="Zara", surname="Northwood")
    contact = hub.open_contact(child)
    Concern.objects.create(
        contact=contact, what_happened="Seen getting into a grey car after school", what_seen_or_told="Seen",
        family_knows="no", sharing_basis="safeguarding", vehicles=["AB12 CDE"],
    )  # fmt: skip

    # The triage officer lands on the queue and finds the school's concern, rated and timed.
    officer, officer_errors = _sign_in(browser, live_server.url, hub.officer.user.username)
    expect(officer.get_by_role("heading", name="Triage queue")).to_be_visible()
    row = officer.get_by_role("row").filter(has_text=contact.reference)
    expect(row).to_have_count(1)
    assert "Testshire Academy" in row.inner_text() and "Zara Northwood" in row.inner_text()
    assert "Green" in row.inner_text()
    if SHOTS:
        officer.screenshot(path=f"{SHOTS}/queue.png", full_page=True)
    row.get_by_role("link", name=contact.reference).click()
    expect(officer.get_by_role("heading", name=contact.reference)).to_be_visible()
    officer.get_by_text("Ask agencies what they hold").click()
    officer.get_by_label("Testshire Police").check()
    officer.get_by_label("What should they check?").fill("Any incidents involving the child or a grey car?")
    officer.get_by_role("button", name="Send the requests").click()
    expect(officer.get_by_text("Waiting for an answer")).to_be_visible()

    # The police researcher sees the request addressed to the police, and answers it.
    police, police_errors = _sign_in(browser, live_server.url, hub.police_researcher.user.username)
    police.get_by_role("link", name="Information requests").first.click()
    police.get_by_role("link", name=contact.reference).click()
    expect(police.get_by_text("Zara Northwood")).to_be_visible()
    police.get_by_label("Yes, we hold information").check()
    police.get_by_label("What you hold and share with the hub").fill(
        "Stop-check of AB12 CDE with an adult of concern"
    )
    police.get_by_label("Why sharing this is necessary and proportionate").fill(
        "The child may be being exploited"
    )
    police.get_by_label("Public task").check()
    police.get_by_role("button", name="Send the answer").click()
    expect(police.get_by_role("heading", name="Information requests")).to_be_visible()
    assert contact.reference not in police.locator("main").inner_text()

    # The manager reads the answer, records a strategy discussion and sees the ICPC due date.
    manager, manager_errors = _sign_in(browser, live_server.url, hub.manager.user.username)
    manager.goto(f"{live_server.url}/hub/contacts/{contact.pk}")
    expect(manager.get_by_text("Stop-check of AB12 CDE")).to_be_visible()
    manager.get_by_label("Strategy discussion (section 47)").check()
    manager.get_by_label("Rationale").fill("Police intelligence links the car to an adult of concern.")
    manager.get_by_label("Team that will take the case").select_option(label=str(hub.social_work_team))
    today = timezone.localdate()
    manager.get_by_label("Date of the strategy discussion").fill(today.strftime("%d/%m/%Y"))
    manager.get_by_role("button", name="Record the decision").click()
    expected = govuk_date(ENGLAND.add_working_days(today, 15))
    expect(manager.locator("#due-icpc")).to_have_text(expected)
    expect(manager.get_by_text("Signed off and in effect")).to_be_visible()
    if SHOTS:
        manager.screenshot(path=f"{SHOTS}/decision.png", full_page=True)
    assert not officer_errors and not police_errors and not manager_errors


@pytest.mark.django_db(transaction=True)
def test_a_manager_returns_a_decision_and_the_officer_amends_it(browser, live_server):
    hub = hub_make()
    contact = hub.open_contact(child_make(forename="Amira", surname="Westfield"))
    url = f"{live_server.url}/hub/contacts/{contact.pk}"

    officer, officer_errors = _sign_in(browser, live_server.url, hub.officer.user.username)
    officer.goto(url)
    officer.get_by_label("Information and advice").check()
    officer.get_by_label("Rationale").fill("The school can support the family with advice on online safety.")
    officer.get_by_role("button", name="Record the decision").click()
    expect(officer.get_by_text("Waiting for a manager's sign-off")).to_be_visible()

    # The manager returns it with a reason, using the keyboard to send the form.
    manager, manager_errors = _sign_in(browser, live_server.url, hub.manager.user.username)
    manager.goto(url)
    manager.get_by_label("Or return it to the officer").fill(
        "Ask the police what they hold on the adults first, then decide again."
    )
    manager.get_by_role("button", name="Return the decision").focus()
    manager.keyboard.press("Enter")
    expect(manager.get_by_text("Returned to the officer to amend")).to_be_visible()

    # The officer sees why, amends the proposal (the form starts from it) and proposes it again.
    officer.goto(url)
    expect(officer.locator("#decision-returned")).to_contain_text("Ask the police what they hold")
    expect(officer.get_by_label("Rationale")).to_have_value(
        "The school can support the family with advice on online safety."
    )
    if SHOTS:
        officer.screenshot(path=f"{SHOTS}/decision-returned.png", full_page=True)
    officer.get_by_label("Early help").check()
    officer.get_by_label("Rationale").fill(
        "Police hold nothing on the adults; early help will work with the family."
    )
    officer.get_by_role("button", name="Propose the amended decision").click()
    expect(officer.get_by_text("Waiting for a manager's sign-off")).to_be_visible()

    manager.goto(url)
    manager.get_by_role("button", name="Sign off the decision").click()
    expect(manager.get_by_text("Signed off and in effect")).to_be_visible()
    expect(manager.get_by_text("Returned 1 time")).to_be_visible()
    assert not officer_errors and not manager_errors
