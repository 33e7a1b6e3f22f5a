"""A social worker records two visits where the child was not seen alone; the manager's
dashboard shows the alert (the Daniel Pelka lesson)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from openmash.casework import services
from openmash.casework.models import PlanKind, Visit
from openmash.casework.tests.conftest import access_for, actor_for
from tests.fixtures import sign_in_client

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = os.environ.get("OPENMASH_SCREENSHOTS", "")


def _tab(browser, live_server, membership):  # type: ignore[no-untyped-def]
    client = sign_in_client(membership)
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return context, tab, errors


def _record_visit(tab, live_server, child, when: str, words: str) -> None:  # type: ignore[no-untyped-def]
    tab.goto(f"{live_server.url}/casework/children/{child.pk}/")
    tab.get_by_role("button", name="Record a visit").click()
    tab.get_by_label("When was the visit?").fill(when)
    tab.get_by_label("Where was the visit?").fill("At home, in the kitchen")
    tab.locator("#id_statutory").check()  # Yes
    tab.locator("#id_child_seen").check()  # Yes
    tab.locator("#id_seen_alone-2").check()  # No
    tab.get_by_label("If the child was not seen alone, why not?").fill("Mother stayed in the room")
    tab.get_by_label("What the child said").fill("Mum says I'm not allowed to talk to you")
    tab.get_by_role("button", name="Save").click()
    assert tab.get_by_text("Visit recorded").is_visible()


def test_two_visits_not_seen_alone_alert_the_manager(
    browser, live_server, transactional_db, manager, worker, team_child, as_worker
):
    actor, access = as_worker()
    services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.CHILD_IN_NEED,
        started_on=timezone.localdate() - timedelta(days=30),
        summary="Support at home",
    )
    context, tab, errors = _tab(browser, live_server, worker)
    first = (timezone.localtime() - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    second = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    _record_visit(tab, live_server, team_child, first, "Mum says I'm not allowed to talk to you")
    assert not tab.locator("#alert-not-seen-alone").count()  # one visit is not yet a pattern
    _record_visit(tab, live_server, team_child, second, "I'm fine")
    assert tab.locator("#alert-not-seen-alone").is_visible()
    assert tab.get_by_text("Mum says I'm not allowed to talk to you").first.is_visible()
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/casework-child.png", full_page=True)
    assert Visit.objects.filter(child=team_child, seen_alone=False).count() == 2
    context.close()

    context, tab, manager_errors = _tab(browser, live_server, manager)
    tab.goto(f"{live_server.url}/")
    tab.get_by_role("link", name="Team casework").click()
    alert = tab.locator("#not-seen-alone")
    assert team_child.full_name in alert.inner_text()
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/casework-team.png", full_page=True)
    alert.get_by_role("link", name=team_child.full_name).click()
    assert tab.locator("#alert-not-seen-alone").is_visible()
    context.close()
    assert errors == [] and manager_errors == []
    assert access_for(manager, team_child) and actor_for(manager)
