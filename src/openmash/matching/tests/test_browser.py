"""A hub officer reviews a possible match in a real browser: the two records, the weights chart
and its table, then a decision with a reason."""

from __future__ import annotations

import pytest

from openmash.matching.models import ReviewDecision, ReviewStatus
from openmash.matching.services import ScoredPair, review_pairs_open
from tests.factories import AgencyIdentityFactory, ChildFactory
from tests.fixtures import sign_in_client

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EXPLANATION = [
    {"comparison": "Forename", "key": "forename", "level": "Same name, other form (nickname)", "weight": 4.3},
    {"comparison": "Surname", "key": "surname", "level": "Exact", "weight": 6.4},
    {"comparison": "Date of birth", "key": "date_of_birth", "level": "Day and month swapped", "weight": 7.8},
    {
        "comparison": "Postcode and address",
        "key": "address",
        "level": "Same postcode district",
        "weight": -4.2,
    },
]


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context
    context.close()


def test_a_hub_officer_decides_a_possible_match(page, live_server, make_member, saved_model):
    from openmash.accounts.roles import Role

    officer = make_member(Role.MASH_OFFICER)
    child = ChildFactory(forename="William", surname="Browsertest")
    linked = AgencyIdentityFactory(child=child, forename="William", surname="Browsertest")
    unlinked = AgencyIdentityFactory(child=None, forename="Bill", surname="Browsertest")
    [review] = review_pairs_open(
        model=saved_model,
        source="run",
        pairs=[ScoredPair(str(linked.pk), str(unlinked.pk), 5.1, 0.97, EXPLANATION)],
    )
    client = sign_in_client(officer)
    page.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    tab = page.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tab.goto(f"{live_server.url}/matching/reviews/")
    tab.get_by_role("link", name=f"Review {str(review.pk)[:8]}").click()
    assert tab.get_by_role("heading", name="Are these records the same child?").is_visible()
    assert tab.locator("tr", has_text="Forename").get_by_text("Differs").is_visible()
    tab.locator(".openmash-chart__canvas svg").first.wait_for()
    assert tab.get_by_role("cell", name="Day and month swapped").is_visible()
    tab.get_by_role("button", name="Record decision").click()
    assert tab.get_by_text("There is a problem").is_visible()
    tab.get_by_label("Yes, the same child").check()
    tab.get_by_label("Why").fill("Bill is William; the date was typed day and month the other way round")
    tab.get_by_role("button", name="Record decision").click()
    assert tab.get_by_text("Your decision has been recorded.").is_visible()
    review.refresh_from_db()
    assert (
        review.status == ReviewStatus.MATCH and ReviewDecision.objects.get().decided_by_id == officer.user_id
    )
    unlinked.refresh_from_db()
    assert unlinked.child_id == child.pk
    assert errors == []
