"""Benchmark: API feed posts of 500 records (target: p95 under 500 ms).

    .venv/bin/python benchmarks/intake_api.py                  # 100 posts per feed
    .venv/bin/python benchmarks/intake_api.py --posts 30

A throwaway embedded PostgreSQL is started and loaded as for benchmarks/intake_import.py
(agencies, MASH team, hub children for 85% of 60,000 people), a token is issued for each
sending system, and the site is served by `openmash serve` (gunicorn, 2 workers, acting as
the application role), all untimed. Then, one after another, POST /api/v1/feeds/<feed> is
sent over HTTP with 500 new records each time (JSON), and the time to the complete response
is measured. Feeds: education_attendance (the bulk feed), health_ae (about 2% become
contacts, 40% injuries raise signs) and police_missing (half are reports, each a contact: the
worst case). Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake_import import AS_OF, ROOT, SENDER, _load, _setup_django

FEEDS_TIMED = ("education_attendance", "health_ae", "police_missing")


def _post(url: str, token: str, body: bytes) -> tuple[int, float]:
    request = urllib.request.Request(  # noqa: S310 - a local http URL built here
        url, data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    begin = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return status, time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=100, help="Posts per feed")
    parser.add_argument("--port", type=int, default=8795)
    parser.add_argument(
        "--signs",
        choices=("thread", "worker", "later"),
        default="worker",
        help="thread: the web process hands signs over after each post (the default without a worker); "
        "worker: a separate `intake_signs_push --watch` process does (OPENMASH_SIGNS_PUSH=worker); "
        "later: nobody does during the run",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from openmash import dbserver

    work = Path(tempfile.mkdtemp(prefix="openmash-bench-api-"))
    url = dbserver.ensure_running(work / "pg", throwaway=True)
    _setup_django(url)
    from openmash.accounts.actor import Actor
    from openmash.accounts.models import Agency
    from openmash.intake.feeds.catalogue import FEEDS
    from openmash.intake.feeds.samples import sample_rows
    from openmash.intake.services import feed_client_create

    persons = _load(60_000)
    tokens = {}
    for feed in FEEDS_TIMED:
        agency = Agency.objects.get(code=SENDER[FEEDS[feed].agency_kinds[0]][0])
        _, tokens[feed] = feed_client_create(
            actor=Actor.system("bench"), agency=agency, name=feed, feeds=[feed]
        )
    bodies = {
        feed: [
            json.dumps({"records": list(sample_rows(feed=feed, persons=persons, count=500, seed=1000 + n,
                                                    as_of=AS_OF, prefix=f"A{n}"))}).encode()
            for n in range(args.posts)
        ]
        for feed in FEEDS_TIMED
    }  # fmt: skip

    env = {key: value for key, value in os.environ.items() if key != "OPENMASH_DB_OWNER"}
    env.update({"DATABASE_URL": url, "OPENMASH_LOG_LEVEL": "WARNING"})
    if args.signs != "thread":
        env["OPENMASH_SIGNS_PUSH"] = "worker"
    worker = (
        subprocess.Popen(
            [sys.executable, "-m", "openmash.cli", "intake_signs_push", "--watch", "--no-progress"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        if args.signs == "worker"
        else None
    )  # fmt: skip
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "openmash.cli", "serve", "--port", str(args.port), "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        rows = []
        loads = [os.getloadavg()[0]]
        for feed in FEEDS_TIMED:
            _post(f"{base}/api/v1/feeds/{feed}", tokens[feed], b'{"records": []}')  # warm the worker
            times = []
            for body in bodies[feed]:
                status, seconds = _post(f"{base}/api/v1/feeds/{feed}", tokens[feed], body)
                if status != 200:
                    raise SystemExit(f"{feed}: HTTP {status}")
                times.append(seconds * 1000)
            times.sort()
            p95 = times[max(0, round(0.95 * len(times)) - 1)]
            rows.append((feed, len(times), statistics.median(times), p95, times[-1]))
            loads.append(os.getloadavg()[0])
            print(f"{feed}: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms "
                  f"(load average {loads[-2]:.2f} before, {loads[-1]:.2f} after)", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    print(f"\nMachine: {os.cpu_count()} CPUs; {args.posts} posts of 500 records per feed, one at a time; "
          f"signs handed over by: {args.signs}; load average (1 minute) {min(loads):.1f} to {max(loads):.1f} "
          "at the start and end of each feed's posts")  # fmt: skip
    print("| feed | posts | median (ms) | p95 (ms) | slowest (ms) |")
    print("|---|---|---|---|---|")
    for feed, count, median, p95, slowest in rows:
        print(f"| {feed} | {count} | {median:.0f} | {p95:.0f} | {slowest:.0f} |")
    dbserver.stop(work / "pg")


if __name__ == "__main__":
    main()
