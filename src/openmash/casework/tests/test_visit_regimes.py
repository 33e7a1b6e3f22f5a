"""The visit and meeting cadences after the first one: looked-after visits after a placement's
first year and under the reg 19 / reg 24 / care-order-at-home regimes, later core groups, plan
visits under local practice, personal adviser contact; with bank holidays where they count.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from openmash.casework import services
from openmash.casework.models import PlanKind
from openmash.casework.tests.test_clocks import at, clock, due
from openmash.timescales.models import Clock

pytestmark = pytest.mark.django_db


def _cla(actor, access, start: date, *, place: str, legal: str, **extra):  # type: ignore[no-untyped-def]
    return services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.LOOKED_AFTER,
        started_on=start,
        legal_status=legal,
        placement=services.PlacementData(
            place=place, provider="PR1", carer_or_setting="Carers", started_on=start, **extra
        ),
    )


def _visit(actor, access, when, late_reason: str = ""):  # type: ignore[no-untyped-def]
    return services.visit_record(
        actor=actor,
        access=access,
        visited_at=when,
        child_seen=True,
        seen_alone=True,
        location="Home",
        late_reason=late_reason,
    )


def test_long_term_placement_visits_become_three_monthly_after_its_first_year(as_worker, team_child):
    actor, access = as_worker()
    _cla(actor, access, date(2024, 11, 4), place="U4", legal="C2")  # long-term foster: meant to last
    _visit(actor, access, at(2024, 11, 8))
    assert due(team_child, "cla_visit") == date(2024, 12, 20)  # 6 weeks in the first year
    _visit(actor, access, at(2025, 10, 20), late_reason="Test: the year's visits are not the point here")
    assert due(team_child, "cla_visit") == date(2025, 12, 1)  # still the first year: 6 weeks
    _visit(actor, access, at(2025, 11, 24))  # the placement is a year old
    assert due(team_child, "cla_visit_later") == date(2026, 2, 24)


def test_other_placements_stay_six_weekly_after_the_first_year(as_worker, team_child):
    actor, access = as_worker()
    _cla(actor, access, date(2024, 11, 4), place="U6", legal="V2")
    _visit(actor, access, at(2024, 11, 8))
    _visit(actor, access, at(2025, 11, 24), late_reason="Test")
    assert due(team_child, "cla_visit") == date(2026, 1, 5)
    assert not Clock.objects.filter(child=team_child, rule_code="cla_visit_later").exists()


def test_long_term_foster_agreement_makes_visits_six_monthly(as_worker, team_child):
    actor, access = as_worker()
    plan = _cla(actor, access, date(2024, 11, 4), place="U1", legal="C2")
    _visit(actor, access, at(2024, 11, 8))
    _visit(actor, access, at(2025, 11, 24), late_reason="Test")
    with pytest.raises(ValidationError) as error:
        services.long_term_visits_agree(
            actor=actor,
            access=access,
            plan=plan,
            agreed_on=date(2025, 11, 1),
            child_agrees=False,
            iro_consulted=False,
        )
    assert set(error.value.error_dict) == {"agreed_on", "child_agrees", "iro_consulted"}
    services.long_term_visits_agree(
        actor=actor,
        access=access,
        plan=plan,
        agreed_on=date(2025, 12, 1),
        child_agrees=True,
        iro_consulted=True,
        child_words="I like it here, you don't need to come so often",
    )
    # The 3-monthly clock gives way to a 6-monthly one counted from the last visit.
    assert clock(team_child, "cla_visit_later").cancelled_at is not None
    assert due(team_child, "cla_visit_long_term_foster") == date(2026, 5, 24)
    _visit(actor, access, at(2026, 5, 20))
    assert due(team_child, "cla_visit_long_term_foster") == date(2026, 11, 20)


def test_only_a_long_term_foster_placement_can_have_fewer_visits(as_worker, team_child):
    actor, access = as_worker()
    plan = _cla(actor, access, date(2024, 11, 4), place="K2", legal="C2")
    with pytest.raises(ValidationError, match="long-term foster placement"):
        services.long_term_visits_agree(
            actor=actor,
            access=access,
            plan=plan,
            agreed_on=date(2025, 12, 1),
            child_agrees=True,
            iro_consulted=True,
        )


def test_placed_with_parents_before_assessment_is_weekly_until_the_first_review(as_worker, team_child):
    actor, access = as_worker()
    _cla(actor, access, date(2025, 12, 15), place="P1", legal="V2")  # reg 19
    assert due(team_child, "cla_visit_first") == date(2025, 12, 22)
    _visit(actor, access, at(2025, 12, 19))
    # A calendar week: Boxing Day is a bank holiday, and the statutory visit is still due then.
    assert due(team_child, "cla_visit_weekly") == date(2025, 12, 26)
    _visit(actor, access, at(2025, 12, 24))
    _visit(actor, access, at(2025, 12, 30))
    _visit(actor, access, at(2026, 1, 5))
    assert due(team_child, "cla_visit_weekly") == date(2026, 1, 12)
    # 20 WD from 15 Dec 2025 skips 25, 26 Dec and 1 Jan: Thu 15 Jan 2026.
    assert due(team_child, "cla_review_first") == date(2026, 1, 15)
    services.meeting_record(actor=actor, access=access, kind="cla_review", held_at=at(2026, 1, 9))
    _visit(actor, access, at(2026, 1, 12))
    assert due(team_child, "cla_visit") == date(2026, 2, 23)  # after the first review: 6 weeks


def test_interim_care_order_at_home_is_weekly_then_four_weekly_and_a_full_order_six_weekly(
    as_worker, team_child
):
    actor, access = as_worker()
    plan = _cla(actor, access, date(2025, 12, 15), place="P1", legal="C1")  # reg 24 cadence
    for day in ((2025, 12, 19), (2025, 12, 24), (2025, 12, 30), (2026, 1, 5)):
        _visit(actor, access, at(*day))
    services.meeting_record(actor=actor, access=access, kind="cla_review", held_at=at(2026, 1, 9))
    _visit(actor, access, at(2026, 1, 12))
    assert due(team_child, "cla_visit_four_weekly") == date(2026, 2, 9)
    # The court makes a full care order: at home that is visits at least every 6 weeks, counted
    # from the last visit. The 4-weekly clock is cancelled, not rewritten.
    services.legal_status_record(
        actor=actor, access=access, plan=plan, code="C2", effective_on=date(2026, 1, 20)
    )
    assert clock(team_child, "cla_visit_four_weekly").cancel_reason.startswith("Legal status changed")
    assert due(team_child, "cla_visit") == date(2026, 2, 23)
    # The looked-after review clocks run from the period of care, not the legal status.
    assert due(team_child, "cla_review_second") == date(2026, 4, 9)


def test_legal_status_change_is_checked(as_worker, team_child):
    actor, access = as_worker()
    plan = _cla(actor, access, date(2025, 12, 15), place="U6", legal="V2")
    with pytest.raises(ValidationError) as same:
        services.legal_status_record(
            actor=actor, access=access, plan=plan, code="V2", effective_on=date(2026, 1, 5)
        )
    assert "code" in same.value.error_dict
    with pytest.raises(ValidationError) as early:
        services.legal_status_record(
            actor=actor, access=access, plan=plan, code="C1", effective_on=date(2025, 12, 1)
        )
    assert "effective_on" in early.value.error_dict


def test_core_groups_after_the_first_follow_the_local_cadence(as_worker, team_child):
    actor, access = as_worker()
    services.meeting_record(
        actor=actor, access=access, kind="icpc", held_at=at(2025, 12, 19), cp_category="neglect"
    )
    services.meeting_record(actor=actor, access=access, kind="core_group", held_at=at(2026, 1, 6))
    assert clock(team_child, "core_group_first").completed_at == at(2026, 1, 6)
    assert due(team_child, "core_group") == date(2026, 2, 17)  # default: at most 6 weeks
    services.meeting_record(actor=actor, access=access, kind="core_group", held_at=at(2026, 2, 10))
    assert due(team_child, "core_group") == date(2026, 3, 24)


def test_local_practice_sets_core_group_and_cp_visit_cadences(as_worker, team_child, tmp_path):
    config = tmp_path / "timescales.yaml"
    config.write_text(
        "rules:\n"
        "  core_group: {amount: 4, unit: weeks, owner: Test partnership, effective_from: 2025-01-01}\n"
        "  cp_visit: {amount: 15, unit: working_days, owner: Test partnership, effective_from: 2025-01-01}\n"
    )
    actor, access = as_worker()
    with override_settings(OPENMASH_TIMESCALES_FILE=str(config)):
        services.meeting_record(
            actor=actor, access=access, kind="icpc", held_at=at(2025, 12, 19), cp_category="neglect"
        )
        # 15 WD from Fri 19 Dec 2025 skips 25, 26 Dec and 1 Jan: Wed 14 Jan 2026.
        assert due(team_child, "cp_visit") == date(2026, 1, 14)
        services.meeting_record(actor=actor, access=access, kind="core_group", held_at=at(2026, 1, 6))
        assert due(team_child, "core_group") == date(2026, 2, 3)


def test_child_in_need_and_exploitation_plans_run_visit_clocks(as_worker, team_child):
    actor, access = as_worker()
    services.plan_start(
        actor=actor, access=access, kind=PlanKind.CHILD_IN_NEED, started_on=date(2025, 12, 15)
    )
    # 20 WD from Mon 15 Dec 2025 skips 25, 26 Dec and 1 Jan: Thu 15 Jan 2026.
    assert due(team_child, "cin_visit") == date(2026, 1, 15)
    services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.EXPLOITATION,
        started_on=date(2025, 12, 15),
        exploitation_type="cce",
    )
    assert due(team_child, "exploitation_visit") == date(2025, 12, 31)  # 10 WD
    _visit(actor, access, at(2025, 12, 23))
    met = Clock.objects.get(child=team_child, rule_code="cin_visit", completed_at__isnull=False)
    assert met.completed_at == at(2025, 12, 23)
    assert due(team_child, "cin_visit") == date(2026, 1, 23)  # 20 WD from 23 Dec
    assert due(team_child, "exploitation_visit") == date(2026, 1, 9)  # 10 WD from 23 Dec


def test_personal_adviser_contact_every_two_months(as_worker, team_child, worker):
    actor, access = as_worker()
    services.plan_start(
        actor=actor,
        access=access,
        kind=PlanKind.PATHWAY,
        started_on=date(2025, 8, 31),
        personal_adviser_id=worker.user_id,
    )
    assert due(team_child, "pa_contact") == date(2025, 10, 31)
    _visit(actor, access, at(2025, 10, 30))
    assert due(team_child, "pa_contact") == date(2025, 12, 30)
