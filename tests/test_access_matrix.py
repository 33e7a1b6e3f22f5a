"""Who may see a child: every role, with and without every kind of relationship, on every child page.

A child's pages answer 200 only to a case role (CASE_ROLES) that holds an active
relationship (in person, through their team or through their agency) or an active
break-glass grant. Everyone else gets 404, the same answer as for a child that does
not exist. The "who has viewed" page is for the allocated worker and, through the
team's relationship, the team manager. Lists and searches never show a child the
person could not open.

Test ids read <role>-<holding>-<page>-<expected answer>, so a failure names the cell.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import RelationshipBasis
from openmash.accounts.actor import Actor
from openmash.accounts.roles import CASE_ROLES, Role
from openmash.audit.models import AccessEvent
from openmash.intelligence.access import CHILD_NETWORK_ROLES, INTELLIGENCE_ROLES
from openmash.intelligence.services import Grading, entity_record
from tests.factories import (
    BreakGlassGrantFactory,
    ChildFactory,
    RelationshipFactory,
    TeamFactory,
    UserFactory,
)
from tests.fixtures import allocate

pytestmark = pytest.mark.django_db

CHILD_PAGES = ["people:child", "people:chronology", "people:viewers", "intelligence:child-network"]

# What the signed-in person holds for the child.
GIVES_SIGHT = ["allocated_worker", "supporting_worker", "team", "agency", "break_glass"]
GIVES_NOTHING = [
    "nothing",
    "expired_relationship",
    "future_relationship",
    "another_users_relationship",
    "another_teams_relationship",
    "another_agencys_relationship",
    "expired_break_glass",
    "ended_break_glass",
    "another_agencys_break_glass",
]
HOLDINGS = GIVES_SIGHT + GIVES_NOTHING


def hold(holding: str, membership, child) -> None:
    """Give the membership's user (or team, or agency) the named kind of holding for the child."""
    now = timezone.now()
    user, team, agency = membership.user, membership.team, membership.agency
    grant_for_me = {"user": user, "agency": agency, "role": membership.role, "child": child}
    match holding:
        case "nothing":
            pass
        case "allocated_worker":
            allocate(child, membership)
        case "supporting_worker":
            RelationshipFactory(child=child, holder_user=user, basis=RelationshipBasis.SUPPORTING_WORKER)
        case "team":
            RelationshipFactory(child=child, holder_user=None, holder_team=team, basis=RelationshipBasis.TEAM)
        case "agency":
            RelationshipFactory(
                child=child,
                holder_user=None,
                holder_agency=agency,
                basis=RelationshipBasis.INFORMATION_REQUEST,
            )
        case "break_glass":
            BreakGlassGrantFactory(**grant_for_me)
        case "expired_relationship":
            allocate(child, membership, valid_from=now - timedelta(days=30), valid_to=now - timedelta(days=1))
        case "future_relationship":
            allocate(child, membership, valid_from=now + timedelta(days=1))
        case "another_users_relationship":
            RelationshipFactory(child=child, holder_user=UserFactory())
        case "another_teams_relationship":
            other_team = TeamFactory(agency=agency)
            RelationshipFactory(
                child=child, holder_user=None, holder_team=other_team, basis=RelationshipBasis.TEAM
            )
        case "another_agencys_relationship":
            RelationshipFactory(
                child=child,
                holder_user=None,
                holder_agency=TeamFactory().agency,
                basis=RelationshipBasis.INFORMATION_REQUEST,
            )
        case "expired_break_glass":
            BreakGlassGrantFactory(
                **grant_for_me,
                granted_at=now - timedelta(hours=5),
                expires_at=now - timedelta(hours=1),
            )
        case "ended_break_glass":
            BreakGlassGrantFactory(**grant_for_me, ended_at=now - timedelta(minutes=5))
        case "another_agencys_break_glass":
            # The user's own grant, opened while acting for a different agency.
            BreakGlassGrantFactory(**{**grant_for_me, "agency": TeamFactory().agency})
        case _:
            raise AssertionError(f"unknown holding {holding}")


def may_open(role: str, holding: str, page: str) -> bool:
    sees_child = role in CASE_ROLES and holding in GIVES_SIGHT
    if page == "intelligence:child-network":
        # The child's network tab: intelligence roles, the hub and the child's social workers only.
        return sees_child and role in CHILD_NETWORK_ROLES
    if page == "people:viewers":
        return sees_child and (
            holding == "allocated_worker" or (holding == "team" and role == Role.TEAM_MANAGER)
        )
    return sees_child


def _cases(pages: list[str], expected: object) -> list[object]:
    return [
        pytest.param(
            role,
            holding,
            page,
            expected(role, holding, page),
            id=f"{role.value}-{holding}-{page.split(':')[1]}-{_label(expected(role, holding, page))}",
        )
        for role in Role
        for holding in HOLDINGS
        for page in pages
    ]


