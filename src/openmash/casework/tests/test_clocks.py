"""Every casework clock, started and met by the events that drive it, with bank holidays.

Dates are chosen to straddle England's bank holidays: Christmas 2025 (25, 26 December and
1 January 2026) and Easter 2025 (Good Friday 18 April, Easter Monday 21 April) with the early
May bank holiday (5 May 2025).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from openmash.casework import services
from openmash.casework.models import PlanKind
from openmash.exploitation.models import Sign
from openmash.exploitation.services import default_tools_load
from openmash.timescales.models import Clock
from openmash.timescales.services import clock_start

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=LONDON)


def due(child, rule: str) -> date:  # type: ignore[no-untyped-def]
    clock = Clock.objects.get(
        child=child, rule_code=rule, completed_at__isnull=True, cancelled_at__isnull=True
    )
    return clock.due_at.astimezone(LONDON).date()


def clock(child, rule: str) -> Clock:  # type: ignore[no-untyped-def]
    return Clock.objects.filter(child=child, rule_code=rule).latest("created_at")


def test_icpc_clock_met_by_the_conference_and_cp_plan_clocks_start_over_christmas(as_worker, team_child):
    actor, access = as_worker()
    # The MASH threshold decision's strategy discussion started the 15-working-day clock.
    clock_start(
        rule_code="icpc",
        child=team_child,
        subject_type="mash.ThresholdDecision",
        subject_id="sd-1",
        start_event="Strategy discussion",
        started_at=at(2025, 12, 1),
    )
    # 15 WD from 1 Dec 2025 = 22 Dec 2025; a conference on 19 Dec meets it on time.
    assert due(team_child, "icpc") == date(2025, 12, 22)
    outcome = services.meeting_record(
        actor=actor, access=access, kind="icpc", held_at=at(2025, 12, 19), cp_category="neglect"
    )
    assert clock(team_child, "icpc").completed_at == at(2025, 12, 19)
    assert outcome.plan is not None and outcome.plan.kind == PlanKind.CHILD_PROTECTION
    # 10 working days from Fri 19 Dec skips 25, 26 Dec and 1 Jan: Wed 7 Jan 2026.
    assert due(team_child, "core_group_first") == date(2026, 1, 7)
    assert due(team_child, "cp_review_first") == date(2026, 3, 19)
    assert due(team_child, "cp_visit") == date(2026, 1, 7)  # local default: 10 working days


def test_late_conference_needs_a_reason(as_worker, team_child):
    actor, access = as_worker()
    clock_start(
        rule_code="icpc",
        child=team_child,
        subject_type="mash.ThresholdDecision",
        subject_id="sd-2",
        start_event="Strategy discussion",
        started_at=at(2025, 12, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.meeting_record(
            actor=actor, access=access, kind="icpc", held_at=at(2025, 12, 23), cp_category="physical"
        )
    assert "late_reason" in error.value.error_dict
    services.meeting_record(
        actor=actor,
        access=access,
        kind="icpc",
        held_at=at(2025, 12, 23),
        cp_category="physical",
        late_reason="Police could not attend until 23 December",
    )
    assert clock(team_child, "icpc").exception_reason.startswith("Police")


def test_cp_reviews_and_core_group(as_worker, team_child):
    actor, access = as_worker()
    plan = services.meeting_record(
        actor=actor, access=access, kind="icpc", held_at=at(2025, 12, 19), cp_category="emotional"
    ).plan
    services.meeting_record(actor=actor, access=access, kind="core_group", held_at=at(2026, 1, 6))
    assert clock(team_child, "core_group_first").completed_at == at(2026, 1, 6)
    services.meeting_record(actor=actor, access=access, kind="cp_review", held_at=at(2026, 3, 10))
    assert clock(team_child, "cp_review_first").completed_at is not None
    assert due(team_child, "cp_review") == date(2026, 9, 10)
    services.meeting_record(actor=actor, access=access, kind="cp_review", held_at=at(2026, 9, 1))
    assert due(team_child, "cp_review") == date(2027, 3, 1)
    assert plan is not None


def _cla(actor, access, start: date):  # type: ignore[no-untyped-def]
    return services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.LOOKED_AFTER,
        started_on=start,
        legal_status="V2",
        placement=services.PlacementData(
            place="U6", provider="PR1", carer_or_setting="Foster carers A", started_on=start
        ),
    )


def test_looked_after_reviews_over_easter_and_may_day(as_worker, team_child):
    actor, access = as_worker()
    _cla(actor, access, date(2025, 4, 10))
    # 20 WD from Thu 10 Apr 2025 skips Good Friday, Easter Monday and 5 May: Tue 13 May.
    assert due(team_child, "cla_review_first") == date(2025, 5, 13)
    services.meeting_record(actor=actor, access=access, kind="cla_review", held_at=at(2025, 5, 12))
    assert due(team_child, "cla_review_second") == date(2025, 8, 12)
    services.meeting_record(actor=actor, access=access, kind="cla_review", held_at=at(2025, 8, 1))
    assert due(team_child, "cla_review") == date(2026, 2, 1)
    services.meeting_record(actor=actor, access=access, kind="cla_review", held_at=at(2026, 1, 20))
    assert due(team_child, "cla_review") == date(2026, 7, 20)


def test_statutory_visits_restart_on_every_placement(as_worker, team_child):
    actor, access = as_worker()
    plan = _cla(actor, access, date(2025, 4, 10))
    assert due(team_child, "cla_visit_first") == date(2025, 4, 17)
    services.visit_record(
        actor=actor,
        access=access,
        visited_at=at(2025, 4, 16),
        child_seen=True,
        seen_alone=True,
        location="Foster home",
    )
    assert clock(team_child, "cla_visit_first").completed_at == at(2025, 4, 16)
    assert due(team_child, "cla_visit") == date(2025, 5, 28)
    services.visit_record(
        actor=actor,
        access=access,
        visited_at=at(2025, 5, 20),
        child_seen=True,
        seen_alone=True,
        location="School",
    )
    assert due(team_child, "cla_visit") == date(2025, 7, 1)
    move = services.PlacementData(
        place="K2", provider="PR4", carer_or_setting="Children's home B", started_on=date(2025, 6, 2)
    )
    with pytest.raises(ValidationError) as error:  # a move needs its SSDA903 reason
        services.placement_record(actor=actor, access=access, plan=plan, data=move)
    assert "reason_for_change" in error.value.error_dict
    move.reason_for_change = "CREQO"
    services.placement_record(actor=actor, access=access, plan=plan, data=move)
    assert clock(team_child, "cla_visit").cancelled_at is not None
    assert due(team_child, "cla_visit_first") == date(2025, 6, 9)


def test_a_visit_where_the_child_was_not_seen_does_not_meet_the_clock(as_worker, team_child):
    actor, access = as_worker()
    _cla(actor, access, date(2025, 4, 10))
    services.visit_record(
        actor=actor,
        access=access,
        visited_at=at(2025, 4, 15),
        child_seen=False,
        seen_alone=False,
        location="Foster home",
        not_seen_alone_reason="Child was out",
    )
    assert clock(team_child, "cla_visit_first").is_running


def test_cp_visits_restart_from_each_visit(as_worker, team_child):
    actor, access = as_worker()
    services.meeting_record(
        actor=actor, access=access, kind="icpc", held_at=at(2025, 12, 19), cp_category="sexual"
    )
    services.visit_record(
        actor=actor,
        access=access,
        visited_at=at(2025, 12, 24),
        child_seen=True,
        seen_alone=True,
        location="Home",
    )
    # 10 WD from Wed 24 Dec 2025 skips 25, 26 Dec and 1 Jan: Mon 12 Jan 2026.
    assert due(team_child, "cp_visit") == date(2026, 1, 12)


def test_pathway_plan_reviews(as_worker, team_child, worker):
    actor, access = as_worker()
    services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.PATHWAY,
        started_on=date(2025, 8, 31),
        personal_adviser_id=worker.user_id,
    )
    assert due(team_child, "pathway_review") == date(2026, 2, 28)
    services.meeting_record(actor=actor, access=access, kind="pathway_review", held_at=at(2026, 2, 20))
    assert due(team_child, "pathway_review") == date(2026, 8, 20)


def test_return_interview_within_72_hours(as_worker, team_child):
    actor, access = as_worker()
    episode = services.missing_episode_record(
        actor=actor, access=access, kind="M", started_at=at(2025, 12, 24, 18), ended_at=at(2025, 12, 25, 9)
    )
    c = clock(team_child, "return_interview")
    assert c.due_at == at(2025, 12, 28, 9)  # elapsed hours: bank holidays do not stop this clock
    with pytest.raises(ValidationError):
        services.return_interview_record(
            actor=actor,
            access=access,
            episode=episode,
            offered_at=at(2025, 12, 27),
            accepted=True,
            held_at=at(2025, 12, 29),
        )
    services.return_interview_record(
        actor=actor,
        access=access,
        episode=episode,
        offered_at=at(2025, 12, 27),
        accepted=True,
        held_at=at(2025, 12, 29),
        child_words="I was at a party",
        late_reason="Child asked to wait until after the holiday",
    )
    assert clock(team_child, "return_interview").completed_at == at(2025, 12, 29)


def test_three_missing_episodes_in_90_days_raise_the_sign_and_the_meeting_clock(as_worker, team_child):
    default_tools_load()
    actor, access = as_worker()
    for start in (at(2025, 12, 1), at(2025, 12, 20)):
        services.missing_episode_record(
            actor=actor, access=access, kind="M", started_at=start, ended_at=start + timedelta(hours=5)
        )
    assert not Sign.objects.filter(child=team_child).exists()
    services.missing_episode_record(
        actor=actor, access=access, kind="A", started_at=at(2025, 12, 31, 20), ended_at=at(2026, 1, 1, 2)
    )
    sign = Sign.objects.get(child=team_child)
    assert sign.indicator_code == "missing_repeated" and sign.source_type == "casework.MissingEpisode"
    # Local default: 5 working days from Wed 31 Dec 2025 skips 1 January: Thu 8 Jan 2026.
    assert due(team_child, "repeat_missing_meeting") == date(2026, 1, 8)
    services.meeting_record(actor=actor, access=access, kind="strategy", held_at=at(2026, 1, 5))
    assert clock(team_child, "repeat_missing_meeting").completed_at is not None


def test_episodes_more_than_90_days_apart_raise_nothing(as_worker, team_child):
    default_tools_load()
    actor, access = as_worker()
    for start in (at(2025, 6, 1), at(2025, 8, 1), at(2025, 9, 15)):
        services.missing_episode_record(actor=actor, access=access, kind="M", started_at=start)
    assert not Sign.objects.filter(child=team_child).exists()
