"""Feed events that are warning signs (practice reference §3.2-3.3), raised through an outbox.

Derivation is a function of the records held, not of the order they arrived in: the
"k-th event within a window" rules are recomputed over all of a child's events each
time one arrives, and each sign is keyed on the record that raised it. So a file
imported twice, in a different order, or killed half-way and re-run, ends with the
same signs. ``SignOutbox`` keeps them until ``openmash.exploitation.services.signs_raise``
has taken each one (it is idempotent too).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from openmash.intake.feeds import catalogue
from openmash.intake.models import FeedRecord, SignOutbox

_logger = logging.getLogger(__name__)

SOURCE_TYPE = "intake.FeedRecord"
PROCESS = "intake.feeds"


@dataclass(frozen=True)
class StoredRecord:
    """What sign derivation needs to know about a stored feed record."""

    id: uuid.UUID
    agency_id: uuid.UUID
    feed: str
    source_id: str
    version: int
    event_type: str
    event_date: date
    child_id: uuid.UUID | None
    payload: dict[str, Any]

    @classmethod
    def of(cls, record: FeedRecord, child_id: uuid.UUID | None) -> StoredRecord:
        return cls(
            id=record.pk,
            agency_id=record.agency_id,
            feed=record.feed,
            source_id=record.source_id,
            version=record.version,
            event_type=record.event_type,
            event_date=record.event_date,
            child_id=child_id,
            payload=record.payload,
        )


def record_key(agency_id: uuid.UUID, feed: str, source_id: str) -> str:
    return f"{agency_id}:{feed}:{source_id}"


@dataclass(frozen=True)
class Sign:
    child_id: uuid.UUID
    indicator_code: str
    observed_on: date
    record: StoredRecord
    summary: str
    # What makes two signs the same sign: by default the record (whatever its version).
    key: str = ""

    @property
    def outbox_key(self) -> str:
        return self.key or record_key(self.record.agency_id, self.record.feed, self.record.source_id)


def _academic_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def _number(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"y", "yes", "true", "1"}


def _row_signs(record: StoredRecord) -> list[Sign]:
    """Signs one record carries by itself."""
    assert record.child_id is not None
    payload = record.payload
    if record.feed == "health_ae" and _truthy(payload.get("injury")):
        reason = str(payload.get("attendance_reason") or "").strip()
        return [
            Sign(
                record.child_id,
                "ae_injury",
                record.event_date,
                record,
                f"A&E attendance with an injury: {reason}"[:300],
            )
        ]
    if record.feed == "education_attendance":
        possible, attended = (
            _number(payload.get("sessions_possible")),
            _number(payload.get("sessions_attended")),
        )
        if possible and attended is not None and possible >= catalogue.PERSISTENT_ABSENCE_MIN_SESSIONS:
            rate = attended / possible
            if rate < catalogue.PERSISTENT_ABSENCE_BELOW:
                year = _academic_year(record.event_date)
                return [
                    Sign(
                        record.child_id,
                        "absence_persistent",
                        record.event_date,
                        record,
                        f"Attended {rate:.0%} of {possible} sessions "
                        f"({payload.get('period_start')} to {payload.get('period_end')})",
                        # Persistent absence is a state over the school year, not an event per return.
                        key=f"absence:{record.child_id}:{year}/{year + 1}",
                    )
                ]
    if record.feed == "education_cme":
        reason = str(payload.get("reason") or "").strip().replace("_", " ")
        return [
            Sign(
                record.child_id,
                "missing_education",
                record.event_date,
                record,
                f"Reported missing education: {reason}",
            )
        ]
    return []


_NO_CHILD = uuid.UUID(int=0)
ROW_SIGN_FEEDS = frozenset({"health_ae", "education_attendance", "education_cme"})


def carries_row_sign(feed: str, payload: dict[str, Any], event_date: date) -> bool:
    """Whether a record of this feed with this payload raises a sign by itself once it has a child
    (the same rules as the import applies; used to keep only those payloads when preparing rows)."""
    if feed not in ROW_SIGN_FEEDS:
        return False
    probe = StoredRecord(
        id=_NO_CHILD, agency_id=_NO_CHILD, feed=feed, source_id="", version=1, event_type="",
        event_date=event_date, child_id=_NO_CHILD, payload=payload,
    )  # fmt: skip
    return bool(_row_signs(probe))


@dataclass(frozen=True)
class WindowRule:
    feed: str
    indicator: str
    count: int
    days: int
    event_types: tuple[str, ...] | None
    group_key: Callable[[StoredRecord], str]
    describe: Callable[[int], str]


WINDOW_RULES = (
    WindowRule(
        feed="police_missing",
        indicator="missing_repeated",
        count=catalogue.MISSING_EPISODES,
        days=catalogue.MISSING_WINDOW_DAYS,
        event_types=("missing",),
        # Episodes, not rows: a report sent twice or corrected is still one episode.
        group_key=lambda r: f"{r.agency_id}:{str(r.payload.get('episode_id') or r.source_id).strip()}",
        describe=lambda n: f"Missing episode {n} within {catalogue.MISSING_WINDOW_DAYS} days",
    ),
    WindowRule(
        feed="health_sexual_health",
        indicator="sexual_health_repeat",
        count=catalogue.SEXUAL_HEALTH_PRESENTATIONS,
        days=catalogue.SEXUAL_HEALTH_WINDOW_DAYS,
        event_types=None,
        group_key=lambda r: record_key(r.agency_id, r.feed, r.source_id),
        describe=lambda n: (
            f"Sexual health presentation {n} within {catalogue.SEXUAL_HEALTH_WINDOW_DAYS} days"
        ),
    ),
)


def _records_for_children(rule: WindowRule, child_ids: set[uuid.UUID]) -> list[StoredRecord]:
    rows = FeedRecord.objects.filter(feed=rule.feed, identity__child_id__in=child_ids)
    if rule.event_types:
        rows = rows.filter(event_type__in=rule.event_types)
    rows = rows.annotate(child_ref=F("identity__child_id"))
    return [StoredRecord.of(row, row.child_ref) for row in rows]


def _window_signs(rule: WindowRule, child_ids: set[uuid.UUID]) -> list[Sign]:
    """Every event that is the rule's k-th (or later) within the window, over all of each child's events."""
    by_child: dict[uuid.UUID, dict[str, StoredRecord]] = defaultdict(dict)
    for record in _records_for_children(rule, child_ids):
        assert record.child_id is not None
        group = rule.group_key(record)
        held = by_child[record.child_id].get(group)
        # One event per group: its earliest date, and its first version as the source.
        if held is None or (record.event_date, record.version) < (held.event_date, held.version):
            by_child[record.child_id][group] = record
    signs: list[Sign] = []
    window = timedelta(days=rule.days)
    for child_id, events in by_child.items():
        ordered = sorted(events.items(), key=lambda item: (item[1].event_date, item[0]))
        for index, (_, record) in enumerate(ordered):
            within = sum(
                1 for _, earlier in ordered[: index + 1] if earlier.event_date >= record.event_date - window
            )
            if within >= rule.count:
                signs.append(Sign(child_id, rule.indicator, record.event_date, record, rule.describe(within)))
    return signs


def signs_derive(records: Iterable[StoredRecord]) -> list[Sign]:
    """The warning signs these newly stored (and matched) records raise, with any their arrival completes."""
    signs: list[Sign] = []
    window_children: dict[str, set[uuid.UUID]] = defaultdict(set)
    for record in records:
        if record.child_id is None:
            continue
        signs.extend(_row_signs(record))
        window_children[record.feed].add(record.child_id)
    for rule in WINDOW_RULES:
        if window_children.get(rule.feed):
            signs.extend(_window_signs(rule, window_children[rule.feed]))
    return signs


def signs_store(signs: Iterable[Sign]) -> int:
    """Put derived signs in the outbox; a sign already there (same record and indicator) is skipped.

    Returns how many signs were derived (kept or already held). One statement with one array
    per column (``unnest``), so a chunk's thousands of signs cost one short query; a sign
    repeated within the chunk is sent once (the first, as ``ON CONFLICT DO NOTHING`` keeps).
    """
    now = timezone.now()
    derived = 0
    first: dict[tuple[str, str], Sign] = {}
    for sign in signs:
        derived += 1
        first.setdefault((sign.outbox_key, sign.indicator_code), sign)
    if not first:
        return 0
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [], [], [], [], [])
    for (key, code), sign in first.items():
        for column, value in zip(
            columns,
            (sign.child_id, code, sign.observed_on, sign.record.agency_id, key, SOURCE_TYPE,
             str(sign.record.id), sign.record.id, sign.summary[:300], now),
            strict=True,
        ):  # fmt: skip
            column.append(value)
    table = connection.ops.quote_name(SignOutbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (child_id, indicator_code, observed_on, source_agency_id, record_key, "  # noqa: S608
            "source_type, source_id, record_id, summary, created_at, error) "
            "SELECT *, '' FROM unnest(%s::uuid[], %s::text[], %s::date[], %s::uuid[], %s::text[], "
            "%s::text[], %s::text[], %s::uuid[], %s::text[], %s::timestamptz[]) "
            "ON CONFLICT (record_key, indicator_code) DO NOTHING",
            list(columns),
        )
    return derived


def signs_raise_function() -> Callable[..., Any] | None:
    """The exploitation app's bulk ``signs_raise``, or None where that app does not provide it."""
    try:
        from openmash.exploitation.services import signs_raise
    except ImportError:
        return None
    return signs_raise


