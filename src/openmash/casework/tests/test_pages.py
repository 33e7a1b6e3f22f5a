"""Every casework page renders for the people it is for, and answers 404 to anyone else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from openmash.accounts.roles import Role
from openmash.casework import services
from openmash.casework.models import PlanKind

pytestmark = pytest.mark.django_db


def test_pages_render_and_refuse_strangers(as_worker, manager, worker, team_child, sign_in, make_member):
    actor, access = as_worker()
    plan = services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.LOOKED_AFTER,
        started_on=date(2026, 1, 5),
        legal_status="C2",
        placement=services.PlacementData(
            place="U4", provider="PR1", carer_or_setting="Carers", started_on=date(2026, 1, 5)
        ),
    )
    episode = services.missing_episode_record(
        actor=actor, access=access, kind="M", started_at=timezone.now() - timedelta(days=2)
    )
    base = f"/casework/children/{team_child.pk}/"
    pages = [
        base,
        base + "visits/new",
        base + "plans/new",
        f"{base}plans/{plan.pk}/",
        base + "meetings/new",
        base + "missing/new",
        f"{base}missing/{episode.pk}/",
        base + "care-council/new",
        base + "closure",
    ]
    client = sign_in(worker)
    for url in pages:
        assert client.get(url).status_code == 200, url
    boss = sign_in(manager)
    for url in ["/casework/team/", "/casework/care-council/", base + "allocate", base]:
        assert boss.get(url).status_code == 200, url
    stranger = sign_in(make_member(Role.SOCIAL_WORKER))
    for url in pages:
        assert stranger.get(url).status_code == 404, url


def test_visit_form_keeps_the_childs_words_verbatim(as_worker, worker, team_child, sign_in):
    as_worker()
    client = sign_in(worker)
    words = "  he said \"don't tell\" & I won't  "
    response = client.post(
        f"/casework/children/{team_child.pk}/visits/new",
        {
            "visited_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "location": "School",
            "statutory": "no",
            "child_seen": "yes",
            "seen_alone": "yes",
            "child_words": words,
            "observations": "Calm and chatty",
        },
    )
    assert response.status_code == 302
    from openmash.casework.models import Visit

    assert Visit.objects.get(child=team_child).child_words == words


def test_visit_form_asks_why_not_seen_alone(as_worker, worker, team_child, sign_in):
    as_worker()
    response = sign_in(worker).post(
        f"/casework/children/{team_child.pk}/visits/new",
        {
            "visited_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Home",
            "statutory": "yes",
            "child_seen": "yes",
            "seen_alone": "no",
        },
    )
    assert response.status_code == 200
    assert "Say why the child was not seen alone." in response.content.decode()
