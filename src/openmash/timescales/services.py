"""Starting, meeting, cancelling and escalating clocks. Every app's deadlines go through here."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from openmash.accounts.models import Membership, Team, TeamKind, User
from openmash.accounts.roles import Role
from openmash.people.models import Child
from openmash.timescales.calendar import ENGLAND
from openmash.timescales.models import Clock, ClockEscalation
from openmash.timescales.rules import due_at, end_of_day, rule_for


@transaction.atomic
def clock_start(
    *,
    rule_code: str,
    child: Child | None,
    subject_type: str,
    subject_id: str,
    start_event: str,
    started_at: datetime,
    responsible_team: Team | None = None,
    responsible_user: User | None = None,
    due_on: date | None = None,
    due_basis: str = "",
) -> Clock:
    """Start a clock, or return the one already running for this subject and rule (idempotent).

    ``child`` is None while the subject has no matched child yet (a contact about an unknown
    child); ``clocks_child_set`` fills it in when the child is matched.

    Most clocks compute their due time from the rule. A few have a due date set by something
    else (an exploitation tool's review interval for the band): pass `due_on` and say what set
    it in `due_basis`; the clock then runs to the end of that day.
    """
    running = Clock.objects.filter(
        rule_code=rule_code,
        subject_type=subject_type,
        subject_id=subject_id,
        completed_at__isnull=True,
        cancelled_at__isnull=True,
    ).first()
    if running is not None:
        return running
    rule = rule_for(rule_code, on=timezone.localdate(started_at))
    if due_on is not None and not due_basis:
        raise ValueError("a due date set from outside the rule needs a due_basis")
    clock = Clock(
        rule_code=rule_code,
        child=child,
        subject_type=subject_type,
        subject_id=subject_id,
        start_event=start_event,
        started_at=started_at,
        due_at=end_of_day(due_on) if due_on is not None else due_at(rule, started_at, ENGLAND),
        calendar_version=ENGLAND.version,
        rule_description=due_basis[:60] if due_on is not None else rule.describe(),
        responsible_team=responsible_team,
        responsible_user=responsible_user,
    )
    clock.full_clean()
    clock.save()
    return clock


class ClockStart(NamedTuple):
    """One clock for ``clocks_start_bulk``: its rule, when it started, its subject and who answers for it."""

    rule_code: str
    started_at: datetime
    subject_id: str
    child_id: uuid.UUID | None = None
    responsible_team_id: uuid.UUID | None = None


# One INSERT for many clocks. The partial unique index (one running clock per subject and
# rule) skips subjects already running the rule, as ``clock_start`` returns the running one.
# Written by SQL, the rows still fire the history triggers, as ``bulk_create``'s did.
_START_SQL = """
INSERT INTO timescales_clock
       (id, created_at, updated_at, rule_code, child_id, subject_type, subject_id, start_event,
        started_at, due_at, calendar_version, rule_description, responsible_team_id,
        responsible_user_id, completed_at, cancelled_at, cancel_reason, exception_reason)
SELECT row.id, %(now)s, %(now)s, row.rule_code, row.child_id, %(subject_type)s, row.subject_id,
       %(start_event)s, row.started_at, row.due_at, %(calendar_version)s, row.rule_description,
       row.team_id, NULL, NULL, NULL, '', ''
  FROM unnest(%(ids)s::uuid[], %(rules)s::text[], %(children)s::uuid[], %(subjects)s::text[],
              %(started)s::timestamptz[], %(due)s::timestamptz[], %(descriptions)s::text[],
              %(teams)s::uuid[])
       AS row(id, rule_code, child_id, subject_id, started_at, due_at, rule_description, team_id)
    ON CONFLICT (rule_code, subject_type, subject_id) WHERE completed_at IS NULL AND cancelled_at IS NULL
    DO NOTHING
RETURNING id
"""


def _clocks_insert(
    *, subject_type: str, start_event: str, starts: list[ClockStart], ids: list[uuid.UUID]
) -> tuple[set[uuid.UUID], dict[tuple[str, datetime], tuple[datetime, str]]]:
    """Insert the clocks not already running: the ids inserted, and each (rule, start)'s due time."""
    due: dict[tuple[str, datetime], tuple[datetime, str]] = {}
    for start in starts:
        key = (start.rule_code, start.started_at)
        if key not in due:
            # The working-day arithmetic once per rule and start time, not once per clock.
            rule = rule_for(start.rule_code, on=timezone.localdate(start.started_at))
            due[key] = (due_at(rule, start.started_at, ENGLAND), rule.describe())
    dues = [due[(start.rule_code, start.started_at)] for start in starts]
    with connection.cursor() as cursor:
        cursor.execute(
            _START_SQL,
            {
                "now": timezone.now(),
                "subject_type": subject_type,
                "start_event": start_event,
                "calendar_version": ENGLAND.version,
                "ids": ids,
                "rules": [start.rule_code for start in starts],
                "children": [start.child_id for start in starts],
                "subjects": [start.subject_id for start in starts],
                "started": [start.started_at for start in starts],
                "due": [due_time for due_time, _ in dues],
                "descriptions": [described for _, described in dues],
                "teams": [start.responsible_team_id for start in starts],
            },
        )
        inserted = {row[0] for row in cursor.fetchall()}
    return inserted, due


@transaction.atomic
def clocks_start_bulk(*, subject_type: str, start_event: str, starts: list[ClockStart]) -> int:
    """Start many clocks of one kind of subject in one INSERT: any rules, start times and teams.

    The set-based form of ``clock_start`` for a hook opening a feed chunk's contacts: each
    clock's due time is the rule's from its start time (computed once per distinct rule and
    start), and a subject already running a rule is skipped (as is a repeat in ``starts``).
    No model instances: returns how many clocks were started.
    """
    starts = list(dict.fromkeys(starts))
    if not starts:
        return 0
    inserted, _ = _clocks_insert(
        subject_type=subject_type, start_event=start_event, starts=starts, ids=[uuid.uuid4() for _ in starts]
    )
    return len(inserted)


@transaction.atomic
def clocks_start_many(
    *,
    rule_code: str,
    started_at: datetime,
    start_event: str,
    subject_type: str,
    items: list[tuple[uuid.UUID | None, str]],
    responsible_team: Team | None = None,
) -> list[Clock]:
    """The bulk form of ``clock_start`` for many subjects starting together, returning the clocks started.

    ``items`` are (child_id, subject_id) pairs; child_id is None for a subject whose child is
    not matched yet. Subjects already running this rule are skipped. (``clocks_start_bulk``
    does the same for any mix of rules and start times without building the clocks.)
    """
    pairs = list(dict.fromkeys(items))
    if not pairs:
        return []
    team_id = responsible_team.pk if responsible_team is not None else None
    starts = [
        ClockStart(rule_code, started_at, subject_id, child_id, team_id) for child_id, subject_id in pairs
    ]
    ids = [uuid.uuid4() for _ in starts]
    inserted, due = _clocks_insert(subject_type=subject_type, start_event=start_event, starts=starts, ids=ids)
    due_time, described = due[(rule_code, started_at)]
    clocks: list[Clock] = []
    for clock_id, (child_id, subject_id) in zip(ids, pairs, strict=True):
        if clock_id not in inserted:
            continue
        clock = Clock(
            id=clock_id,
            rule_code=rule_code,
            child_id=child_id,
            subject_type=subject_type,
            subject_id=subject_id,
            start_event=start_event,
            started_at=started_at,
            due_at=due_time,
            calendar_version=ENGLAND.version,
            rule_description=described,
            responsible_team=responsible_team,
        )
        clock._state.adding = False
        clock._state.db = connection.alias
        clocks.append(clock)
    return clocks


@transaction.atomic
def clock_complete(*, clock: Clock, completed_at: datetime, exception_reason: str = "") -> Clock:
    """Record that the deadline's work was done. Late without a reason is refused."""
    if not clock.is_running:
        raise ValidationError("This clock has already stopped.")
    if completed_at < clock.started_at:
        raise ValidationError({"completed_at": "The work cannot be done before the clock started."})
    exception_reason = exception_reason.strip()
    if completed_at > clock.due_at and not exception_reason:
        raise ValidationError({"exception_reason": "Say why the deadline was missed."})
    clock.completed_at = completed_at
    clock.exception_reason = exception_reason
    clock.save(update_fields=["completed_at", "exception_reason", "updated_at"])
    return clock


@transaction.atomic
def clock_cancel(*, clock: Clock, reason: str) -> Clock:
    if not clock.is_running:
        raise ValidationError("This clock has already stopped.")
    if not reason.strip():
        raise ValidationError({"cancel_reason": "Say why the clock no longer applies."})
    clock.cancelled_at = timezone.now()
    clock.cancel_reason = reason.strip()[:300]
    clock.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
    return clock


@transaction.atomic
def clocks_child_set(*, subject_type: str, subject_ids: list[str], child_id: uuid.UUID) -> int:
    """A subject's child is now known (matching linked it): its clocks, running or stopped, follow.

    Only clocks with no child are changed; one UPDATE for all the subjects. Returns how many.
    """
    if not subject_ids:
        return 0
    return Clock.objects.filter(
        subject_type=subject_type, subject_id__in=subject_ids, child__isnull=True
    ).update(child_id=child_id, updated_at=timezone.now())


def clocks_child_clear(*, subject_type: str, subject_ids: list[str], child_id: uuid.UUID) -> int:
    """The subject's child was identified wrongly: its clocks that carry that child go back to
    having none (until `clocks_child_set` gives them the right one). Returns how many."""
    if not subject_ids:
        return 0
    return Clock.objects.filter(
        subject_type=subject_type, subject_id__in=subject_ids, child_id=child_id
    ).update(child=None, updated_at=timezone.now())


def _managers_by_team(team_ids: set[uuid.UUID], now: datetime) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The managers of each team, in one query: the hub's MASH managers, other teams' team managers."""
    managers: dict[uuid.UUID, list[uuid.UUID]] = {team_id: [] for team_id in team_ids}
    if not team_ids:
        return managers
    rows = (
        Membership.objects.filter(team_id__in=team_ids, started_at__lte=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .filter(
            Q(team__kind=TeamKind.MASH, role=Role.MASH_MANAGER)
            | (~Q(team__kind=TeamKind.MASH) & Q(role=Role.TEAM_MANAGER))
        )
        .values_list("team_id", "user_id")
        .order_by("team_id", "user_id")
    )
    for team_id, user_id in rows:
        if team_id is not None:
            managers[team_id].append(user_id)
    return managers


# Notifications are written straight into the table in chunks: one INSERT per chunk, and the
# (recipient, kind, source_reference) constraint drops any a run has already sent.
_NOTIFY_SQL = """
INSERT INTO notifications_notification
       (id, created_at, updated_at, recipient_id, kind, title, body, link, source_reference, read_at)
SELECT gen_random_uuid(), %(now)s, %(now)s, row.recipient_id, 'overdue', row.title, '', %(link)s,
       row.source_reference, NULL
  FROM unnest(%(recipients)s::uuid[], %(titles)s::text[], %(refs)s::text[])
       AS row(recipient_id, title, source_reference)
    ON CONFLICT (recipient_id, kind, source_reference) WHERE source_reference <> '' DO NOTHING
"""
_ESCALATE_CHUNK = 20_000


def _overdue_title(rule_code: str, days: int) -> str:
    label = rule_for(rule_code).label
    # No name in the title: it may reach an e-mail digest; the link goes through access.
    return (f"Overdue: {label} ({days} working days late)" if days else f"Overdue today: {label}")[:200]


_ESCALATIONS_SQL = """
INSERT INTO timescales_clockescalation (clock_id, escalated_at, escalated_on, notified)
SELECT row.clock_id, %(now)s, %(today)s, row.notified
  FROM unnest(%(clocks)s::uuid[], %(notified)s::integer[]) AS row(clock_id, notified)
    ON CONFLICT (clock_id, escalated_on) DO NOTHING
"""


@transaction.atomic
def clocks_escalate(*, now: datetime | None = None, repeat_after: timedelta = timedelta(hours=20)) -> int:
    """Notify the responsible manager of every overdue clock (again if still overdue a day later).

    Run daily by `openmash timescales escalate`. Returns how many clocks were escalated.
    Set-based: one locking SELECT of the overdue clocks not escalated within ``repeat_after``,
    one query for the teams' managers, the working-day arithmetic once per distinct due date,
    then chunked INSERTs of the notifications and of the ``ClockEscalation`` rows. A second run
    the same day finds nothing to do, and the constraints (one escalation per clock per day, one
    notification per person, clock and day) hold even for two runs at once.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    recent = ClockEscalation.objects.filter(clock_id=OuterRef("pk"), escalated_at__gt=now - repeat_after)
    overdue = list(
        # Lock only the clock rows: two escalation runs at once never notify twice.
        Clock.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(completed_at__isnull=True, cancelled_at__isnull=True, due_at__lt=now)
        .exclude(Exists(recent))
        .values_list("pk", "rule_code", "due_at", "responsible_team_id", "responsible_user_id")
    )
    if not overdue:
        return 0
    managers = _managers_by_team({team for *_, team, _ in overdue if team is not None}, now)
    days_late: dict[date, int] = {}
    titles: dict[tuple[str, int], str] = {}
    recipients: list[uuid.UUID] = []
    title_rows: list[str] = []
    refs: list[str] = []
    notified: list[int] = []
    for clock_id, rule_code, due, team_id, user_id in overdue:
        due_day = timezone.localdate(due)
        if due_day not in days_late:
            days_late[due_day] = ENGLAND.working_days_overdue(due_day, today)
        key = (rule_code, days_late[due_day])
        if key not in titles:
            titles[key] = _overdue_title(rule_code, days_late[due_day])
        people = list(managers.get(team_id, [])) if team_id is not None else []
        if user_id is not None:
            people.append(user_id)
        people = list(dict.fromkeys(people))
        reference = f"clock:{clock_id}:{today.isoformat()}"
        for person in people:
            recipients.append(person)
            title_rows.append(titles[key])
            refs.append(reference)
        notified.append(len(people))
    link = reverse("timescales:due")
    clock_ids = [row[0] for row in overdue]
    with connection.cursor() as cursor:
        for start in range(0, len(recipients), _ESCALATE_CHUNK):
            end = start + _ESCALATE_CHUNK
            cursor.execute(
                _NOTIFY_SQL,
                {
                    "now": now,
                    "link": link,
                    "recipients": recipients[start:end],
                    "titles": title_rows[start:end],
                    "refs": refs[start:end],
                },
            )
        for start in range(0, len(clock_ids), _ESCALATE_CHUNK):
            end = start + _ESCALATE_CHUNK
            cursor.execute(
                _ESCALATIONS_SQL,
                {"now": now, "today": today, "clocks": clock_ids[start:end], "notified": notified[start:end]},
            )
    return len(overdue)
