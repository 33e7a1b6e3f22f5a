"""The manager's Team casework page raises both alerts (not seen alone at the last two visits;
a statutory visit overdue) for a child on every kind of plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from openmash.access.models import RelationshipBasis
from openmash.casework import services
from openmash.casework.models import PlanKind
from openmash.casework.tests.conftest import access_for, actor_for
from tests.factories import ChildFactory, RelationshipFactory

pytestmark = pytest.mark.django_db

START = date(2026, 9, 1)  # long enough ago for every first visit clock to be overdue
PLANS = {
    PlanKind.CHILD_PROTECTION: {"cp_category": "neglect"},
    PlanKind.EXPLOITATION: {"exploitation_type": "cse"},
    PlanKind.CHILD_IN_NEED: {},
    PlanKind.LOOKED_AFTER: {
        "legal_status": "C2",
        "placement": services.PlacementData(
            place="U6", provider="PR1", carer_or_setting="Carers", started_on=START
        ),
    },
    PlanKind.PATHWAY: {},
}


@pytest.mark.parametrize("kind", list(PLANS))
def test_both_alerts_reach_the_manager_for_every_plan_type(kind, manager, worker, sign_in):
    child = ChildFactory()
    RelationshipFactory(
        child=child,
        holder_user=None,
        holder_team=manager.team,
        basis=RelationshipBasis.TEAM,
        created_by_process="mash.threshold_decision",
    )
    actor, access = actor_for(manager), access_for(manager, child)
    extra = dict(PLANS[kind])
    if kind == PlanKind.PATHWAY:
        extra["personal_adviser_id"] = worker.user_id
    services.plan_start(actor=actor, access=access, kind=kind, started_on=START, **extra)
    client = sign_in(manager)
    page = client.get("/casework/team/").content.decode()
    overdue = page.split('id="visits-overdue"')[1].split("</div>")[0]
    assert child.full_name in overdue  # no visit since the plan started
    not_alone = page.split('id="not-seen-alone"')[1].split("</div>")[0]
    assert child.full_name not in not_alone
    for days in (20, 3):
        services.visit_record(
            actor=actor,
            access=access,
            visited_at=timezone.now() - timedelta(days=days),
            child_seen=True,
            seen_alone=False,
            not_seen_alone_reason="Carer stayed in the room",
            location="Home",
            statutory=False,  # not a statutory visit: the overdue one is still overdue
        )
    page = client.get("/casework/team/").content.decode()
    not_alone = page.split('id="not-seen-alone"')[1].split("</div>")[0]
    assert child.full_name in not_alone
    assert child.full_name in page.split('id="visits-overdue"')[1].split("</div>")[0]
