"""Merge and unmerge: every identity kept, exact restoration after new records arrived,
reasons required, audited, and both children's allocated workers told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from openmash.access.models import Relationship
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent
from openmash.matching.merge import MergeError, child_merge, child_references, child_unmerge
from openmash.matching.models import ChildMerge, LinkHow, MergeStatus
from openmash.matching.services import identity_link
from openmash.notifications.models import Notification
from openmash.people.models import AgencyIdentity, Child, FamilyLink
from tests.factories import AdultFactory, AgencyIdentityFactory, ChildFactory, FamilyLinkFactory
from tests.fixtures import allocate

REASON = "Same NHS number on both records and the same school and address confirmed by phone"


def _actor(membership: Membership) -> Actor:
    return Actor(
        user_id=membership.user_id,
        username=membership.user.username,
        role=membership.role,
        agency_id=membership.agency_id,
        team_id=membership.team_id,
        membership_id=membership.pk,
    )


def attached(child: Child) -> dict[str, set[str]]:
    """Every row that refers to the child, by model and field: the child's whole attached state."""
    state: dict[str, set[str]] = {}
    for model, field in child_references():
        pks = {
            str(pk)
            for pk in model._default_manager.filter(**{field.attname: child.pk}).values_list("pk", flat=True)
        }
        if pks:
            state[f"{model._meta.label}.{field.attname}"] = pks
    return state


def own_fields(child: Child) -> dict[str, Any]:
    child.refresh_from_db()
    return {
        f.attname: getattr(child, f.attname) for f in Child._meta.concrete_fields if f.attname != "updated_at"
    }


@pytest.fixture
def hub_officer(make_member: Callable[..., Membership]) -> Membership:
    return make_member(Role.MASH_OFFICER)


@pytest.fixture
def two_children(make_member: Callable[..., Membership]) -> dict[str, Any]:
    worker_a, worker_b = make_member(Role.SOCIAL_WORKER), make_member(Role.SOCIAL_WORKER)
    a, b = ChildFactory(), ChildFactory()
    allocate(a, worker_a)
    allocate(b, worker_b)
    ids_a = [AgencyIdentityFactory(child=a), AgencyIdentityFactory(child=a)]
    ids_b = [AgencyIdentityFactory(child=b)]
    FamilyLinkFactory(child=a, adult=AdultFactory())
    FamilyLinkFactory(child=b, adult=AdultFactory())
    return {"a": a, "b": b, "worker_a": worker_a, "worker_b": worker_b, "ids_a": ids_a, "ids_b": ids_b}


