"""The set-based clock starts (one INSERT) give the same clocks as ``clock_start``, one by one."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from openmash.timescales.calendar import LONDON
from openmash.timescales.models import Clock
from openmash.timescales.services import ClockStart, clock_start, clocks_start_bulk, clocks_start_many
from tests.factories import ChildFactory, TeamFactory

FIELDS = ("due_at", "started_at", "calendar_version", "rule_description", "start_event", "completed_at")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


# Christmas 2026: Friday 25 December and Monday 28 December (Boxing Day's substitute) are bank
# holidays; the hub's rules count working days and hours across them.
STARTS = [at(2026, 12, 24, 16, 0), at(2026, 12, 23, 11, 30), at(2026, 12, 31, 9, 0)]
RULES = ("mash_decision", "rag_red", "rag_amber", "rag_green")


def _one_by_one(rule_code: str, started_at: datetime, child, team) -> Clock:
    return clock_start(
        rule_code=rule_code,
        child=child,
        subject_type="test.OneByOne",
        subject_id=f"{rule_code}-{started_at.isoformat()}",
        start_event="Contact received by the hub",
        started_at=started_at,
        responsible_team=team,
    )


def _contact_clock(rule_code: str, subject_id: str, started_at: datetime) -> Clock:
    return clock_start(
        rule_code=rule_code,
        child=None,
        subject_type="intake.Contact",
        subject_id=subject_id,
        start_event="Received",
        started_at=started_at,
    )


@pytest.mark.django_db
def test_bulk_clocks_are_due_when_clock_start_would_have_them_across_bank_holidays():
    child = ChildFactory()
    team = TeamFactory()
    starts = [
        ClockStart(rule_code, started_at, f"contact-{index}", child.pk if index % 2 else None, team.pk)
        for index, (rule_code, started_at) in enumerate(
            (rule_code, started_at) for rule_code in RULES for started_at in STARTS
        )
    ]
    events_before = Clock.pgh_event_model.objects.count()

    assert clocks_start_bulk(
        subject_type="intake.Contact", start_event="Contact received by the hub", starts=starts
    ) == len(starts)

    for start in starts:
        bulk = Clock.objects.get(subject_type="intake.Contact", subject_id=start.subject_id)
        single = _one_by_one(start.rule_code, start.started_at, child, team)
        assert bulk.rule_code == start.rule_code
        assert bulk.child_id == start.child_id
        assert bulk.responsible_team_id == team.pk
        assert bulk.responsible_user_id is None
        assert (bulk.cancelled_at, bulk.cancel_reason, bulk.exception_reason) == (None, "", "")
        assert [getattr(bulk, field) for field in FIELDS] == [getattr(single, field) for field in FIELDS]
    # One working day from Christmas Eve skips Christmas, the weekend and the substitute day.
    decision = Clock.objects.get(subject_type="intake.Contact", subject_id=starts[0].subject_id)
    assert decision.due_at == at(2026, 12, 29, 23, 59, 59)
    # Written by SQL, the clocks still have their history rows (the triggers fire).
    assert Clock.pgh_event_model.objects.count() == events_before + 2 * len(starts)


@pytest.mark.django_db
def test_bulk_start_skips_subjects_already_running_the_rule_and_repeats():
    started_at = at(2026, 11, 23, 10, 0)
    running = _contact_clock("rag_amber", "a", started_at)
    starts = [
        ClockStart("rag_amber", started_at, "a"),  # already running
        ClockStart("rag_amber", started_at, "b"),
        ClockStart("rag_amber", started_at, "b"),  # a repeat
        ClockStart("mash_decision", started_at, "a"),  # another rule for the same subject
    ]
    assert clocks_start_bulk(subject_type="intake.Contact", start_event="Received", starts=starts) == 2
    assert Clock.objects.filter(subject_type="intake.Contact").count() == 3
    assert Clock.objects.get(subject_id="a", rule_code="rag_amber").pk == running.pk
    assert clocks_start_bulk(subject_type="intake.Contact", start_event="Received", starts=starts) == 0
    assert clocks_start_bulk(subject_type="intake.Contact", start_event="Received", starts=[]) == 0


@pytest.mark.django_db
def test_clocks_start_many_returns_the_clocks_as_stored():
    team = TeamFactory()
    child = ChildFactory()
    started_at = at(2026, 12, 24, 16, 0)
    _contact_clock("rag_green", "held", started_at)
    clocks = clocks_start_many(
        rule_code="rag_green",
        started_at=started_at,
        start_event="Contact received by the hub",
        subject_type="intake.Contact",
        items=[(child.pk, "one"), (None, "held"), (None, "two"), (child.pk, "one")],
        responsible_team=team,
    )
    assert [clock.subject_id for clock in clocks] == ["one", "two"]
    for clock in clocks:
        assert isinstance(clock.pk, uuid.UUID)
        assert not clock._state.adding
        stored = Clock.objects.get(pk=clock.pk)
        for field in (*FIELDS, "rule_code", "child_id", "subject_type", "subject_id", "responsible_team_id"):
            assert getattr(clock, field) == getattr(stored, field), field
    assert clocks[0].due_at == at(2026, 12, 31, 23, 59, 59)  # three working days after Christmas Eve
