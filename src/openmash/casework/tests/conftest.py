"""The project's shared test fixtures (tests/fixtures.py), and casework's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from openmash.access.models import RelationshipBasis
from openmash.access.selectors import ChildAccess, child_get_for_user
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership
from openmash.accounts.roles import Role
from openmash.people.models import Child
from tests.factories import ChildFactory, RelationshipFactory


def actor_for(membership: Membership) -> Actor:
    return Actor(
        user_id=membership.user_id,
        username=membership.user.username,
        role=membership.role,
        agency_id=membership.agency_id,
        team_id=membership.team_id,
        membership_id=membership.pk,
    )


def access_for(membership: Membership, child: Child) -> ChildAccess:
    return child_get_for_user(actor=actor_for(membership), child_id=child.pk, purpose="test")


@pytest.fixture
def manager(make_member: Callable[..., Membership]) -> Membership:
    return make_member(Role.TEAM_MANAGER)


@pytest.fixture
def worker(make_member: Callable[..., Membership], manager: Membership) -> Membership:
    return make_member(Role.SOCIAL_WORKER, agency=manager.agency, team=manager.team)


@pytest.fixture
def team_child(manager: Membership) -> Child:
    """A child the manager's team holds (as a MASH threshold decision would leave it), unallocated."""
    child = ChildFactory()
    RelationshipFactory(
        child=child,
        holder_user=None,
        holder_team=manager.team,
        basis=RelationshipBasis.TEAM,
        created_by_process="mash.threshold_decision",
    )
    return child


@pytest.fixture
def as_worker(worker: Membership, team_child: Child) -> Callable[[], Any]:
    """The worker allocated as key worker to team_child; returns (actor, access)."""
    from openmash.casework.services import allocation_start

    def make() -> tuple[Actor, ChildAccess]:
        return actor_for(worker), access_for(worker, team_child)

    manager_membership = Membership.objects.get(team=worker.team, role=Role.TEAM_MANAGER)
    allocation_start(
        actor=actor_for(manager_membership),
        access=access_for(manager_membership, team_child),
        worker_id=worker.user_id,
        basis=RelationshipBasis.ALLOCATED_WORKER,
    )
    return make
