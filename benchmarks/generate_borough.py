"""Benchmark: how long the synthetic borough takes to generate, and how much memory it needs.

    .venv/bin/python benchmarks/generate_borough.py                 # 49,000 and 100,000 children
    .venv/bin/python benchmarks/generate_borough.py --children 20000 --repeat 1

Each run starts a throwaway embedded PostgreSQL in a temporary folder, migrates it as the owner
role (untimed), then times `borough_generate` up to and including the commit, in a fresh Python
process so that its peak RSS is its own. Reusing one database for several runs would time the
later runs against the dead rows and history of the earlier ones. While it runs, a thread
samples the PostgreSQL server's processes and records their peak total PSS (proportional set
size: shared buffers counted once, not once per process). Prints one line per run and the
medians, as Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (49_000, 100_000)


def _worker(children: int, seed: int) -> None:
    """One timed generation, in its own process; prints a JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from openmash.synthetic.selectors import borough_current
    from openmash.synthetic.services import borough_delete, borough_generate

    if borough_current() is not None:
        borough_delete()
    started = time.perf_counter()
    borough = borough_generate(seed=seed, children=children)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "children": children,
                "seconds": round(seconds, 2),
                "peak_rss_mib": round(peak_kib / 1024, 1),
                "identities": borough.counts["identities"],
                "hub_children": borough.counts["hub_children"],
            }
        )
    )


class _ServerMemory(threading.Thread):
    """Peak summed PSS of the PostgreSQL postmaster and its children, sampled every 0.2 s."""

    def __init__(self, postmaster_pid: int) -> None:
        super().__init__(daemon=True)
        self.postmaster_pid = postmaster_pid
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:
        import psutil

        while not self._halt.is_set():
            total = 0
            try:
                root = psutil.Process(self.postmaster_pid)
                for process in [root, *root.children(recursive=True)]:
                    try:
                        total += process.memory_full_info().pss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
            except psutil.NoSuchProcess:
                return
            self.peak = max(self.peak, total)
            self._halt.wait(0.2)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


def _machine() -> dict[str, str]:
    import psutil

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return {
        "cpus": str(os.cpu_count()),
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "cpu": model,
        "python": platform.python_version(),
        "date": date.today().isoformat(),
    }


def _fresh_database(dbserver: Any) -> tuple[Path, str, dict[str, str]]:
    """A new embedded server in a temporary folder, migrated as the owner role."""
    data_dir = Path(tempfile.mkdtemp(prefix="openmash-bench-")) / "pg"
    url = dbserver.ensure_running(data_dir, throwaway=True)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "OPENMASH_DB_OWNER": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    # Checks skipped: the benchmark times the generator, not the URL configuration.
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity", "0", "--skip-checks"],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return data_dir, url, env


def _server_version(env: dict[str, str]) -> str:
    code = (
        "import django;django.setup();from django.db import connection;c=connection.cursor();"
        "c.execute('SHOW server_version');print(c.fetchone()[0])"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], check=True, env=env, cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def _timed_run(dbserver: Any, children: int, seed: int, machine: dict[str, str]) -> dict[str, float]:
    """One generation into a freshly migrated database, as `openmash demo` does the first time."""
    data_dir, _, env = _fresh_database(dbserver)
    try:
        if "postgresql" not in machine:
            machine["postgresql"] = _server_version(env)
        sampler = _ServerMemory(int((data_dir / "postmaster.pid").read_text().split()[0]))
        sampler.start()
        wall = time.perf_counter()
        output = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--worker", "--children", str(children), "--seed", str(seed)],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        result["process_seconds"] = round(time.perf_counter() - wall, 2)
        result["server_pss_mib"] = round(sampler.stop() / 2**20, 1)
        return result
    finally:
        dbserver.stop(data_dir)
        shutil.rmtree(data_dir.parent, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, action="append", help="Size to time (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per size (default 3; medians reported)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.children[0], args.seed)
        return 0

    sys.path.insert(0, str(ROOT / "src"))
    from openmash import dbserver

    machine = _machine()
    results: dict[int, list[dict[str, float]]] = {}
    for children in args.children or DEFAULT_SIZES:
        for run in range(1, args.repeat + 1):
            result = _timed_run(dbserver, children, args.seed, machine)
            results.setdefault(children, []).append(result)
            print(f"  {children:,} children, run {run}: {json.dumps(result)}", flush=True)
    print("\nMachine: " + ", ".join(f"{key} {value}" for key, value in machine.items()))
    print(
        "\n| children | agency records | generate (s, median) | runs (s) | process peak RSS (MiB) "
        "| PostgreSQL peak PSS (MiB) |"
    )
    print("|---:|---:|---:|---|---:|---:|")
    for children, runs in results.items():
        times = [r["seconds"] for r in runs]
        rss = statistics.median(r["peak_rss_mib"] for r in runs)
        pss = statistics.median(r["server_pss_mib"] for r in runs)
        print(
            f"| {children:,} | {runs[0]['identities']:,} | {statistics.median(times):.1f} | "
            f"{', '.join(f'{t:.1f}' for t in times)} | {rss:.0f} | {pss:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
