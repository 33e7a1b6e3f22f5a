"""Clocks: due times by rule, late completion needs a reason, escalation, the team page."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openmash.accounts.models import TeamKind
from openmash.accounts.roles import Role
from openmash.notifications.models import Notification
from openmash.timescales.calendar import LONDON
from openmash.timescales.models import Clock
from openmash.timescales.rules import RulesFileError, rule_for
from openmash.timescales.services import (
    clock_cancel,
    clock_complete,
    clock_start,
    clocks_child_set,
    clocks_escalate,
    clocks_start_many,
)
from tests.factories import ChildFactory, TeamFactory
from tests.fixtures import allocate


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def start(child, rule_code: str, started_at: datetime, team=None, subject_id: str = "s1") -> Clock:
    return clock_start(
        rule_code=rule_code,
        child=child,
        subject_type="test.Subject",
        subject_id=subject_id,
        start_event="Strategy discussion held",
        started_at=started_at,
        responsible_team=team,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule_code", "started", "due"),
    [
        # 15 working days from Monday 14 December 2026 skip Christmas, both substitute days and New Year.
        ("icpc", at(2026, 12, 14, 10, 0), at(2027, 1, 7, 23, 59, 59)),
        ("assessment", at(2026, 3, 2, 9, 30), at(2026, 5, 7, 23, 59, 59)),
        ("cp_review_first", at(2026, 11, 30, 11, 0), at(2027, 2, 28, 23, 59, 59)),
        ("return_interview", at(2026, 12, 24, 22, 0), at(2026, 12, 27, 22, 0)),
        ("rag_red", at(2026, 11, 20, 16, 0), at(2026, 11, 23, 12, 0)),
        ("cla_visit_first", at(2026, 11, 21, 15, 0), at(2026, 11, 28, 23, 59, 59)),
    ],
)
def test_due_time_follows_the_rule_and_the_bank_holidays(rule_code, started, due):
    clock = start(ChildFactory(), rule_code, started)
    assert clock.due_at == due
    assert clock.calendar_version.startswith("holidays-")


@pytest.mark.django_db
def test_starting_the_same_clock_twice_returns_the_running_one():
    child = ChildFactory()
    first = start(child, "icpc", at(2026, 11, 23, 10, 0))
    again = start(child, "icpc", at(2026, 11, 24, 10, 0))
    assert again.pk == first.pk
    assert Clock.objects.count() == 1


@pytest.mark.django_db
def test_late_completion_needs_an_exception_reason_and_keeps_the_due_date():
    clock = start(ChildFactory(), "icpc", at(2026, 11, 23, 10, 0))
    due = clock.due_at
    with pytest.raises(ValidationError, match="deadline was missed"):
        clock_complete(clock=clock, completed_at=due + timedelta(days=1))
    clock_complete(
        clock=clock, completed_at=due + timedelta(days=1), exception_reason="Conference room flooded"
    )
    clock.refresh_from_db()
    assert clock.due_at == due  # never overwritten by what happened
    assert clock.exception_reason == "Conference room flooded"
    with pytest.raises(ValidationError, match="already stopped"):
        clock_cancel(clock=clock, reason="too late")


@pytest.mark.django_db
def test_on_time_completion_needs_no_reason():
    clock = start(ChildFactory(), "icpc", at(2026, 11, 23, 10, 0))
    clock_complete(clock=clock, completed_at=clock.due_at - timedelta(hours=1))
    assert not clock.is_running


@pytest.mark.django_db
def test_escalation_notifies_the_team_manager_once_a_day(make_member):
    team = TeamFactory(kind=TeamKind.SOCIAL_WORK)
    manager = make_member(Role.TEAM_MANAGER, team=team, agency=team.agency)
    worker = make_member(Role.SOCIAL_WORKER, team=team, agency=team.agency)
    overdue = start(ChildFactory(), "icpc", at(2026, 10, 1, 10, 0), team=team)
    start(ChildFactory(), "icpc", at(2026, 11, 20, 10, 0), team=team, subject_id="s2")  # not yet due
    now = at(2026, 11, 2, 9, 0)

    assert clocks_escalate(now=now) == 1
    assert clocks_escalate(now=now + timedelta(hours=1)) == 0  # not again the same day
    assert clocks_escalate(now=now + timedelta(days=1)) == 1  # still overdue the next day

    notes = Notification.objects.filter(recipient=manager.user)
    assert notes.count() == 2
    assert "Initial child protection conference" in notes.first().title
    assert not Notification.objects.filter(recipient=worker.user).exists()
    overdue.refresh_from_db()
    assert [(e.escalated_on.isoformat(), e.notified) for e in overdue.escalations.all()] == [
        ("2026-11-02", 1),
        ("2026-11-03", 1),
    ]


@pytest.mark.django_db
def test_escalation_notifies_each_manager_once_per_clock_and_the_responsible_worker(make_member):
    hub = TeamFactory(kind=TeamKind.MASH)
    first = make_member(Role.MASH_MANAGER, team=hub, agency=hub.agency)
    second = make_member(Role.MASH_MANAGER, team=hub, agency=hub.agency)
    officer = make_member(Role.MASH_OFFICER, team=hub, agency=hub.agency)
    late = [start(ChildFactory(), "mash_decision", at(2026, 11, 2, 10, 0), team=hub, subject_id=f"c{i}")
            for i in range(3)]  # fmt: skip
    late[0].responsible_user = officer.user
    late[0].save()
    now = at(2026, 11, 9, 9, 0)

    assert clocks_escalate(now=now) == 3
    assert clocks_escalate(now=now) == 0

    for member in (first, second):
        titles = list(Notification.objects.filter(recipient=member.user).values_list("title", flat=True))
        assert len(titles) == 3
        assert all(title.startswith("Overdue: MASH contact decision") for title in titles), titles
    assert Notification.objects.filter(recipient=officer.user).count() == 1


@pytest.mark.django_db
def test_a_clock_with_no_child_yet_runs_escalates_and_then_follows_the_child(make_member):
    hub = TeamFactory(kind=TeamKind.MASH)
    manager = make_member(Role.MASH_MANAGER, team=hub, agency=hub.agency)
    [clock] = clocks_start_many(
        rule_code="rag_red",
        started_at=at(2026, 11, 16, 10, 0),
        start_event="Contact received by the hub",
        subject_type="intake.Contact",
        items=[(None, "contact-1")],
        responsible_team=hub,
    )
    assert clock.child_id is None
    assert clocks_escalate(now=at(2026, 11, 18, 9, 0)) == 1
    assert Notification.objects.filter(recipient=manager.user, kind="overdue").count() == 1

    child = ChildFactory()
    assert clocks_child_set(subject_type="intake.Contact", subject_ids=["contact-1"], child_id=child.pk) == 1
    clock.refresh_from_db()
    assert clock.child_id == child.pk
    assert clock.due_at == at(2026, 11, 16, 14, 0)  # the deadline still runs from receipt


@pytest.mark.django_db
def test_team_page_names_only_children_the_viewer_may_see(make_member, sign_in):
    team = TeamFactory(kind=TeamKind.SOCIAL_WORK)
    manager = make_member(Role.TEAM_MANAGER, team=team, agency=team.agency)
    held = ChildFactory(forename="Heldchild")
    not_held = ChildFactory(forename="Hiddenchild")
    allocate(held, manager)
    start(held, "icpc", at(2026, 10, 1, 10, 0), team=team)
    start(not_held, "assessment", at(2026, 11, 20, 10, 0), team=team, subject_id="s2")

    page = sign_in(manager).get(reverse("timescales:due")).content.decode()

    assert "Heldchild" in page
    assert "Hiddenchild" not in page
    assert "A child your team does not hold" in page
    assert "Overdue by" in page


def test_a_local_file_cannot_change_a_statutory_timescale(tmp_path, settings):
    path = tmp_path / "timescales.yaml"
    path.write_text(
        "rules:\n  icpc: {amount: 20, unit: working_days, owner: Someone, effective_from: 2026-01-01}\n"
    )
    settings.OPENMASH_TIMESCALES_FILE = str(path)
    with pytest.raises(RulesFileError, match="statutory"):
        rule_for("icpc")


def test_a_local_rule_change_applies_from_its_effective_date(tmp_path, settings):
    path = tmp_path / "timescales.yaml"
    path.write_text(
        "rules:\n  rag_amber: {amount: 6, unit: working_hours, owner: MASH manager,\n"
        "    effective_from: 2026-12-01}\n"
    )
    settings.OPENMASH_TIMESCALES_FILE = str(path)
    assert rule_for("rag_amber").describe() == "6 working hours"
    assert rule_for("rag_amber", on=at(2026, 11, 30, 9).date()).describe() == "1 working days"
