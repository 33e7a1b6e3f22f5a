"""Clerical review: reviewers see only the two identities the review needs, every view is in the
read log with the children it touches, decisions are kept with their reason and become labels."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from openmash.accounts.models import Membership
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent
from openmash.matching.models import (
    Decision,
    IdentityLink,
    MatchModel,
    ReviewDecision,
    ReviewPair,
    ReviewStatus,
)
from openmash.matching.selectors import review_labels
from openmash.matching.services import ScoredPair, review_pairs_open
from openmash.people.models import AgencyIdentity
from tests.factories import AgencyIdentityFactory, ChildFactory

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
    {"comparison": "NHS number", "key": "nhs_number", "level": "Missing on one side", "weight": 0.0},
]


@pytest.fixture
def review(saved_model: MatchModel) -> ReviewPair:
    child = ChildFactory(forename="William", surname="Reviewtest")
    linked = AgencyIdentityFactory(child=child, forename="William", surname="Reviewtest")
    unlinked = AgencyIdentityFactory(child=None, forename="Bill", surname="Reviewtest", nhs_number="")
    # An unrelated child's identity: the reviewer must never see it.
    AgencyIdentityFactory(child=ChildFactory(forename="Unrelated", surname="Neverseen"))
    [pair] = review_pairs_open(
        model=saved_model,
        source="run",
        pairs=[ScoredPair(str(linked.pk), str(unlinked.pk), 5.1, 0.97, EXPLANATION)],
    )
    return pair


@pytest.fixture
def reviewer(make_member: Callable[..., Membership]) -> Membership:
    return make_member(Role.MASH_OFFICER)


def test_the_queue_shows_no_names(
    review: ReviewPair, reviewer: Membership, sign_in: Callable[..., Client]
) -> None:
    response = sign_in(reviewer).get(reverse("matching:reviews"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Reviewtest" not in body and "William" not in body
    assert str(review.pk)[:8] in body


def test_the_review_page_shows_the_two_identities_and_only_them(
    review: ReviewPair, reviewer: Membership, sign_in: Callable[..., Client]
) -> None:
    response = sign_in(reviewer).get(reverse("matching:review", args=[review.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "William" in body and "Bill" in body and "Reviewtest" in body
    assert "Neverseen" not in body and "Unrelated" not in body
    assert "Differs" in body  # the forenames differ and are marked
    assert "Day and month swapped" in body and "+7.8" in body  # the weights table beside the chart
    assert 'data-chart-spec="weights-spec"' in body
    event = AccessEvent.objects.filter(resource_type="identity_review", resource_id=str(review.pk)).get()
    linked_child = (
        AgencyIdentity.objects.get(pk=review.identity_a_id).child_id
        or AgencyIdentity.objects.get(pk=review.identity_b_id).child_id
    )
    assert event.child_ids == [str(linked_child)]
    assert event.actor_id == reviewer.user_id and event.outcome == "granted"


@pytest.mark.parametrize(
    "role", [Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.PRIVACY_OFFICER, Role.SYSTEM_ADMIN]
)
def test_other_roles_get_not_found_and_the_attempt_is_logged(
    review: ReviewPair, role: str, make_member: Callable[..., Membership], sign_in: Callable[..., Client]
) -> None:
    client = sign_in(make_member(role))
    assert client.get(reverse("matching:review", args=[review.pk])).status_code == 404
    assert client.get(reverse("matching:reviews")).status_code == 404
    response = client.post(
        reverse("matching:review", args=[review.pk]),
        {"decision": Decision.MATCH, "reason": "I think these records are the same child"},
    )
    assert response.status_code == 404
    assert not ReviewDecision.objects.exists()
    assert AccessEvent.objects.filter(resource_type="identity_review", outcome="denied").exists()


def test_a_decision_needs_a_reason_and_is_kept_with_who_made_it(
    review: ReviewPair, reviewer: Membership, sign_in: Callable[..., Client]
) -> None:
    client = sign_in(reviewer)
    url = reverse("matching:review", args=[review.pk])
    response = client.post(url, {"decision": Decision.MATCH, "reason": ""})
    assert response.status_code == 200 and "Give the reason for your decision" in response.content.decode()
    response = client.post(
        url, {"decision": Decision.MATCH, "reason": "Bill is William; swapped date typed in the US way"}
    )
    assert response.status_code == 302
    decision = ReviewDecision.objects.get()
    assert decision.decided_by_id == reviewer.user_id and decision.decided_by_role == Role.MASH_OFFICER
    assert decision.decided_by_agency_id == reviewer.agency_id
    review.refresh_from_db()
    assert review.status == ReviewStatus.MATCH
    # The unlinked identity now belongs to the other's child, with the evidence recorded.
    a, b = (
        AgencyIdentity.objects.get(pk=review.identity_a_id),
        AgencyIdentity.objects.get(pk=review.identity_b_id),
    )
    assert a.child_id == b.child_id is not None
    link = IdentityLink.objects.get()
    assert link.how == "review" and link.review_id == review.pk
    # The decision is a training label, and the decided review is no longer open to reviewers.
    assert review_labels() == [(str(review.identity_a_id), str(review.identity_b_id), 1.0)]
    assert client.get(url).status_code == 404


def test_not_sure_keeps_the_pair_waiting_and_different_is_a_negative_label(
    review: ReviewPair,
    reviewer: Membership,
    make_member: Callable[..., Membership],
    sign_in: Callable[..., Client],
) -> None:
    url = reverse("matching:review", args=[review.pk])
    sign_in(reviewer).post(
        url, {"decision": Decision.NOT_SURE, "reason": "Need the GP to confirm the date of birth"}
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.NOT_SURE and review_labels() == []
    second = sign_in(make_member(Role.MASH_MANAGER))
    assert "Need the GP to confirm" in second.get(url).content.decode()
    second.post(url, {"decision": Decision.NOT_MATCH, "reason": "GP confirms a different date of birth"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.NOT_MATCH
    assert review_labels() == [(str(review.identity_a_id), str(review.identity_b_id), 0.0)]
    assert AgencyIdentity.objects.filter(child__isnull=True, surname="Reviewtest").exists()
