"""A social worker's first minutes, in a real browser: sign in, open a child, be refused another.

Runs Debian's Chromium against pytest-django's live server (static files from static_build/
through the staticfiles finders), so GOV.UK Frontend's CSS and JavaScript load as in the demo.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, AgencyIdentityFactory, ChildFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOT = "/tmp/openmash-e2e-child.png"  # noqa: S108 - a fixed place to look at the page after a run


@pytest.fixture
def problems(page: Page) -> list[str]:
    """Failed static files, console errors and CSP violations seen by the page."""
    seen: list[str] = []
    page.on(
        "response",
        lambda response: (
            seen.append(f"{response.status} {response.url}")
            if "/static/" in response.url and response.status != 200
            else None
        ),
    )
    page.on("console", lambda message: seen.append(message.text) if message.type == "error" else None)
    return seen


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/account/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_page_has_a_skip_link_one_heading_and_a_keyboard_route_to_the_button(
    page: Page, live_server, problems
):
    page.goto(f"{live_server.url}/account/sign-in")

    skip_link = page.locator("a.govuk-skip-link")
    expect(skip_link).to_have_count(1)
    expect(skip_link).to_have_attribute("href", "#main-content")
    expect(page.locator("main#main-content")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(re.compile("Sign in"))

    # The first Tab lands on the skip link; keep tabbing until the sign-in button has focus.
    focused = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent.trim()"))
        if focused[-1] == "Sign in":
            break
    assert focused[0] == "Skip to main content"
    assert focused[-1] == "Sign in", focused
    assert problems == []


def test_a_social_worker_signs_in_opens_their_child_and_is_refused_another(
    page: Page, live_server, social_worker, allocated_child, problems
):
    not_allocated = ChildFactory()
    AgencyIdentityFactory(child=not_allocated)

    sign_in(page, live_server.url, social_worker.user.username)

    expect(page.locator("h1")).to_have_text("My children")
    page.get_by_role("link", name=allocated_child.full_name).click()

    expect(page.locator("h1")).to_have_text(allocated_child.full_name)
    expect(page.get_by_role("heading", name="What each agency holds")).to_be_visible()
    agency_table = page.locator("table", has=page.locator("caption", has_text="Agency records for"))
    expect(agency_table.locator("tbody tr")).to_have_count(2)
    expect(agency_table).to_contain_text(social_worker.agency.name)
    chronology_tab = page.get_by_role("link", name="Chronology")
    expect(chronology_tab).to_be_visible()
    # GOV.UK Frontend's stylesheet is applied (not the browser's default serif).
    assert "GDS Transport" in page.locator("h1").evaluate("h => getComputedStyle(h).fontFamily")
    page.screenshot(path=SCREENSHOT, full_page=True)

    chronology_tab.click()
    expect(page.get_by_role("heading", name="Chronology", exact=True)).to_be_visible()
    assert problems == []

    page.goto(f"{live_server.url}/children/{not_allocated.pk}/")
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("body")).not_to_contain_text(not_allocated.surname)
    # The browser reports the page's own 404 status as a console error; nothing else may fail.
    assert [problem for problem in problems if "status of 404" not in problem] == []