def signs_pending_count() -> int:
    return SignOutbox.objects.filter(raised_at__isnull=True, error="").count()


def signs_push_pending(*, limit: int = 10_000) -> int:
    """Hand pending signs to the exploitation app, a few hundred per transaction. Returns how many.

    A sign the exploitation app refuses (an indicator it does not know) is kept with the
    reason, not retried for ever, and never stops an import. Each batch goes to the app's
    bulk ``signs_raise`` (the rules of ``sign_raise``, with one check of the loaded tools and
    one insert for the batch).
    """
    raise_many = signs_raise_function()
    if raise_many is None:
        return 0
    pushed = 0
    while pushed < limit:
        with transaction.atomic():
            pending = list(
                SignOutbox.objects.filter(raised_at__isnull=True, error="")
                .order_by("id")
                .select_for_update(skip_locked=True)[: min(500, limit - pushed)]
            )
            if not pending:
                break
            refused = _raise_many(raise_many, pending)
            for pk, reason in refused.items():
                _logger.warning("Sign %s refused: %s", pk, reason)
                SignOutbox.objects.filter(pk=pk).update(error=reason[:300] or "refused")
            SignOutbox.objects.filter(pk__in=[row.pk for row in pending if row.pk not in refused]).update(
                raised_at=timezone.now()
            )
            pushed += len(pending)
    return pushed


def _raise_many(raise_many: Callable[..., Any], pending: list[SignOutbox]) -> dict[int, str]:
    from openmash.exploitation.services import SignToRaise

    outcomes = raise_many(
        signs=[
            SignToRaise(
                child_id=row.child_id, indicator_code=row.indicator_code, observed_on=row.observed_on,
                source_agency_id=row.source_agency_id, source_type=row.source_type, source_id=row.source_id,
                summary=row.summary,
            )
            for row in pending
        ],
        raised_by_process=PROCESS,
    )  # fmt: skip
    return {
        row.pk: str(outcome)
        for row, outcome in zip(pending, outcomes, strict=True)
        if isinstance(outcome, ValidationError)
    }