def test_unmerge_after_new_records_arrived_restores_both_children_exactly(
    two_children: dict[str, Any], hub_officer: Membership
) -> None:
    a, b = two_children["a"], two_children["b"]
    before_a, before_b = attached(a), attached(b)
    fields_a, fields_b = own_fields(a), own_fields(b)
    actor = _actor(hub_officer)

    merge = child_merge(actor=actor, survivor_id=a.pk, merged_id=b.pk, reason=REASON)
    assert attached(b) == {}
    assert AgencyIdentity.objects.filter(child=a).count() == 3  # every agency identity kept
    for identity in two_children["ids_b"]:
        identity.refresh_from_db()
        assert identity.child_id == a.pk and identity.forename  # re-pointed, never rewritten

    # New records arrive while merged: an identity matched to one of b's identities, another
    # matched to one of a's, and a family link recorded by hand on the merged record.
    new_for_b = AgencyIdentityFactory(child=None, forename=b.forename, surname=b.surname)
    identity_link(
        actor=Actor.system("test"),
        identity_id=new_for_b.pk,
        child_id=a.pk,
        how=LinkHow.ARRIVAL,
        matched_identity_id=two_children["ids_b"][0].pk,
        match_weight=20.0,
    )
    new_for_a = AgencyIdentityFactory(child=None, forename=a.forename, surname=a.surname)
    identity_link(
        actor=Actor.system("test"),
        identity_id=new_for_a.pk,
        child_id=a.pk,
        how=LinkHow.ARRIVAL,
        matched_identity_id=two_children["ids_a"][1].pk,
        match_weight=18.0,
    )
    hand_link = FamilyLinkFactory(child=a, adult=AdultFactory())

    child_unmerge(actor=actor, merge_id=merge.pk, reason="Different dates of birth once checked with the GP")

    after_a, after_b = attached(a), attached(b)
    expected_a = {k: set(v) for k, v in before_a.items()}
    expected_a["people.AgencyIdentity.child_id"].add(str(new_for_a.pk))
    expected_a["people.FamilyLink.child_id"].add(str(hand_link.pk))
    expected_b = {k: set(v) for k, v in before_b.items()}
    expected_b["people.AgencyIdentity.child_id"].add(str(new_for_b.pk))
    assert after_a == expected_a
    assert after_b == expected_b
    assert own_fields(a) == fields_a and own_fields(b) == fields_b
    merge.refresh_from_db()
    assert merge.status == MergeStatus.UNMERGED
    placements = {p["object_pk"]: p for p in merge.unmerge_placements}
    assert placements[str(new_for_b.pk)]["side"] == "merged"
    assert placements[str(hand_link.pk)]["side"] == "survivor"
    assert "no evidence" in placements[str(hand_link.pk)]["why"]


def test_merge_and_unmerge_are_audited_and_tell_both_allocated_workers(
    two_children: dict[str, Any], hub_officer: Membership
) -> None:
    a, b = two_children["a"], two_children["b"]
    actor = _actor(hub_officer)
    merge = child_merge(actor=actor, survivor_id=a.pk, merged_id=b.pk, reason=REASON)
    told = set(Notification.objects.filter(kind="child_merged").values_list("recipient_id", flat=True))
    assert told == {two_children["worker_a"].user_id, two_children["worker_b"].user_id}
    event = AccessEvent.objects.get(resource_type="child_merge", resource_id=str(merge.pk), action="merge")
    assert set(event.child_ids) == {str(a.pk), str(b.pk)} and event.actor_id == hub_officer.user_id
    assert REASON in event.purpose
    child_unmerge(actor=actor, merge_id=merge.pk, reason="Different children: checked with both schools")
    told = set(Notification.objects.filter(kind="child_unmerged").values_list("recipient_id", flat=True))
    assert told == {two_children["worker_a"].user_id, two_children["worker_b"].user_id}
    assert AccessEvent.objects.filter(resource_type="child_merge", action="unmerge").count() == 1
    # b's allocated worker has b back.
    assert Relationship.objects.filter(child=b, holder_user_id=two_children["worker_b"].user_id).exists()
    assert ChildMerge.objects.get().merged_by_id == hub_officer.user_id


def test_a_merge_needs_a_reason_a_hub_role_and_two_different_children(
    two_children: dict[str, Any], hub_officer: Membership, make_member: Callable[..., Membership]
) -> None:
    a, b = two_children["a"], two_children["b"]
    with pytest.raises(MergeError):
        child_merge(actor=_actor(hub_officer), survivor_id=a.pk, merged_id=b.pk, reason="same")
    with pytest.raises(PermissionDenied):
        child_merge(
            actor=_actor(make_member(Role.SOCIAL_WORKER)), survivor_id=a.pk, merged_id=b.pk, reason=REASON
        )
    with pytest.raises(MergeError):
        child_merge(actor=_actor(hub_officer), survivor_id=a.pk, merged_id=a.pk, reason=REASON)
    child_merge(actor=_actor(hub_officer), survivor_id=a.pk, merged_id=b.pk, reason=REASON)
    with pytest.raises(MergeError):
        child_merge(actor=_actor(hub_officer), survivor_id=a.pk, merged_id=b.pk, reason=REASON)
    assert FamilyLink.objects.filter(child=a).count() == 2
