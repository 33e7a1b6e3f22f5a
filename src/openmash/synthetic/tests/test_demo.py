"""`demo_setup`: one user per role, caseloads that mean something, and nothing new on a second run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import relationships_active_for
from openmash.accounts.actor import Actor
from openmash.accounts.models import Membership, User
from openmash.accounts.roles import Role
from openmash.exploitation.models import RiskLevel as RiskHistory
from openmash.synthetic.models import RiskLevel, TrueChild

pytestmark = pytest.mark.django_db


def _run(credentials) -> str:
    out = StringIO()
    call_command("demo_setup", children=1500, seed=4, credentials_file=credentials, stdout=out)
    return out.getvalue()


def test_demo_setup_is_idempotent_and_prints_one_user_per_role(tmp_path):
    credentials = tmp_path / "demo-credentials.txt"
    first = _run(credentials)
    users, memberships, relationships = (
        User.objects.count(),
        Membership.objects.count(),
        Relationship.objects.count(),
    )
    risk_rows = RiskHistory.objects.count()
    from openmash.matching.models import ChildMerge, MergeStatus, ReviewPair, ReviewStatus

    reviews = ReviewPair.objects.filter(status=ReviewStatus.OPEN).count()
    assert reviews > 0 and "possible matches for the hub to review" in first
    assert ChildMerge.objects.filter(status=MergeStatus.MERGED).count() == 1  # a merge to undo
    stored = credentials.read_text()
    second = _run(credentials)
    assert ReviewPair.objects.count() == reviews and ChildMerge.objects.count() == 1

    assert "Using the borough already generated" in second
    assert (User.objects.count(), Membership.objects.count(), Relationship.objects.count()) == (
        users,
        memberships,
        relationships,
    )
    assert credentials.read_text() == stored
    assert RiskHistory.objects.count() == risk_rows  # the risk history is not seeded twice
    assert users == len(Role)
    for role in Role:
        assert first.count(role.label.split(" or ")[0][:20]) >= 1
        assert Membership.objects.filter(role=role, ended_at__isnull=True).count() == 1
    for line in stored.splitlines()[1:]:
        _, username, password = line.split("\t")
        assert password in second
        assert User.objects.get(username=username).check_password(password)
    assert "http://127.0.0.1:8000" in second


def test_demo_caseloads(tmp_path):
    _run(tmp_path / "credentials.txt")
    membership = Membership.objects.select_related("user").get(role=Role.SOCIAL_WORKER)
    actor = Actor(
        user_id=membership.user_id,
        username=membership.user.username,
        role=membership.role,
        agency_id=membership.agency_id,
        team_id=membership.team_id,
    )
    children = set(relationships_active_for(actor=actor).values_list("child_id", flat=True))
    assert len(children) == 12
    truth = TrueChild.objects.filter(hub_child_id__in=children)
    assert truth.exclude(cp_category="").exists()
    assert truth.exclude(exploitation_risk=RiskLevel.NONE).exists()

    analyst_cases = Relationship.objects.filter(basis=RelationshipBasis.INTELLIGENCE_CASE)
    assert analyst_cases.count() == TrueChild.objects.filter(exploitation_risk=RiskLevel.HIGH).count()
    assert Relationship.objects.filter(basis=RelationshipBasis.HUB_CONTACT).count() == 10
    referrals = Relationship.objects.filter(basis=RelationshipBasis.REFERRER)
    school = Membership.objects.get(role=Role.PRACTITIONER).agency
    assert referrals.count() == 3 and set(referrals.values_list("holder_agency", flat=True)) == {school.pk}
    assert set(Relationship.objects.values_list("created_by_process", flat=True)) == {"synthetic"}


def test_demo_gives_every_hub_child_at_risk_a_risk_history(tmp_path):
    _run(tmp_path / "credentials.txt")
    at_risk = set(
        TrueChild.objects.filter(hub_child__isnull=False)
        .exclude(exploitation_risk=RiskLevel.NONE)
        .values_list("hub_child_id", flat=True)
    )
    with_history = set(RiskHistory.objects.values_list("child_id", flat=True))
    assert at_risk
    assert with_history == at_risk
    # Medium and high start at low: the continuum moves.
    high = TrueChild.objects.filter(exploitation_risk=RiskLevel.HIGH, hub_child__isnull=False).first()
    levels = RiskHistory.objects.filter(child_id=high.hub_child_id).values_list("level", flat=True)
    assert list(levels) == [1, 3]


def test_demo_casework_shows_plans_alerts_and_adds_nothing_twice(tmp_path):
    from openmash.casework.models import (
        Meeting,
        MeetingInvitee,
        MissingEpisode,
        Plan,
        PlanAction,
        PlanKind,
        ReturnInterview,
        Visit,
    )
    from openmash.casework.selectors import not_seen_alone_alerts, visits_overdue
    from openmash.exploitation.models import Sign
    from openmash.synthetic.demo import demo_casework_ensure
    from openmash.timescales.models import Clock

    credentials = tmp_path / "credentials.txt"
    _run(credentials)
    models = (Plan, PlanAction, Visit, Meeting, MeetingInvitee, MissingEpisode, ReturnInterview, Sign, Clock)
    counts = {m.__name__: m.objects.count() for m in models}
    assert set(Plan.objects.values_list("kind", flat=True)) >= {
        PlanKind.CHILD_PROTECTION,
        PlanKind.EXPLOITATION,
    }
    assert Visit.objects.filter(seen_alone=True).count() > Visit.objects.filter(seen_alone=False).count()
    assert set(Meeting.objects.values_list("kind", flat=True)) >= {"strategy", "icpc", "exploitation"}
    assert PlanAction.objects.filter(meeting__kind="exploitation").exists()
    episodes = MissingEpisode.objects.all()
    assert episodes.count() == 3
    assert ReturnInterview.objects.filter(accepted=False).count() == 1
    assert Sign.objects.filter(indicator_code="missing_repeated").exists()

    def actor_of(role: str) -> Actor:
        m = Membership.objects.select_related("user").get(role=role, ended_at__isnull=True)
        return Actor(
            user_id=m.user_id, username=m.user.username, role=m.role, agency_id=m.agency_id, team_id=m.team_id
        )

    manager = actor_of(Role.TEAM_MANAGER)
    assert len(not_seen_alone_alerts(actor=manager)) == 1
    # Only the visits the demo means to be overdue (a looked-after child's, when the borough has one).
    overdue = visits_overdue(actor=actor_of(Role.SOCIAL_WORKER))
    looked_after = Plan.objects.filter(kind=PlanKind.LOOKED_AFTER)
    assert len(overdue) == (1 if looked_after.exists() else 0)
    assert not Clock.objects.filter(
        rule_code__in=("return_interview", "repeat_missing_meeting"), completed_at__isnull=True
    ).exists()

    second = _run(credentials)
    assert "plans, visits and meetings" not in second
    assert demo_casework_ensure() == 0
    assert {m.__name__: m.objects.count() for m in models} == counts
