"""Benchmark: the hub's triage queue with 10,000 open contacts and 100,000 children (target: p95
under 150 ms server time) and the daily escalation run over 100,000 open clocks (target: under
30 seconds).

    .venv/bin/python benchmarks/mash_queue_and_escalation.py
    .venv/bin/python benchmarks/mash_queue_and_escalation.py --children 100000 --contacts 10000 \\
        --clocks 100000 --repeat 30 --explain

A throwaway embedded PostgreSQL is started in a temporary folder and migrated. Untimed set-up,
with bulk_create (the synthetic generator is not used): --children children; a MASH team with
two managers and an officer; --contacts open contacts received over the last 10 working days
(one in five with no matched child yet, the rest with the hub's relationship to their child),
three closed contacts per ten children's worth of history, a social work team holding one child
in ten; triage rows computed by the hub's own due-time functions; and --clocks running clocks in
all: the decision and RAG clocks of every open contact (no child on the unmatched ones), the rest
statutory visit and assessment clocks of the social work team, about one in seven overdue
(--all-overdue: all of them, the worst case for escalation).

Timed:
1. GET /hub/ (and four other queue views: a later page, RAG sort, past-its-time filter,
   unmatched only) as a MASH manager through Django's test client: access, read log, the SQL
   page and counts, involvement, the Jinja2 page.
2. `timescales.services.clocks_escalate(now=...)` over all running clocks: --escalations runs,
   each after removing the escalation rows and notifications, then one more run the same day
   (which must notify nobody).
Prints each part's median and p95 as Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261121
BATCH = 10_000


def _setup(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DATABASE_URL"] = database_url
    os.environ["OPENMASH_DB_OWNER"] = "1"
    import django

    django.setup()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _load(args: argparse.Namespace, rng: random.Random):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.utils import timezone

    from openmash.access.models import Relationship, RelationshipBasis
    from openmash.accounts.models import AgencyKind, TeamKind
    from openmash.accounts.roles import Role
    from openmash.intake.models import Contact, ContactSource, ContactStatus, Urgency
    from openmash.mash.models import RagRating, Triage
    from openmash.mash.services import URGENCY_RAG, decision_due, rag_due
    from openmash.people.models import Child
    from openmash.timescales.calendar import ENGLAND
    from openmash.timescales.models import Clock
    from tests.factories import AgencyFactory, MembershipFactory, TeamFactory

    council = AgencyFactory(name="Benchshire Council", kind=AgencyKind.CHILDRENS_SERVICES)
    school = AgencyFactory(name="Benchshire Academy", kind=AgencyKind.SCHOOL)
    hub = TeamFactory(agency=council, name="MASH", kind=TeamKind.MASH)
    social_work = TeamFactory(agency=council, name="Assessment team", kind=TeamKind.SOCIAL_WORK)
    manager = MembershipFactory(agency=council, team=hub, role=Role.MASH_MANAGER)
    MembershipFactory(agency=council, team=hub, role=Role.MASH_MANAGER)
    MembershipFactory(agency=council, team=hub, role=Role.MASH_OFFICER)
    MembershipFactory(agency=council, team=social_work, role=Role.TEAM_MANAGER)
    now = timezone.now()

    child_ids: list[uuid.UUID] = []
    for start in range(0, args.children, BATCH):
        batch = [
            Child(
                forename="Bench",
                surname=f"Child{start + i:06d}",
                date_of_birth=datetime.date(2010 + (start + i) % 8, 1 + (start + i) % 12, 1),
                created_by_process="benchmark",
            )
            for i in range(min(BATCH, args.children - start))
        ]
        Child.objects.bulk_create(batch)
        child_ids.extend(child.pk for child in batch)

    # Receipt times: on the hour, over the last 10 working days (so due times are computed once per hour).
    days = [timezone.localdate(now)]
    while len(days) < 10:
        days.insert(0, ENGLAND.subtract_working_days(days[0], 1))
    hours = [
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        for day in days
        for hour in range(8, 19)
    ]
    hours = [hour for hour in hours if hour < now] or [now - datetime.timedelta(hours=1)]
    sources = [ContactSource.PROFESSIONAL, ContactSource.FEED, ContactSource.PUBLIC]
    urgencies = [Urgency.IMMEDIATE, Urgency.SAME_DAY, Urgency.ROUTINE, Urgency.ROUTINE]
    contacts: list[Contact] = []
    open_children = rng.sample(child_ids, args.contacts)
    for i in range(args.contacts):
        matched = rng.random() >= 0.2
        contacts.append(
            Contact(
                reference=f"B{i:07d}",
                source=rng.choice(sources),
                received_at=rng.choice(hours),
                child_id=open_children[i] if matched else None,
                urgency=rng.choice(urgencies),
                summary="Seen with older adults after school",
                source_agency=school,
                hub_team=hub,
            )
        )
    closed_count = args.children * 3 // 10
    for i in range(closed_count):
        received = now - datetime.timedelta(days=rng.randint(15, 700))
        contacts.append(
            Contact(
                reference=f"C{i:07d}",
                source=rng.choice(sources),
                received_at=received,
                child_id=rng.choice(child_ids),
                urgency=Urgency.ROUTINE,
                summary="Earlier contact",
                source_agency=school,
                hub_team=hub,
                status=ContactStatus.CLOSED,
                closed_at=received + datetime.timedelta(days=1),
                closed_reason="Threshold decision: Information and advice",
            )
        )
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    open_contacts = contacts[: args.contacts]

    relationships = [
        Relationship(
            child_id=contact.child_id,
            holder_team=hub,
            basis=RelationshipBasis.HUB_CONTACT,
            valid_from=contact.received_at,
            created_by_process="intake.contact",
            source_reference=contact.reference,
        )
        for contact in open_contacts
        if contact.child_id is not None
    ]
    relationships += [
        Relationship(
            child_id=child_id,
            holder_team=social_work,
            basis=RelationshipBasis.TEAM,
            valid_from=now - datetime.timedelta(days=200),
            created_by_process="benchmark",
        )
        for child_id in child_ids[::10]
    ]
    Relationship.objects.bulk_create(relationships, batch_size=BATCH)

    rag_cache: dict[tuple[str, datetime.datetime], tuple[datetime.datetime, str]] = {}
    decide_cache: dict[datetime.datetime, datetime.datetime] = {}
    triages, ratings, clocks = [], [], []
    for contact in open_contacts:
        rag = URGENCY_RAG[Urgency(contact.urgency)]
        key = (rag, contact.received_at)
        if key not in rag_cache:
            rag_cache[key] = rag_due(rag, contact.received_at)
        if contact.received_at not in decide_cache:
            decide_cache[contact.received_at] = decision_due(contact.received_at)
        rag_at, described = rag_cache[key]
        decide_at = decide_cache[contact.received_at]
        triages.append(
            Triage(
                contact=contact, rag=rag, rag_due_at=rag_at, decision_due_at=decide_at,
                next_due_at=min(rag_at, decide_at),
            )
        )  # fmt: skip
        ratings.append(
            RagRating(
                contact=contact, rag=rag, due_at=rag_at, rule_description=described, recorded_at=now,
                recorded_by_name="system:intake", reason="First rating from the urgency given",
            )
        )  # fmt: skip
        for code, due in (("mash_decision", decide_at), (f"rag_{rag}", rag_at)):
            clocks.append(
                Clock(
                    rule_code=code, child_id=contact.child_id, subject_type="intake.Contact",
                    subject_id=str(contact.pk), start_event="Contact received by the hub",
                    started_at=contact.received_at, due_at=due, calendar_version=ENGLAND.version,
                    rule_description=described, responsible_team=hub,
                )
            )  # fmt: skip
    Triage.objects.bulk_create(triages, batch_size=BATCH)
    RagRating.objects.bulk_create(ratings, batch_size=BATCH)
    while len(clocks) < args.clocks:
        days_from_now = rng.randint(-60, -1) if args.all_overdue else rng.randint(-20, 130)
        due = now + datetime.timedelta(days=days_from_now)
        clocks.append(
            Clock(
                rule_code=rng.choice(["cla_visit", "cp_visit", "assessment"]), child_id=rng.choice(child_ids),
                subject_type="casework.Plan", subject_id=str(uuid.uuid4()), start_event="bench",
                started_at=due - datetime.timedelta(days=42), due_at=due, calendar_version="bench",
                rule_description="6 weeks", responsible_team=social_work,
            )
        )  # fmt: skip
    Clock.objects.bulk_create(clocks, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    overdue = sum(1 for clock in clocks if clock.due_at < now)
    return manager, len(clocks), overdue, closed_count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--escalations", type=int, default=3)
    parser.add_argument(
        "--all-overdue", action="store_true", help="every casework clock overdue (worst case)"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the queue's page query"
    )
    parser.add_argument("--profile", action="store_true", help="print a profile of one GET /hub/")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from openmash import dbserver

    data_dir = Path(tempfile.mkdtemp(prefix="openmash-bench-mash-")) / "pg"
    _setup(dbserver.ensure_running(data_dir, throwaway=True))
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    call_command("migrate", verbosity=0, skip_checks=True)
    setup_test_environment()
    from openmash.mash.selectors import QueueFilters, _queue_queryset
    from openmash.notifications.models import Notification
    from openmash.timescales.models import Clock, ClockEscalation
    from openmash.timescales.services import clocks_escalate
    from tests.fixtures import sign_in_client

    rng = random.Random(SEED)
    started = time.perf_counter()
    manager, clock_count, overdue, closed = _load(args, rng)
    print(
        f"{args.children:,} children, {args.contacts:,} open and {closed:,} closed contacts, "
        f"{clock_count:,} running clocks ({overdue:,} overdue) "
        f"loaded in {time.perf_counter() - started:.1f} s"
    )

    if args.explain:
        for filters in (QueueFilters(), QueueFilters(sort="rag"), QueueFilters(state="overdue")):
            print(f"\nEXPLAIN ANALYZE, {filters}:")
            print(_queue_queryset(filters, timezone.now())[:50].explain(analyze=True))

    client = sign_in_client(manager)
    if args.profile:
        import cProfile
        import pstats

        client.get("/hub/")
        timings: list[tuple[float, str]] = []

        def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append((time.perf_counter() - started, sql[:150]))

        with connection.execute_wrapper(timed):
            client.get("/hub/")
        for took, sql in sorted(timings, reverse=True):
            print(f"{took * 1000:7.1f} ms  {sql}")
        profiler = cProfile.Profile()
        profiler.enable()
        client.get("/hub/")
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    last_page = (args.contacts + 49) // 50
    urls = {
        "/hub/ (time left, page 1)": "/hub/",
        f"/hub/?page={last_page // 2} (a middle page)": f"/hub/?page={last_page // 2}",
        "/hub/?sort=rag": "/hub/?sort=rag",
        "/hub/?state=overdue&sort=oldest": "/hub/?state=overdue&sort=oldest",
        "/hub/?unmatched=1": "/hub/?unmatched=1",
    }
    page_times: dict[str, list[float]] = {}
    for label, url in urls.items():
        times = []
        for _ in range(args.repeat + 2):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200 and b"govuk-pagination" in response.content, url
        page_times[label] = times[2:]  # the first two warm template and query caches

    now = timezone.now()
    if args.profile:
        timings = []
        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            clocks_escalate(now=now)
            print(f"escalation, profiled: {time.perf_counter() - started:.1f} s")
        for took, sql in sorted(timings, reverse=True)[:10]:
            print(f"{took * 1000:9.1f} ms  {sql}")
    escalate_times, escalated = [], 0
    for _ in range(args.escalations):
        ClockEscalation.objects.all().delete()
        Notification.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE timescales_clock, timescales_clockescalation")
        started = time.perf_counter()
        escalated = clocks_escalate(now=now)
        escalate_times.append(time.perf_counter() - started)
    notified = Notification.objects.filter(kind="overdue").count()
    started = time.perf_counter()
    again = clocks_escalate(now=now + datetime.timedelta(hours=1))
    again_time = time.perf_counter() - started
    assert again == 0 and Notification.objects.filter(kind="overdue").count() == notified
    expected = Clock.objects.filter(
        completed_at__isnull=True, cancelled_at__isnull=True, due_at__lt=now
    ).count()
    assert escalated == expected, (escalated, expected)

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    print()
    print(
        f"Machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"{datetime.date.today()}; "
        f"load average {os.getloadavg()[0]:.2f}, {os.getloadavg()[1]:.2f}, {os.getloadavg()[2]:.2f}"
    )
    print(
        f"Command: .venv/bin/python benchmarks/mash_queue_and_escalation.py --children {args.children} "
        f"--contacts {args.contacts} --clocks {args.clocks} --repeat {args.repeat} "
        f"--escalations {args.escalations}" + (" --all-overdue" if args.all_overdue else "")
    )
    print()
    print("| what | size | runs | median (ms) | p95 (ms) | target |")
    print("|---|---|---|---|---|---|")
    for label, times in page_times.items():
        print(
            f"| triage queue GET {label}, signed in as a MASH manager | {args.contacts:,} open contacts, "
            f"{args.children:,} children | {len(times)} | {statistics.median(times) * 1000:.0f} | "
            f"{_p95(times) * 1000:.0f} | p95 < 150 ms |"
        )
    print(
        f"| escalation run (`clocks_escalate`) | {clock_count:,} running clocks, {escalated:,} overdue, "
        f"{notified:,} notifications | {len(escalate_times)} | "
        f"{statistics.median(escalate_times) * 1000:.0f} | "
        f"{max(escalate_times) * 1000:.0f} (max) | < 30,000 ms |"
    )
    print(
        f"| escalation run again the same day | nothing to notify | 1 | {again_time * 1000:.0f} | "
        f"{again_time * 1000:.0f} | notifies nobody twice |"
    )


if __name__ == "__main__":
    main()
