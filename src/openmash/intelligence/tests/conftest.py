"""The project's shared test fixtures (tests/fixtures.py), and the intelligence app's own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership
from openmash.accounts.roles import Role
from openmash.intelligence.models import Entity
from openmash.intelligence.services import Grading, entity_record, link_record
from tests.factories import ChildFactory

GOOD = Grading("reliable", "B", "P")


def actor_for(membership: Membership) -> Actor:
    return Actor(
        user_id=membership.user_id,
        username=membership.user.username,
        role=membership.role,
        agency_id=membership.agency_id,
        team_id=membership.team_id,
        membership_id=membership.pk,
    )


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def analyst(make_member) -> Membership:
    return make_member(Role.INTELLIGENCE_ANALYST)


@pytest.fixture
def picture(analyst):
    """Two unrelated children seen with one adult; the adult drives a car one of them was taken in;
    the first child was made to introduce the second."""
    actor = actor_for(analyst)
    adult = entity_record(
        actor=actor,
        kind="adult",
        label="Dale Marwood",
        grading=GOOD,
        attributes={"date_of_birth": "1990-02-03"},
    )
    car = entity_record(
        actor=actor,
        kind="vehicle",
        label="Silver hatchback",
        grading=GOOD,
        attributes={"registration": "za71 kxt"},
    )
    place = entity_record(
        actor=actor,
        kind="place",
        label="Cinder Bank Park",
        grading=GOOD,
        attributes={"place_kind": "park", "latitude": 54.03, "longitude": 0.95},
    )
    first_child, second_child = ChildFactory(), ChildFactory()
    first = entity_record(actor=actor, kind="child", label="", grading=GOOD, child_id=first_child.pk)
    second = entity_record(actor=actor, kind="child", label="", grading=GOOD, child_id=second_child.pk)
    links = {
        "seen_first": link_record(
            actor=actor, kind="seen_with", source=adult, target=first, valid_from=days_ago(60), grading=GOOD
        ),
        "seen_second": link_record(
            actor=actor, kind="seen_with", source=adult, target=second, valid_from=days_ago(30), grading=GOOD
        ),
        "drives": link_record(
            actor=actor,
            kind="owns_or_uses",
            source=adult,
            target=car,
            valid_from=days_ago(90),
            grading=GOOD,
            status="confirmed",
        ),
        "transported": link_record(
            actor=actor,
            kind="transported_in",
            source=second,
            target=car,
            valid_from=days_ago(20),
            grading=GOOD,
        ),
        "park": link_record(
            actor=actor, kind="present_at", source=first, target=place, valid_from=days_ago(10), grading=GOOD
        ),
        "introduced": link_record(
            actor=actor,
            kind="made_to_introduce",
            source=first,
            target=second,
            valid_from=days_ago(35),
            grading=GOOD,
        ),
    }
    return {
        "actor": actor,
        "adult": adult,
        "car": car,
        "place": place,
        "first": first,
        "second": second,
        "first_child": first_child,
        "second_child": second_child,
        "links": links,
    }


__all__ = ["GOOD", "Entity", "actor_for", "days_ago"]