def _label(expected: object) -> str:
    if isinstance(expected, bool):
        return "listed" if expected else "not-listed"
    return str(expected)


@pytest.mark.parametrize(
    ("role", "holding", "page", "status"),
    _cases(CHILD_PAGES, lambda role, holding, page: 200 if may_open(role, holding, page) else 404),
)
def test_child_page_answers_only_a_case_role_with_a_reason_to_see_the_child(
    make_member, sign_in, role, holding, page, status
):
    membership = make_member(role)
    child = ChildFactory()
    hold(holding, membership, child)
    client = sign_in(membership)

    response = client.get(reverse(page, args=[child.pk]))

    assert response.status_code == status
    assert (child.surname in response.content.decode()) is (status == 200)


def _listed_on_my_children(role: str, holding: str, page: str) -> bool:
    # "My children" is the caseload: relationships only, not emergency access.
    return role in CASE_ROLES and holding in GIVES_SIGHT and holding != "break_glass"


def _found_by_search(role: str, holding: str, page: str) -> bool:
    return role in CASE_ROLES and holding in GIVES_SIGHT


@pytest.mark.parametrize(
    ("role", "holding", "page", "listed"),
    _cases(["people:my-children"], _listed_on_my_children) + _cases(["people:search"], _found_by_search),
)
def test_lists_and_search_show_only_children_the_person_may_open(
    make_member, sign_in, role, holding, page, listed
):
    membership = make_member(role)
    child = ChildFactory()
    hold(holding, membership, child)
    client = sign_in(membership)

    response = client.get(reverse(page), {"q": child.surname} if page == "people:search" else {})

    assert response.status_code in (200, 403)
    if role in CASE_ROLES:
        assert response.status_code == 200
    # The search box echoes the surname typed, so look for the link to the child's record.
    assert (reverse("people:child", args=[child.pk]) in response.content.decode()) is listed


@pytest.mark.parametrize("page", CHILD_PAGES)
def test_a_child_that_does_not_exist_answers_404_like_a_forbidden_one(
    social_worker, allocated_child, sign_in, page
):
    client = sign_in(social_worker)

    assert client.get(reverse(page, args=[allocated_child.pk])).status_code == 200
    assert client.get(reverse(page, args=[uuid.uuid4()])).status_code == 404


def test_an_ended_membership_stops_working_on_the_next_request(social_worker, allocated_child, sign_in):
    client = sign_in(social_worker)
    child_url = reverse("people:child", args=[allocated_child.pk])
    assert client.get(child_url).status_code == 200

    social_worker.ended_at = timezone.now() - timedelta(seconds=1)
    social_worker.save()
    response = client.get(child_url)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:choose-role")
    role_page = client.get(response["Location"])
    assert role_page.status_code == 403  # no active role left
    assert allocated_child.surname not in role_page.content.decode()


def test_after_a_membership_ends_another_role_of_the_same_person_does_not_see_the_child(
    social_worker, allocated_child, make_member, sign_in
):
    """The person's remaining role (privacy officer) is not a case role, so the child is 404."""
    make_member(Role.PRIVACY_OFFICER, user=social_worker.user, agency=social_worker.agency)
    client = sign_in(social_worker)
    child_url = reverse("people:child", args=[allocated_child.pk])
    assert client.get(child_url).status_code == 200

    social_worker.ended_at = timezone.now() - timedelta(seconds=1)
    social_worker.save()

    assert client.get(child_url).status_code == 404


# --- The intelligence picture (issue 13): only intelligence roles see the network --------------

INTELLIGENCE_PAGES = [
    ("intelligence:home", False),
    ("intelligence:network", False),
    ("intelligence:map", False),
    ("intelligence:export", False),
    ("intelligence:entity", True),
    ("intelligence:volt", True),
]


@pytest.mark.parametrize(
    ("role", "page", "takes_entity"),
    [
        pytest.param(role, page, takes, id=f"{role.value}-{page.split(':')[1]}")
        for role in Role
        for page, takes in INTELLIGENCE_PAGES
    ],
)
def test_intelligence_pages_answer_only_intelligence_roles_and_log_each_answer(
    make_member, sign_in, role, page, takes_entity
):
    adult = entity_record(
        actor=Actor.system("test"), kind="adult", label="Dale Marwood", grading=Grading("reliable", "B", "P")
    )
    client = sign_in(make_member(role))
    before = AccessEvent.objects.count()

    response = client.get(reverse(page, args=[adult.pk] if takes_entity else []))

    allowed = role in INTELLIGENCE_ROLES
    assert response.status_code == (200 if allowed else 404)
    logged = AccessEvent.objects.order_by("-id")[: AccessEvent.objects.count() - before]
    if page != "intelligence:export" or not allowed:
        assert len(logged) >= 1
        assert {event.outcome for event in logged} == {"granted" if allowed else "denied"}
