"""Every read of a child's data writes exactly one AccessEvent (DPA 2018 s.62), granted or denied.

A refused read is logged too, once: the choke point writes the denial inside the request
transaction, the 404 rolls that transaction back, and the 404 handler writes it again.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.urls import reverse

from openmash.access.models import Relationship, RelationshipBasis
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent, Action, Outcome
from tests.factories import ChildFactory, RelationshipFactory
from tests.fixtures import allocate

CHILD_PAGES = [
    pytest.param("people:child", Action.VIEW, id="record"),
    pytest.param("people:chronology", Action.VIEW, id="chronology"),
    pytest.param("people:viewers", Action.VIEW_AUDIT, id="viewers"),
]


def _last_event_id() -> int:
    return AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_written_by(client, url: str, data: dict | None = None):
    """GET the url; return the response and the AccessEvents written meanwhile."""
    last = _last_event_id()
    response = client.get(url, data or {})
    return response, list(AccessEvent.objects.filter(id__gt=last).order_by("id"))


def assert_one_denial_for_an_unrelated_child(client) -> None:
    unrelated_child = ChildFactory()

    response, events = events_written_by(client, reverse("people:child", args=[unrelated_child.pk]))

    assert response.status_code == 404
    assert [(e.child_id, e.outcome) for e in events] == [(unrelated_child.pk, Outcome.DENIED)]


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "action"), CHILD_PAGES)
def test_a_granted_child_page_writes_exactly_one_granted_event(
    social_worker, allocated_child, sign_in, page, action
):
    client = sign_in(social_worker)
    relationship = Relationship.objects.get(child=allocated_child, holder_user=social_worker.user)

    response, events = events_written_by(client, reverse(page, args=[allocated_child.pk]))

    assert response.status_code == 200
    assert len(events) == 1
    event = events[0]
    assert event.child_id == allocated_child.pk
    assert event.actor_id == social_worker.user.pk
    assert event.actor_agency_id == social_worker.agency.pk
    assert event.actor_role == Role.SOCIAL_WORKER
    assert event.action == action
    assert event.outcome == Outcome.GRANTED
    assert event.basis_type == f"relationship:{RelationshipBasis.ALLOCATED_WORKER}"
    assert event.basis_id == str(relationship.pk)
    assert event.purpose
    assert event.request_id == response["X-Request-Id"]
    assert event.session_hash and client.session.session_key not in event.session_hash


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "action"), CHILD_PAGES)
def test_a_refused_child_page_writes_exactly_one_denied_event(social_worker, sign_in, page, action):
    unrelated_child = ChildFactory()
    client = sign_in(social_worker)

    response, events = events_written_by(client, reverse(page, args=[unrelated_child.pk]))

    assert response.status_code == 404
    assert [(e.child_id, e.actor_id, e.action, e.outcome) for e in events] == [
        (unrelated_child.pk, social_worker.user.pk, action, Outcome.DENIED)
    ]
    assert events[0].basis_type == ""


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "action"), CHILD_PAGES)
def test_a_child_that_does_not_exist_writes_one_denied_event_for_the_id_asked_for(
    social_worker, sign_in, page, action
):
    missing = uuid.uuid4()

    response, events = events_written_by(sign_in(social_worker), reverse(page, args=[missing]))

    assert response.status_code == 404
    assert [(e.child_id, e.action, e.outcome) for e in events] == [(missing, action, Outcome.DENIED)]


@pytest.mark.django_db
def test_who_viewed_refused_to_a_worker_without_allocation_logs_one_denial_and_no_grant(make_member, sign_in):
    """A team member may open the record, but not its viewers list: one denied event, nothing granted."""
    member = make_member(Role.SOCIAL_WORKER)
    child = ChildFactory()
    RelationshipFactory(child=child, holder_user=None, holder_team=member.team, basis=RelationshipBasis.TEAM)

    response, events = events_written_by(sign_in(member), reverse("people:viewers", args=[child.pk]))

    assert response.status_code == 404
    assert [(e.child_id, e.action, e.outcome) for e in events] == [
        (child.pk, Action.VIEW_AUDIT, Outcome.DENIED)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_refused_view_is_logged_once_when_the_request_transaction_really_rolls_back(social_worker, sign_in):
    """Outside a test transaction the request's own transaction is rolled back for real."""
    assert_one_denial_for_an_unrelated_child(sign_in(social_worker))


@pytest.mark.django_db
def test_a_refused_view_is_logged_once_when_nothing_rolls_the_denial_back(
    social_worker, sign_in, monkeypatch
):
    """Without a request transaction the first denial stands, and the 404 handler must not add another."""
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", False)
    assert_one_denial_for_an_unrelated_child(sign_in(social_worker))


@pytest.mark.django_db
def test_my_children_writes_one_list_event_naming_the_children_shown(social_worker, sign_in):
    mine = [ChildFactory(), ChildFactory()]
    for child in mine:
        allocate(child, social_worker)
    ChildFactory()  # someone else's

    response, events = events_written_by(sign_in(social_worker), reverse("people:my-children"))

    assert response.status_code == 200
    assert len(events) == 1
    assert events[0].action == Action.LIST
    assert events[0].outcome == Outcome.GRANTED
    assert events[0].child_id is None
    assert sorted(events[0].child_ids) == sorted(str(child.pk) for child in mine)


@pytest.mark.django_db
def test_a_search_writes_one_event_with_the_children_found_and_no_search_term(
    social_worker, allocated_child, sign_in
):
    allocate(ChildFactory(), social_worker)  # visible, but does not match
    term = allocated_child.surname

    response, events = events_written_by(sign_in(social_worker), reverse("people:search"), {"q": term})

    assert response.status_code == 200
    assert len(events) == 1
    event = events[0]
    assert event.action == Action.SEARCH
    assert event.child_ids == [str(allocated_child.pk)]
    stored = " ".join(str(value) for value in AccessEvent.objects.filter(pk=event.pk).values().get().values())
    assert term not in stored, "the search term must not be stored in the clear"


@pytest.mark.django_db
def test_the_allocated_worker_sees_who_else_viewed_the_record(make_member, sign_in):
    worker = make_member(Role.SOCIAL_WORKER)
    colleague = make_member(Role.SOCIAL_WORKER, agency=worker.agency, team=worker.team)
    child = ChildFactory()
    allocate(child, worker)
    RelationshipFactory(child=child, holder_user=None, holder_team=worker.team, basis=RelationshipBasis.TEAM)
    assert sign_in(colleague).get(reverse("people:child", args=[child.pk])).status_code == 200

    response = sign_in(worker).get(reverse("people:viewers", args=[child.pk]))

    assert response.status_code == 200
    assert colleague.user.username in response.content.decode()


@pytest.mark.django_db
def test_a_read_fails_closed_when_the_read_log_cannot_be_written(
    social_worker, allocated_child, sign_in, monkeypatch
):
    from openmash.access.selectors import child as choke_point

    def broken_log(**kwargs):
        raise RuntimeError("read log unavailable")

    monkeypatch.setattr(choke_point, "access_event_record", broken_log)
    client = sign_in(social_worker)
    client.raise_request_exception = False

    response = client.get(reverse("people:child", args=[allocated_child.pk]))

    assert response.status_code == 500
    assert allocated_child.surname not in response.content.decode()
