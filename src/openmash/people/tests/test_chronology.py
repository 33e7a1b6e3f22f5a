"""The child's chronology: paged newest first, filtered by agency, kind and dates in SQL,
printable (and logged as a print with its purpose), and what each viewer may see."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import RelationshipBasis
from openmash.accounts.models import AgencyKind, Membership
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent, Action
from openmash.casework.models import Meeting, MeetingInvitee, Visit
from openmash.casework.tests.conftest import access_for, actor_for
from openmash.people.models import Child
from openmash.people.selectors import child_chronology, chronology_page
from tests.factories import AgencyFactory, ChildFactory, RelationshipFactory
from tests.fixtures import allocate

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def visits(child: Child, member: Membership, days_ago: list[int], place: str = "Home") -> list[Visit]:
    return Visit.objects.bulk_create(
        Visit(
            child=child,
            visited_at=NOW - datetime.timedelta(days=day, hours=1),
            visitor=member.user,
            agency=member.agency,
            child_seen=True,
            seen_alone=True,
            location=f"{place} {day}",
        )
        for day in days_ago
    )


@pytest.fixture
def busy_child(social_worker: Membership) -> Child:
    """A child allocated to the social worker, with 230 visits a day apart (and the base entries)."""
    child = ChildFactory()
    allocate(child, social_worker)
    visits(child, social_worker, list(range(1, 231)))
    return child


def summaries(body: str) -> list[str]:
    return [line for line in body.splitlines() if "Home " in line]


def test_the_chronology_is_paged_newest_first_without_gaps_or_repeats(social_worker, busy_child):
    actor, access = actor_for(social_worker), access_for(social_worker, busy_child)
    pages = [chronology_page(access=access, actor=actor, page=n) for n in (1, 2, 3)]

    assert [p.num_pages for p in pages] == [3, 3, 3]
    assert pages[0].total == pages[1].total == pages[2].total >= 231
    assert [len(p.entries) for p in pages[:2]] == [100, 100]
    everything = [e for p in pages for e in p.entries]
    assert len(everything) == pages[0].total
    assert len({e.key for e in everything}) == len(everything)  # nothing on two pages
    times = [e.occurred_at for e in everything]
    assert times == sorted(times, reverse=True)
    assert next(e.summary for e in everything if e.kind == "visit") == "Visit at Home 1: child seen alone"
    # A page past the end shows the last page.
    assert chronology_page(access=access, actor=actor, page=99).number == 3


def test_every_page_read_from_either_end_matches_the_whole_chronology(social_worker, busy_child):
    """Pages in the older half are read oldest first from the other end: the pages, end to end,
    are exactly the whole chronology, ties included (visits at the same moment)."""
    actor, access = actor_for(social_worker), access_for(social_worker, busy_child)
    same_moment = NOW - datetime.timedelta(days=50, hours=1)
    Visit.objects.bulk_create(
        Visit(child=busy_child, visited_at=same_moment, visitor=social_worker.user,
              agency=social_worker.agency, child_seen=True, seen_alone=False, location=f"Tie {n}")
        for n in range(5)
    )  # fmt: skip
    whole = [e.key for e in child_chronology(access=access, actor=actor)]

    first = chronology_page(access=access, actor=actor, page=1, page_size=17)
    pages = [
        chronology_page(access=access, actor=actor, page=n, page_size=17)
        for n in range(1, first.num_pages + 1)
    ]

    assert [e.key for p in pages for e in p.entries] == whole
    assert [len(p.entries) for p in pages[:-1]] == [17] * (first.num_pages - 1)
    assert pages[-1].entries[-1].key == whole[-1]


def test_the_page_shows_100_entries_and_govuk_pagination(social_worker, busy_child, sign_in):
    client = sign_in(social_worker)
    url = reverse("people:chronology", args=[busy_child.pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert first.count('<tr class="govuk-table__row">') == 101  # the heading row and 100
    assert "Showing 1 to 100 of" in first
    assert "Visit at Home 1: child seen alone" in first
    assert "Visit at Home 101: child seen alone" not in first
    assert "govuk-pagination" in first and "page=2" in first
    assert "Showing 101 to 200 of" in second
    assert "Visit at Home 101: child seen alone" in second
    assert client.get(url, {"page": "nonsense"}).status_code == 200


def test_filters_by_kind_agency_and_dates_are_applied_before_paging(social_worker, busy_child, make_member):
    actor, access = actor_for(social_worker), access_for(social_worker, busy_child)
    police = make_member(Role.SOCIAL_WORKER, agency=AgencyFactory(name="Testshire Police"))
    visits(busy_child, police, [3, 4], place="Station")

    only_visits = chronology_page(access=access, actor=actor, kind="visit")
    assert only_visits.total == 232
    assert {e.kind for e in only_visits.entries} == {"visit"}

    police_only = chronology_page(access=access, actor=actor, agency="Testshire Police")
    assert [e.summary for e in police_only.entries] == [
        "Visit at Station 3: child seen alone",
        "Visit at Station 4: child seen alone",
    ]
    assert "Testshire Police" in only_visits.agencies and social_worker.agency.name in only_visits.agencies

    # The window is the local dates of the visits 12 and 10 days back (an hour before NOW, so
    # the dates are read from the visits rather than assumed: just after midnight they differ).
    def visit_day(days_ago: int) -> datetime.date:
        return timezone.localdate(NOW - datetime.timedelta(days=days_ago, hours=1))

    window = chronology_page(
        access=access, actor=actor, kind="visit", since=visit_day(12), until=visit_day(10)
    )
    assert window.total == 3
    expected = [f"Visit at Home {day}: child seen alone" for day in (10, 11, 12)]
    assert [e.summary for e in window.entries] == expected


def test_the_date_range_is_checked_and_a_bad_one_shows_an_error(social_worker, busy_child, sign_in):
    client = sign_in(social_worker)
    url = reverse("people:chronology", args=[busy_child.pk])

    reversed_range = client.get(url, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    not_a_date = client.get(url, {"date_from": "2026-02-31"})

    assert reversed_range.status_code == 200
    assert "The &#39;to&#39; date must be the same as or after the &#39;from&#39; date" in (
        reversed_range.content.decode()
    )
    assert "There is a problem" in reversed_range.content.decode()
    assert "Enter the &#39;from&#39; date as a real date" in not_a_date.content.decode()
    # The valid filters still apply, and the bad one is left out.
    assert "Showing 1 to 100 of" in not_a_date.content.decode()


def test_a_health_practitioner_sees_their_own_agencys_entries_and_what_was_shared_with_them(
    social_worker, busy_child, make_member, sign_in
):
    """The issue's rule, on the page and in the counts: own agency's records and meetings the
    agency was invited to; nothing of other agencies' (visits, meetings, risk)."""
    health = AgencyFactory(name="Testshire Community Health", kind=AgencyKind.NHS_TRUST)
    nurse = make_member(Role.PRACTITIONER, agency=health)
    RelationshipFactory(
        child=busy_child, holder_user=None, holder_agency=health, basis=RelationshipBasis.INFORMATION_REQUEST
    )
    health_worker = make_member(Role.SOCIAL_WORKER, agency=health)
    visits(busy_child, health_worker, [2], place="Clinic")
    invited, _not_invited = Meeting.objects.bulk_create(
        [
            Meeting(
                child=busy_child,
                kind=kind,
                held_at=NOW - datetime.timedelta(days=1),
                agency=social_worker.agency,
                recorded_by=social_worker.user,
            )
            for kind in ("strategy", "exploitation")
        ]
    )
    MeetingInvitee.objects.create(meeting=invited, agency=health, attended=True)

    page = chronology_page(access=access_for(nurse, busy_child), actor=actor_for(nurse))
    shown = [e.summary for e in page.entries]

    assert "Visit at Clinic 2: child seen alone" in shown
    assert "Strategy discussion" in shown
    assert not any("Home" in s or "exploitation" in s.lower() for s in shown)
    assert all(e.agency == health.name or health.pk in e.shared_with for e in page.entries)
    assert page.total == len(page.entries)  # the counts agree with what is shown
    body = sign_in(nurse).get(reverse("people:chronology", args=[busy_child.pk])).content.decode()
    assert "Visit at Home" not in body and "Clinic 2" in body
    # A child they have no relationship with is not found at all.
    assert sign_in(nurse).get(reverse("people:chronology", args=[ChildFactory().pk])).status_code == 404


