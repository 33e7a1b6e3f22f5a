"""A social worker filters and pages a long chronology by keyboard in a real browser, and opens
the printable chronology, which prints without the service's navigation."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from openmash.casework.models import Visit
from tests.factories import ChildFactory
from tests.fixtures import allocate, sign_in_client

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def context(browser, live_server, transactional_db):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context
    context.close()


def test_filtering_paging_and_printing_the_chronology_by_keyboard(context, live_server, social_worker):
    child = ChildFactory()
    allocate(child, social_worker)
    now = timezone.now()
    Visit.objects.bulk_create(
        Visit(
            child=child,
            visited_at=now - datetime.timedelta(days=day, hours=1),
            visitor=social_worker.user,
            agency=social_worker.agency,
            child_seen=True,
            seen_alone=day % 2 == 0,
            location=f"Home {day}",
        )
        for day in range(1, 151)
    )
    client = sign_in_client(social_worker)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/children/{child.pk}/chronology")
    count = page.locator("#chronology-count")
    assert "Showing 1 to 100 of" in count.inner_text()

    # Page on by keyboard: the GOV.UK pagination's "Next" link.
    page.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2")
    assert "Showing 101 to" in count.inner_text()
    assert page.get_by_role("cell", name="Visit at Home 101: child seen, not alone").is_visible()

    # Filter by kind by keyboard (type to choose in the select), and a date range.
    page.get_by_label("Kind").focus()
    page.keyboard.type("Visit")
    assert page.get_by_label("Kind").input_value() == "visit"

    # The local dates of the visits 12 and 10 days back (read from the visits: just after
    # midnight an hour before now is the day before).
    def visit_day(days_ago: int) -> str:
        return timezone.localdate(now - datetime.timedelta(days=days_ago, hours=1)).isoformat()

    page.get_by_label("From date").fill(visit_day(12))
    page.get_by_label("To date").fill(visit_day(10))
    page.get_by_role("button", name="Filter").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**kind=visit**")
    assert "Showing 1 to 3 of 3 entries matching the filters" in count.inner_text()
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    assert rows.first.inner_text().endswith("Visit at Home 10: child seen alone")
    assert page.get_by_role("navigation", name="Chronology pages").count() == 0

    # Print what the filter shows: a purpose is chosen with the keyboard (space on a radio).
    page.get_by_label("Child protection conference").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Open a printable chronology").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/chronology/print?**")
    assert page.get_by_role("heading", name=f"Chronology: {child.full_name}").is_visible()
    assert page.locator("table tbody tr").count() == 3
    assert page.get_by_role("button", name="Print this page").is_visible()
    page.emulate_media(media="print")
    assert page.get_by_text("OFFICIAL-SENSITIVE").first.is_visible()
    assert page.get_by_text("Printed by").is_visible()
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not page.get_by_role("button", name="Print this page").is_visible()
    assert not page.locator(".govuk-footer").is_visible()
    page.pdf()  # lays the page out for paper, as printing would
    assert problems == []
