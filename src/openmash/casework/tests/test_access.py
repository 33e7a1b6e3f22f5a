"""Allocation grants and ends access; the unallocated list; closure; who sees what in the chronology."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openmash.access.models import RelationshipBasis
from openmash.access.selectors import ChildNotFound, child_get_for_user
from openmash.accounts.models import AgencyKind
from openmash.accounts.roles import Role
from openmash.casework import selectors, services
from openmash.casework.models import ClosureStatus, PlanKind
from openmash.casework.tests.conftest import access_for, actor_for
from openmash.exploitation.models import Assessment, AssessmentStatus, Tool
from openmash.exploitation.services import default_tools_load, sign_raise
from openmash.people.selectors import child_chronology
from tests.factories import AgencyFactory, ChildFactory, RelationshipFactory

pytestmark = pytest.mark.django_db


def test_allocation_grants_access_and_empties_the_unallocated_list(manager, worker, team_child):
    boss = actor_for(manager)
    assert [row.child_id for row in selectors.team_unallocated(actor=boss)] == [team_child.pk]
    # Before allocation the worker sees the child only as a member of the team holding the case.
    assert access_for(worker, team_child).relationship.basis == RelationshipBasis.TEAM
    rel = services.allocation_start(
        actor=boss,
        access=access_for(manager, team_child),
        worker_id=worker.user_id,
        basis=RelationshipBasis.ALLOCATED_WORKER,
    )
    assert access_for(worker, team_child).is_allocated_worker
    assert selectors.team_unallocated(actor=boss) == []
    assert [(c.name, c.key_worker) for c in selectors.team_caseloads(actor=boss)] == [
        (worker.user.full_name, 1)
    ]
    services.allocation_end(
        actor=boss,
        access=access_for(manager, team_child),
        relationship_id=rel.pk,
        reason="Worker left the team",
    )
    assert not access_for(worker, team_child).is_allocated_worker  # their own access ended with it
    assert [row.child_id for row in selectors.team_unallocated(actor=boss)] == [team_child.pk]


def test_only_the_manager_allocates_and_only_to_their_team(manager, worker, team_child, make_member):
    outsider = make_member(Role.SOCIAL_WORKER)
    RelationshipFactory(child=team_child, holder_user=worker.user, basis=RelationshipBasis.SUPPORTING_WORKER)
    with pytest.raises(ValidationError):
        services.allocation_start(
            actor=actor_for(worker),
            access=access_for(worker, team_child),
            worker_id=worker.user_id,
            basis=RelationshipBasis.ALLOCATED_WORKER,
        )
    with pytest.raises(ValidationError):
        services.allocation_start(
            actor=actor_for(manager),
            access=access_for(manager, team_child),
            worker_id=outsider.user_id,
            basis=RelationshipBasis.ALLOCATED_WORKER,
        )


def test_a_new_key_worker_ends_the_previous_one(manager, worker, team_child, make_member):
    second = make_member(Role.SOCIAL_WORKER, agency=manager.agency, team=manager.team)
    boss, access = actor_for(manager), access_for(manager, team_child)
    services.allocation_start(
        actor=boss, access=access, worker_id=worker.user_id, basis=RelationshipBasis.ALLOCATED_WORKER
    )
    services.allocation_start(
        actor=boss, access=access, worker_id=second.user_id, basis=RelationshipBasis.ALLOCATED_WORKER
    )
    assert not access_for(worker, team_child).is_allocated_worker
    assert access_for(second, team_child).is_allocated_worker


def _screening(child, agency, user, on: date) -> Assessment:  # type: ignore[no-untyped-def]
    tool = (
        Tool.objects.get(code="default_screening")
        if Tool.objects.filter(code="default_screening").exists()
        else Tool.objects.filter(purpose="screening").first()
    )
    return Assessment.objects.create(
        child=child,
        tool=tool,
        assessed_on=on,
        status=AssessmentStatus.COMPLETED,
        started_by=user,
        agency=agency,
        computed_level=1,
        practitioner_level=1,
        final_level=1,
        completed_by=user,
        completed_at=timezone.now(),
    )


def test_closure_refused_with_open_actions_and_current_signs_then_allowed(
    as_worker, manager, worker, team_child
):
    default_tools_load()
    actor, access = as_worker()
    plan = services.plan_start(
        actor=actor, access=access, kind=PlanKind.CHILD_IN_NEED, started_on=date.today() - timedelta(days=60)
    )
    action = services.plan_action_add(
        actor=actor,
        access=access,
        plan=plan,
        what="Referral to youth service",
        owner_name="Key worker",
        due_on=date.today(),
    )
    with pytest.raises(services.ClosureRefused) as refused:
        services.closure_request(actor=actor, access=access, reason="Needs met")
    assert any("Referral to youth service" in item for item in refused.value.open_items)
    services.plan_action_status_record(actor=actor, access=access, action=action, status="done")
    sign_raise(
        child_id=team_child.pk,
        indicator_code="missing_repeated",
        observed_on=date.today() - timedelta(days=20),
        source_agency_id=None,
        source_type="test",
        source_id="s1",
        summary="3 episodes",
        raised_by_process="test",
    )
    closure = services.closure_request(actor=actor, access=access, reason="Needs met")
    boss = actor_for(manager)
    with pytest.raises(services.ClosureRefused) as refused:
        services.closure_sign_off(
            actor=boss, access=access_for(manager, team_child), closure=closure, note="Agreed"
        )
    assert "screening" in refused.value.open_items[0]
    with pytest.raises(ValidationError):  # the worker cannot sign off their own closure
        services.closure_sign_off(actor=actor, access=access, closure=closure, note="Agreed")
    # A screening from before the newest sign is not fresh.
    _screening(team_child, worker.agency, worker.user, date.today() - timedelta(days=30))
    with pytest.raises(services.ClosureRefused):
        services.closure_sign_off(
            actor=boss, access=access_for(manager, team_child), closure=closure, note="Agreed"
        )
    fresh = _screening(team_child, worker.agency, worker.user, date.today() - timedelta(days=1))
    services.closure_sign_off(
        actor=boss,
        access=access_for(manager, team_child),
        closure=closure,
        note="Fresh screening shows no current concern; partners agree",
    )
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.CLOSED and closure.screening_id == fresh.pk
    with pytest.raises(ChildNotFound):  # closing ends the key worker's and the team's access
        access_for(worker, team_child)
    with pytest.raises(ChildNotFound):
        child_get_for_user(actor=boss, child_id=team_child.pk, purpose="test")


def test_closure_without_current_signs_needs_no_screening(as_worker, manager, team_child):
    actor, access = as_worker()
    closure = services.closure_request(actor=actor, access=access, reason="Needs met")
    services.closure_sign_off(
        actor=actor_for(manager), access=access_for(manager, team_child), closure=closure, note="Agreed"
    )
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.CLOSED


def test_health_practitioner_sees_own_agency_records_and_nothing_else(as_worker, team_child, make_member):
    """A health visitor related to the child sees their own agency's records and meetings their
    agency was invited to; never the social worker's visits, plans, missing episodes, another
    agency's identities, or another agency's meeting."""
    default_tools_load()
    actor, access = as_worker()
    health = AgencyFactory(name="Testshire NHS Trust", kind=AgencyKind.NHS_TRUST)
    school = AgencyFactory(name="Testshire Academy", kind=AgencyKind.SCHOOL)
    nurse = make_member(Role.PRACTITIONER, agency=health)
    RelationshipFactory(
        child=team_child, holder_user=None, holder_agency=health, basis=RelationshipBasis.INFORMATION_REQUEST
    )
    now = timezone.now()
    services.visit_record(
        actor=actor,
        access=access,
        visited_at=now - timedelta(days=3),
        child_seen=True,
        seen_alone=True,
        location="Secret home visit location",
    )
    services.missing_episode_record(actor=actor, access=access, kind="M", started_at=now - timedelta(days=5))
    services.meeting_record(
        actor=actor,
        access=access,
        kind="strategy",
        held_at=now - timedelta(days=2),
        invitees=[services.InviteeData(agency_id=health.pk, attended=True)],
    )
    services.meeting_record(
        actor=actor,
        access=access,
        kind="exploitation",
        held_at=now - timedelta(days=1),
        invitees=[services.InviteeData(agency_id=school.pk, attended=True)],
    )
    sign_raise(
        child_id=team_child.pk,
        indicator_code="missing_repeated",
        observed_on=date.today(),
        source_agency_id=school.pk,
        source_type="test",
        source_id="s2",
        summary="School sign",
        raised_by_process="test",
    )
    # The nurse's own agency's record of a visit (recorded by a health worker on the case).
    health_worker = make_member(Role.SOCIAL_WORKER, agency=health)
    RelationshipFactory(
        child=team_child, holder_user=health_worker.user, basis=RelationshipBasis.SUPPORTING_WORKER
    )
    services.visit_record(
        actor=actor_for(health_worker),
        access=access_for(health_worker, team_child),
        visited_at=now - timedelta(hours=5),
        child_seen=True,
        seen_alone=True,
        location="Health clinic",
        statutory=False,
    )

    nurse_view = child_chronology(access=access_for(nurse, team_child), actor=actor_for(nurse))
    summaries = [e.summary for e in nurse_view]
    # Everything is their own agency's, or a meeting their agency was invited to.
    assert all(e.agency == health.name or health.pk in e.shared_with for e in nurse_view)
    assert [e.summary for e in nurse_view if e.agency != health.name] == ["Strategy discussion"]
    assert "Visit at Health clinic: child seen alone" in summaries
    assert "Strategy discussion" in summaries  # their agency was invited
    assert not any(
        "Secret home" in s or "exploitation meeting" in s.lower() or "School sign" in s or "Missing" in s
        for s in summaries
    )
    worker_view = child_chronology(access=access, actor=actor)
    worker_summaries = [e.summary for e in worker_view]
    assert "Visit at Secret home visit location: child seen alone" in worker_summaries
    assert "Multi-agency exploitation meeting" in worker_summaries
    # And another child, with no relationship at all, is not theirs to see.
    with pytest.raises(ChildNotFound):
        access_for(nurse, ChildFactory())
