"""Benchmark: a child's chronology with 5,000 events (target: p95 under 300 ms) and the
overdue-visits query over 100,000 children (target: under 1 second).

    .venv/bin/python benchmarks/casework_chronology_and_visits.py
    .venv/bin/python benchmarks/casework_chronology_and_visits.py --events 5000 --children 100000 --repeat 30

A throwaway embedded PostgreSQL is started in a temporary folder and migrated. Untimed set-up:
one child with --events casework events (visits, meetings with invitees, missing episodes with
returns, plans) plus the base entries, allocated to a social worker; and --children children
each with one running statutory visit clock (about one in eight overdue).

Timed:
1. GET /children/<id>/chronology as the allocated social worker through Django's test client:
   the access check and read log, every chronology provider's counts and newest entries
   (paged in SQL, ADR 0052), and the Jinja2 page of the newest 100. Also timed, for the record:
   the middle and last pages, one kind in a six-month date range, and the printable view of the whole
   chronology (every entry on one page, logged as a print).
2. `casework.selectors.visits_overdue_query(now=...)`: every overdue statutory visit clock.
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


def _load_child(events: int, rng: random.Random):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from openmash.access.models import RelationshipBasis
    from openmash.accounts.roles import Role
    from openmash.casework.models import Meeting, MeetingInvitee, MissingEpisode, Plan, PlanState, Visit
    from tests.factories import AgencyFactory, ChildFactory, MembershipFactory, RelationshipFactory

    worker = MembershipFactory(role=Role.SOCIAL_WORKER)
    child = ChildFactory()
    RelationshipFactory(child=child, holder_user=worker.user, basis=RelationshipBasis.ALLOCATED_WORKER)
    partners = [AgencyFactory() for _ in range(6)]
    now = timezone.now()
    agency, user = worker.agency, worker.user

    def when() -> datetime.datetime:
        return now - datetime.timedelta(minutes=rng.randint(60, 60 * 24 * 365 * 6))

    visits = int(events * 0.5)
    meetings = int(events * 0.2)
    missing = int(events * 0.1)  # each gives two entries (left, returned)
    plans = max(1, (events - visits - meetings - 2 * missing) // 2)  # start and end: two entries each
    Visit.objects.bulk_create(
        [
            Visit(
                child=child,
                visited_at=when(),
                visitor=user,
                agency=agency,
                child_seen=True,
                seen_alone=rng.random() < 0.8,
                not_seen_alone_reason="",
                location=f"Home {i}",
                child_words="I am ok",
                observations="Calm",
            )
            for i in range(visits)
        ],
        batch_size=2000,
    )
    rows = Meeting.objects.bulk_create(
        [
            Meeting(
                child=child,
                kind=rng.choice(["strategy", "core_group", "exploitation"]),
                held_at=when(),
                agency=agency,
                recorded_by=user,
                decisions="Agreed actions",
            )
            for _ in range(meetings)
        ],
        batch_size=2000,
    )
    MeetingInvitee.objects.bulk_create(
        [
            MeetingInvitee(meeting=m, agency=rng.choice(partners), attended=True)
            for m in rows
            for _ in range(2)
        ],
        batch_size=5000,
    )
    episodes = []
    for _ in range(missing):
        start = when()
        episodes.append(
            MissingEpisode(
                child=child,
                kind="M",
                started_at=start,
                ended_at=start + datetime.timedelta(hours=6),
                agency=agency,
                recorded_by=user,
                where_found="Town centre",
            )
        )
    MissingEpisode.objects.bulk_create(episodes, batch_size=2000)
    plan_rows = Plan.objects.bulk_create(
        [
            Plan(child=child, kind="cin", started_on=when().date(), agency=agency, recorded_by=user)
            for _ in range(plans)
        ]
    )
    PlanState.objects.bulk_create(
        [
            PlanState(plan=p, state=s, effective_at=when(), recorded_by=user, reason="Review")
            for p in plan_rows
            for s in ("active", "ended")
        ]
    )
    return worker, child


def _load_clocks(children: int, rng: random.Random) -> int:
    from django.db import connection
    from django.utils import timezone

    from openmash.people.models import Child
    from openmash.timescales.models import Clock

    now = timezone.now()
    overdue = 0
    for start in range(0, children, 10_000):
        batch = [
            Child(
                forename="Bench",
                surname=f"Child{start + i:06d}",
                date_of_birth=datetime.date(2012, 1, 1),
                created_by_process="benchmark",
            )
            for i in range(min(10_000, children - start))
        ]
        Child.objects.bulk_create(batch)
        clocks = []
        for child in batch:
            due = now + datetime.timedelta(days=rng.randint(-20, 130))
            overdue += due < now
            clocks.append(
                Clock(
                    rule_code=rng.choice(["cla_visit", "cp_visit", "cla_visit_first"]),
                    child=child,
                    subject_type="casework.Plan",
                    subject_id=str(uuid.uuid4()),
                    start_event="bench",
                    started_at=due - datetime.timedelta(days=42),
                    due_at=due,
                    calendar_version="bench",
                    rule_description="6 weeks",
                )
            )
            # Other clocks too, as a real borough has (completed and other rules).
            clocks.append(
                Clock(
                    rule_code="assessment",
                    child=child,
                    subject_type="mash.ThresholdDecision",
                    subject_id=str(uuid.uuid4()),
                    start_event="bench",
                    started_at=now,
                    due_at=now - datetime.timedelta(days=rng.randint(-40, 40)),
                    calendar_version="bench",
                    rule_description="45 working days",
                    completed_at=now if rng.random() < 0.7 else None,
                )
            )
        Clock.objects.bulk_create(clocks, batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE timescales_clock")
    return overdue


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from openmash import dbserver

    data_dir = Path(tempfile.mkdtemp(prefix="openmash-bench-casework-")) / "pg"
    _setup(dbserver.ensure_running(data_dir, throwaway=True))
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    call_command("migrate", verbosity=0, skip_checks=True)
    setup_test_environment()
    from openmash.access.selectors import child_get_for_user
    from openmash.casework.selectors import visits_overdue_query
    from openmash.casework.tests.conftest import actor_for
    from openmash.people.selectors import child_chronology
    from tests.fixtures import sign_in_client

    rng = random.Random(SEED)
    started = time.perf_counter()
    worker, child = _load_child(args.events, rng)
    entries = child_chronology(
        access=child_get_for_user(actor=actor_for(worker), child_id=child.pk, purpose="bench"),
        actor=actor_for(worker),
    )
    print(
        f"one child with {len(entries):,} chronology entries loaded in {time.perf_counter() - started:.1f} s"
    )
    client = sign_in_client(worker)
    url = f"/children/{child.pk}/chronology"

    def timed(query: str, repeat: int, marker: bytes) -> list[float]:
        times = []
        for _ in range(repeat + 2):
            started = time.perf_counter()
            response = client.get(url + query)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200 and marker in response.content
        return times[2:]  # the first two warm template and query caches

    page_times = timed("", args.repeat, b"Showing 1 to 100 of")
    last = -(-len(entries) // 100)
    last_times = timed(f"?page={last}", args.repeat, f"page {last} of {last}".encode())
    middle = (last + 1) // 2  # the dearest page: pages past it are read from the oldest end
    middle_times = timed(f"?page={middle}", args.repeat, f"page {middle} of {last}".encode())
    today = timezone.localdate()
    window = f"?kind=visit&date_from={today - datetime.timedelta(days=182)}&date_to={today}"
    filtered_times = timed(window, args.repeat, b"matching the filters")
    print_times = timed("/print?print=1&purpose=conference", max(3, args.repeat // 5), b"OFFICIAL-SENSITIVE")

    started = time.perf_counter()
    overdue = _load_clocks(args.children, rng)
    print(
        f"{args.children:,} children with visit clocks ({overdue:,} overdue) loaded in "
        f"{time.perf_counter() - started:.1f} s"
    )
    query_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        rows = visits_overdue_query(now=timezone.now())
        query_times.append(time.perf_counter() - started)
    assert len(rows) >= overdue * 0.95

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
        f"Machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {datetime.date.today()}"
    )
    print(
        f"Command: .venv/bin/python benchmarks/casework_chronology_and_visits.py --events {args.events} "
        f"--children {args.children} --repeat {args.repeat}"
    )
    print()
    print("| what | size | runs | median (ms) | p95 (ms) | target |")
    print("|---|---|---|---|---|---|")
    for what, times, target in (
        ("chronology page (GET, signed in), newest 100", page_times, "p95 < 300 ms"),
        (f"chronology, middle page ({middle})", middle_times, ""),
        (f"chronology, last page ({last})", last_times, ""),
        ("chronology, visits in the last 6 months", filtered_times, ""),
        ("printable chronology, whole (every entry)", print_times, ""),
    ):
        print(
            f"| {what} | {len(entries):,} entries | {len(times)} | "
            f"{statistics.median(times) * 1000:.0f} | {_p95(times) * 1000:.0f} | {target} |"
        )
    print(
        f"| overdue statutory visits query | {args.children:,} children, {len(rows):,} overdue | "
        f"{len(query_times)} | "
        f"{statistics.median(query_times) * 1000:.0f} | {_p95(query_times) * 1000:.0f} | < 1,000 ms |"
    )


if __name__ == "__main__":
    main()
