"""A command that starts a throwaway PostgreSQL leaves nothing behind, however it ends.

Loading the test settings (as mypy's Django plugin does) starts no server; a process that
did start one and is then killed with SIGKILL has its server stopped and its
`openmash-test-*` folder removed by the watchdog (openmash.reaper).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PYTEST_XDIST_WORKER"}}
    env.update(TMPDIR=str(tmp), DJANGO_SETTINGS_MODULE="config.settings.test", PYTHONPATH=str(ROOT))
    return env


def _running_from(folder: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(attrs=["cmdline"]):
        if any(str(folder) in part for part in process.info.get("cmdline") or []):
            found.append(process)
    return found


def test_loading_the_test_settings_starts_no_server_and_makes_no_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.DATABASES['default']['HOST'])"],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "started-by-the-test-session" in result.stdout
    assert not list(tmp_path.glob("openmash-*"))
    assert not _running_from(tmp_path)


@pytest.fixture
def short_tmp():
    """A temporary folder with a short path: a server's socket path must fit in 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="om-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow
def test_a_killed_process_leaves_no_server_and_no_folder(short_tmp):
    tmp_path = short_tmp
    script = (
        "import sys, time; from openmash.dbserver import throwaway; s = throwaway(); "
        "print(s.folder, s.url, sep='\\n', flush=True); time.sleep(600)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        folder = Path(process.stdout.readline().strip())
        url = process.stdout.readline().strip()
        assert folder.parent == tmp_path and folder.name.startswith("openmash-test-")
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert any("postgres" in " ".join(p.info["cmdline"] or []) for p in _running_from(folder))
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    deadline = time.monotonic() + 60
    while (folder.exists() or _running_from(folder)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not folder.exists(), "the killed process's temporary folder is still there"
    assert not _running_from(folder), "a server started by the killed process is still running"
