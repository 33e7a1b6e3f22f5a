"""Benchmark: building the child index with `openmash match run` (issue 12: at least 1,000 links a
second at 100,000 records; the first build for 1,000,000 agency records under 10 minutes).

    .venv/bin/python benchmarks/matching_index_build.py                       # about 105,800 records
    .venv/bin/python benchmarks/matching_index_build.py --boroughs 4 --children 116700   # about 1,000,000

A throwaway embedded PostgreSQL is started in a temporary folder and migrated; the borough's
agency records (seeds 1..N generated in memory, each agency's own noisy records) are loaded
with COPY as unlinked records with an open identity review each, as `openmash import` leaves
them, and a model is trained (`openmash match train`), all untimed. Then `openmash match run`
builds the index from nothing in its own process, acting as the application role, and again
(a second run, which must change nothing). The wall-clock time of each process is measured;
the run's own figures (writing time, links a second, children made, peak memory) are read
from its `MatchRun` row. Prints JSON for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DATABASE_URL"] = database_url
    os.environ["OPENMASH_DB_OWNER"] = "1"
    import django

    django.setup()


def _load(children: int, boroughs: int) -> int:
    """Agencies and their unlinked records with open identity reviews (untimed). Returns the count."""
    import pyarrow as pa
    from django.core.management import call_command
    from django.db import connection

    from openmash.accounts.models import Agency, Team, TeamKind
    from openmash.matching import data

    call_command("migrate", verbosity=0, skip_checks=True)
    parts = [data.identities_generate(seed=seed, children=children).raw for seed in range(1, boroughs + 1)]
    raw = pa.concat_tables(parts)
    agencies = sorted(set(raw.column("agency_id").to_pylist()))
    Agency.objects.bulk_create(
        [
            Agency(id=uuid.UUID(a), name=f"Agency {n}", code=f"agency-{n}", kind="school")
            for n, a in enumerate(agencies)
        ]
    )
    council = Agency.objects.create(name="Benchmark Council", code="bench-council", kind="childrens_services")
    Team.objects.create(agency=council, name="Benchmark MASH", kind=TeamKind.MASH)
    today = date.today().isoformat()
    buffer = io.StringIO()
    columns = raw.to_pydict()
    for n in range(raw.num_rows):

        def text(name: str, n: int = n) -> str:
            value = columns[name][n]
            return (
                ""
                if value is None
                else str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
            )

        born = columns["date_of_birth"][n]
        buffer.write(
            "\t".join(
                [
                    text("id"),
                    today,
                    today,
                    text("agency_id"),
                    f"R{n:09d}",
                    "\\N",
                    text("forename"),
                    text("middle_names"),
                    text("surname"),
                    born.isoformat() if born else "\\N",
                    (text("sex") or "U")[:1],
                    text("other_surnames"),
                    text("address"),
                    text("postcode")[:8],
                    text("nhs_number"),
                    text("unique_pupil_number"),
                    today,
                ]
            )
            + "\n"
        )
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY people_agencyidentity (id, created_at, updated_at, agency_id, agency_record_id, child_id, "
            "forename, middle_names, surname, date_of_birth, sex, other_surnames, address, postcode, "
            "nhs_number, unique_pupil_number, recorded_on) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            "INSERT INTO intake_identityreview (id, created_at, updated_at, identity_id, reason, status, "
            "resolved_by) SELECT gen_random_uuid(), now(), now(), id, 'No NHS number or pupil number to "
            "match on (benchmark)', 'open', '' FROM people_agencyidentity"
        )
    return raw.num_rows


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=49_000)
    parser.add_argument("--boroughs", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from openmash import dbserver

    work = Path(tempfile.mkdtemp(prefix="openmash-bench-index-"))
    url = dbserver.ensure_running(work / "pg", throwaway=True)
    _setup_django(url)
    started = time.monotonic()
    records = _load(args.children, args.boroughs)
    env = {key: value for key, value in os.environ.items() if key != "OPENMASH_DB_OWNER"}
    env["DATABASE_URL"] = url
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    cli = [sys.executable, "-m", "openmash.cli", "match"]
    train_seconds, _ = _timed([*cli, "train"], env)
    print(f"Set-up (untimed): {time.monotonic() - started:.0f} s, {records:,} records", flush=True)
    from openmash.matching.models import MatchRun

    out: dict[str, object] = {
        "command": "benchmarks/matching_index_build.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "records": records,
        "train_seconds_untimed": round(train_seconds, 1),
        "runs": [],
    }
    for label in ("first build", "second run"):
        load_before = os.getloadavg()[0]
        seconds, printed = _timed([*cli, "run"], env)
        run = MatchRun.objects.order_by("-created_at").first()
        assert run is not None
        out["runs"].append(  # type: ignore[attr-defined]
            {
                "run": label,
                "wall_seconds": round(seconds, 1),
                "links_made": run.links_made,
                "reviews_opened": run.reviews_opened,
                "children_created": run.stats.get("children_created"),
                "write_seconds": run.stats.get("write_seconds"),
                "links_per_second_writing": run.stats.get("links_per_second"),
                "stages": run.stats.get("stages"),
                "peak_memory_mb": run.stats.get("peak_memory_mb"),
                "load_before": round(load_before, 1),
                "load_after": round(os.getloadavg()[0], 1),
                "summary": printed.strip().splitlines()[-12:],
            }
        )
        print(json.dumps(out["runs"][-1], indent=2), flush=True)  # type: ignore[index]
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
