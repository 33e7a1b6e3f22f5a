"""Benchmark: importing 1,000,000 generated feed rows with `openmash import` (target: under 5 minutes,
peak memory under 2 GB).

    .venv/bin/python benchmarks/intake_import.py                 # 1,000,000 rows, the default mix
    .venv/bin/python benchmarks/intake_import.py --rows 100000   # a tenth, same proportions

A throwaway embedded PostgreSQL is started in a temporary folder and migrated; agencies, the
MASH team and the hub's children (enough for 85% of the people in the feeds to match by NHS
number or pupil number) are loaded, and the feed files are written, all untimed. Then each
file is imported by a separate `openmash import` process, exactly as an operator would run
it, acting as the application role. The time is the wall-clock time of those processes; the
memory is the largest peak resident set size among them (`getrusage` of the children).
With `--again`, every file is imported a second time (everything already held). The import
processes use compiled bytecode (cached in the temporary folder, warmed untimed), as an
installed deployment does, even where PYTHONDONTWRITEBYTECODE is set; `--compile-each-run`
measures as the first recorded runs did, compiling every module in every process.

Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 20)

# Roughly a year of a town borough's feeds (about 40,000 pupils' weekly attendance returns is
# most of a million rows): A&E next; the feeds that become contacts about 1.5% of rows.
MIX = {
    "education_attendance": 0.850,
    "health_ae": 0.100,
    "education_exclusions": 0.015,
    "health_sexual_health": 0.010,
    "police_intelligence": 0.008,
    "police_missing": 0.006,
    "la_contacts": 0.004,
    "police_domestic_abuse": 0.003,
    "education_cme": 0.002,
    "police_protection": 0.0015,
    "health_maternity": 0.0005,
}
SENDER = {
    "police": ("bench-police", "Benchmark Police"),
    "nhs_trust": ("bench-trust", "Benchmark Hospitals"),
    "school": ("bench-school", "Benchmark Academy"),
    "childrens_services": ("bench-council", "Benchmark Council"),
}


def _setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DATABASE_URL"] = database_url
    os.environ["OPENMASH_DB_OWNER"] = "1"
    import django

    django.setup()


def _load(people: int) -> list:  # type: ignore[type-arg]
    """Agencies, the MASH team and hub children for 85% of `people` (as the owner, untimed)."""
    from django.core.management import call_command

    from openmash.accounts.models import Agency, Team, TeamKind
    from openmash.intake.feeds.samples import persons_synthetic
    from openmash.people.models import Child

    call_command("migrate", verbosity=0, skip_checks=True)
    for kind, (code, name) in SENDER.items():
        Agency.objects.create(code=code, name=name, kind=kind)
    Team.objects.create(
        agency=Agency.objects.get(code="bench-council"), name="Benchmark MASH", kind=TeamKind.MASH
    )
    persons = persons_synthetic(seed=20261121, count=people, as_of=AS_OF)
    Child.objects.bulk_create(
        [
            Child(
                forename=p.forename,
                surname=p.surname,
                date_of_birth=p.date_of_birth,
                nhs_number=p.nhs_number,
                unique_pupil_number=p.upn,
                created_by_process="benchmark",
            )
            for index, p in enumerate(persons)
            if index % 20 < 17
        ],
        batch_size=5000,
    )
    return persons


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--again", action="store_true", help="Import every file a second time too")
    parser.add_argument(
        "--raise-signs", action="store_true", help="Then time handing the outbox to the exploitation app"
    )
    parser.add_argument(
        "--compile-each-run",
        action="store_true",
        help="Keep PYTHONDONTWRITEBYTECODE if set (each import process compiles its modules, as before)",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from openmash import dbserver

    work = Path(tempfile.mkdtemp(prefix="openmash-bench-intake-"))
    url = dbserver.ensure_running(work / "pg", throwaway=True)
    _setup_django(url)
    from openmash.intake.feeds.catalogue import FEEDS
    from openmash.intake.feeds.samples import rows_write_csv, sample_rows

    started = time.monotonic()
    persons = _load(args.people)
    files: list[tuple[str, Path, int]] = []
    for feed, share in MIX.items():
        count = round(args.rows * share)
        path = work / f"{feed}.csv"
        rows_write_csv(path, sample_rows(feed=feed, persons=persons, count=count, seed=7, as_of=AS_OF), feed)
        files.append((feed, path, count))
    megabytes = sum(p.stat().st_size for _, p, _ in files) / 1e6
    rows = sum(c for _, _, c in files)
    print(
        f"Set-up (untimed): {time.monotonic() - started:.0f} s, {rows:,} rows, {megabytes:,.0f} MB",
        flush=True,
    )

    env = {key: value for key, value in os.environ.items() if key != "OPENMASH_DB_OWNER"}
    env["DATABASE_URL"] = url
    if not args.compile_each_run:
        # Compiled bytecode, as an installed deployment has it. Where PYTHONDONTWRITEBYTECODE is set
        # (it is on the project machine), every process would otherwise compile every module it
        # imports (about 1.5 s each): cache it in the work folder, warmed by one untimed run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        subprocess.run(  # noqa: S603 - our own command, arguments built here
            [sys.executable, "-m", "openmash.cli", "import", "health_ae", str(files[0][1]), "--agency", "-"],
            cwd=ROOT, env=env, capture_output=True,
        )  # fmt: skip

    def run_all(label: str) -> list[tuple[str, int, float]]:
        results = []
        for feed, path, count in files:
            agency = SENDER[FEEDS[feed].agency_kinds[0]][0]
            command = [sys.executable, "-m", "openmash.cli", "import", feed, str(path), "--agency", agency,
                       "--no-progress", "--signs-later"]  # fmt: skip
            begin = time.monotonic()
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
            seconds = time.monotonic() - begin
            if done.returncode != 0:
                print(done.stdout[-3000:], done.stderr[-3000:])
                raise SystemExit(f"{feed}: exit {done.returncode}")
            results.append((feed, count, seconds))
            print(
                f"{label} {feed}: {count:,} rows in {seconds:,.1f} s ({count / seconds:,.0f}/s)", flush=True
            )
        return results

    first = run_all("import")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    from openmash.intake.models import Contact, FeedRecord, SignOutbox
    from openmash.people.models import AgencyIdentity

    stored = FeedRecord.objects.count()
    contacts, outbox = Contact.objects.count(), SignOutbox.objects.count()
    identities = AgencyIdentity.objects.count()
    signs_seconds = None
    if args.raise_signs:
        begin = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "openmash.cli", "intake_signs_push", "--no-progress"],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        signs_seconds = time.monotonic() - begin
    again = run_all("again") if args.again else []

    total_rows = sum(count for _, count, _ in first)
    total = sum(seconds for _, _, seconds in first)
    print()
    print(f"Machine: {os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.platform()}")  # fmt: skip
    print("| feed | rows | seconds | rows a second |" + (" again (s) |" if again else ""))
    print("|---|---|---|---|" + ("---|" if again else ""))
    for index, (feed, count, seconds) in enumerate(first):
        extra = f" {again[index][2]:,.1f} |" if again else ""
        print(f"| {feed} | {count:,} | {seconds:,.1f} | {count / seconds:,.0f} |{extra}")
    extra_total = f" {sum(s for _, _, s in again):,.1f} |" if again else ""
    print(f"| **all** | **{total_rows:,}** | **{total:,.1f}** | **{total_rows / total:,.0f}** |{extra_total}")
    print(f"\nPeak memory of an import process: {peak_mb:,.0f} MB")
    print(f"Stored: {stored:,} records, {identities:,} agency identities, {contacts:,} contacts, "
          f"{outbox:,} warning signs in the outbox")  # fmt: skip
    if signs_seconds is not None:
        print(f"Handing the {outbox:,} signs to the exploitation app : {signs_seconds:,.0f} s")
    dbserver.stop(work / "pg")


if __name__ == "__main__":
    main()
