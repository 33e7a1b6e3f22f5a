"""The picture as data: entities, graded links, corrections that point at what they correct,
permissions before every write, and the analytics' explanations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent
from openmash.intelligence.access import IntelligenceNotFound, entity_get_for_user
from openmash.intelligence.analytics.alerts import child_alert_summary, shared_entities
from openmash.intelligence.analytics.centrality import centrality_by_kind
from openmash.intelligence.analytics.communities import candidate_groups, communities_detect
from openmash.intelligence.analytics.graph import graph_load
from openmash.intelligence.analytics.hotspots import hotspots
from openmash.intelligence.models import Entity, Link
from openmash.intelligence.selectors import current_links
from openmash.intelligence.services import (
    Grading,
    entity_record,
    link_confirm,
    link_correct,
    link_record,
    link_reject,
)
from tests.factories import FamilyLinkFactory

from .conftest import GOOD, actor_for, days_ago

pytestmark = pytest.mark.django_db


def test_the_same_registration_however_written_is_one_vehicle(analyst):
    actor = actor_for(analyst)
    first = entity_record(
        actor=actor, kind="vehicle", label="car", grading=GOOD, attributes={"registration": "ZA71 KXT"}
    )
    again = entity_record(
        actor=actor, kind="vehicle", label="car", grading=GOOD, attributes={"registration": "za71kxt"}
    )
    assert first.pk == again.pk and first.key == "ZA71KXT"


@pytest.mark.parametrize(
    ("kind", "attributes", "field"),
    [
        ("vehicle", {"registration": "NOT A REG!"}, "registration"),
        ("phone", {"number": "12345"}, "number"),
        ("place", {"latitude": 123}, "latitude"),
    ],
)
def test_a_malformed_identifier_is_refused_with_its_field(analyst, kind, attributes, field):
    with pytest.raises(ValidationError) as refused:
        entity_record(actor=actor_for(analyst), kind=kind, label="x", grading=GOOD, attributes=attributes)
    assert field in refused.value.message_dict
    assert not Entity.objects.exists()


def test_grading_outside_3x5x2_future_dates_and_wrong_ends_are_refused_by_field(picture):
    actor, adult, car = picture["actor"], picture["adult"], picture["car"]
    with pytest.raises(ValidationError) as refused:
        link_record(
            actor=actor,
            kind="made_to_introduce",
            source=adult,
            target=car,
            valid_from=timezone.localdate() + timedelta(days=3),
            grading=Grading("sure", "F", "X"),
        )
    problems = refused.value.message_dict
    assert {
        "source_evaluation",
        "intelligence_assessment",
        "handling_code",
        "valid_from",
        "source",
        "target",
    } <= set(problems)


def test_only_intelligence_roles_write_and_a_refused_write_changes_nothing(picture, make_member):
    worker = actor_for(make_member(Role.SOCIAL_WORKER))
    before = Link.objects.count()
    with pytest.raises(PermissionDenied):
        link_confirm(actor=worker, link=picture["links"]["seen_first"], reason="I think so")
    with pytest.raises(PermissionDenied):
        entity_record(actor=worker, kind="adult", label="Someone", grading=GOOD)
    assert Link.objects.count() == before


def test_confirming_rejecting_and_correcting_add_rows_that_point_at_what_they_replace(picture):
    actor, seen = picture["actor"], picture["links"]["seen_first"]
    confirmed = link_confirm(actor=actor, link=seen, reason="Seen on CCTV by the officer")
    assert confirmed.corrects_id == seen.pk and confirmed.status == "confirmed"
    with pytest.raises(ValidationError, match="already been corrected"):
        link_reject(actor=actor, link=seen, reason="no")
    corrected = link_correct(actor=actor, link=confirmed, reason="Ended", valid_to=days_ago(1))
    rejected = link_reject(actor=actor, link=picture["links"]["park"], reason="Wrong child")
    current = set(current_links().values_list("pk", flat=True))
    assert corrected.pk in current and seen.pk not in current and confirmed.pk not in current
    assert rejected.pk not in current and picture["links"]["park"].pk not in current
    # Nothing is changed or deleted in place: the database refuses it.
    with pytest.raises(DatabaseError), transaction.atomic():
        Link.objects.filter(pk=seen.pk).update(status="rejected")
    with pytest.raises(DatabaseError), transaction.atomic():
        Link.objects.filter(pk=seen.pk).delete()


def test_an_entity_is_read_by_intelligence_roles_only_and_every_read_is_logged(picture, make_member):
    adult = picture["adult"]
    entity_get_for_user(actor=picture["actor"], id=adult.pk, purpose="Review the adult")
    granted = AccessEvent.objects.filter(resource_type="intelligence.entity", outcome="granted")
    assert granted.count() == 1 and granted.get().purpose == "Review the adult"
    worker = actor_for(make_member(Role.MASH_OFFICER))
    with pytest.raises(IntelligenceNotFound):
        entity_get_for_user(actor=worker, id=adult.pk, purpose="Curious")
    assert AccessEvent.objects.filter(resource_type="intelligence.entity", outcome="denied").count() == 1


def test_unrelated_children_sharing_an_adult_raise_one_explained_alert_victims_first(picture):
    found = shared_entities(window_start=days_ago(100), window_end=timezone.localdate())
    by_kind = {item.entity_kind: item for item in found}
    adult_alert = by_kind["adult"]
    # The child made to introduce the other is listed first, as a victim.
    assert adult_alert.children == [picture["first_child"].pk, picture["second_child"].pk]
    assert "made to introduce" in adult_alert.explanation and "victims" in adult_alert.explanation
    summary = child_alert_summary(adult_alert)
    assert "Dale" not in summary and "adult of concern" in summary


def test_siblings_sharing_an_adult_are_not_an_alert(picture):
    FamilyLinkFactory(
        child=picture["first_child"], adult=None, related_child=picture["second_child"], relation="sibling"
    )
    found = shared_entities(window_start=days_ago(100), window_end=timezone.localdate())
    assert not [item for item in found if item.entity_kind == "adult"]


def test_a_window_that_misses_the_links_raises_nothing(picture):
    assert shared_entities(window_start=days_ago(400), window_end=days_ago(200)) == []


def test_groups_centrality_and_hotspots_are_explained_in_words(picture):
    pg = graph_load()
    groups = candidate_groups(pg, communities_detect(pg), min_people=2)
    assert groups and "adult of concern" in groups[0].explanation
    central = centrality_by_kind(pg, "child")
    assert central and "Linked to 1 other children" in central[0].explanation
    spots = hotspots(window_start=days_ago(100), window_end=timezone.localdate())
    assert spots[0].entity_id == picture["place"].pk and "1 different child" in spots[0].explanation