def test_printing_asks_why_then_logs_a_print_with_its_purpose(social_worker, busy_child, sign_in):
    client = sign_in(social_worker)
    url = reverse("people:chronology-print", args=[busy_child.pk])
    prints = AccessEvent.objects.filter(action=Action.PRINT, child_id=busy_child.pk)

    asked = client.get(url, {"kind": "visit"})
    refused = client.get(url, {"kind": "visit", "print": "1"})
    assert "Why are you printing this chronology?" in asked.content.decode()
    assert "There is a problem" not in asked.content.decode()
    assert "Say why you are printing this chronology" in refused.content.decode()
    assert not prints.exists()

    printed = client.get(url, {"kind": "visit", "print": "1", "purpose": "conference"})
    body = printed.content.decode()
    assert printed.status_code == 200
    assert body.count("OFFICIAL-SENSITIVE") >= 2
    assert busy_child.full_name in body
    assert f"{busy_child.date_of_birth.day} {busy_child.date_of_birth:%B %Y}" in body
    assert "Printed by" in body and "Printed at" in body and "Child protection conference" in body
    assert "Visit at Home 230: child seen alone" in body  # the whole filter, not one page
    assert "people/chronology-print.css" in body
    event = prints.get()
    assert event.purpose == "Print chronology (kind Visit): Child protection conference"
    assert event.actor_id == social_worker.user_id

    whole = client.get(url, {"kind": "visit", "scope": "whole", "print": "1", "purpose": "court"})
    assert "Hub record created" in whole.content.decode()
    assert prints.filter(purpose="Print chronology (whole chronology): Court or legal proceedings").exists()


def test_the_chronology_page_links_to_the_print_view_with_its_filters(social_worker, busy_child, sign_in):
    body = (
        sign_in(social_worker)
        .get(reverse("people:chronology", args=[busy_child.pk]), {"kind": "visit"})
        .content.decode()
    )

    assert f'action="{reverse("people:chronology-print", args=[busy_child.pk])}"' in body
    assert '<input type="hidden" name="kind" value="visit">' in body
    assert "Why are you printing it?" in body


def test_someone_without_a_relationship_cannot_print(make_member, busy_child, sign_in):
    stranger = make_member(Role.SOCIAL_WORKER)

    response = sign_in(stranger).get(
        reverse("people:chronology-print", args=[busy_child.pk]), {"print": "1", "purpose": "court"}
    )

    assert response.status_code == 404
    assert AccessEvent.objects.filter(action=Action.PRINT, child_id=busy_child.pk, outcome="denied").exists()
