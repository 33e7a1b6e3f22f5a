"""Privileges of the application role, re-applied after every migrate.

The application connects as the owner and `SET ROLE`s to a role that owns nothing
(ADR 0003). That role may read and write case tables, but may only INSERT and SELECT
on append-only tables: the read log and the change-history event tables.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections

_logger = logging.getLogger(__name__)

# Tables whose rows may never change once written, besides every pghistory event table.
APPEND_ONLY_TABLES: list[str] = ["audit_accessevent"]


def _append_only_tables() -> set[str]:
    from django.apps import apps
    from pghistory.models import Event

    history = {model._meta.db_table for model in apps.get_models() if issubclass(model, Event)}
    return history | set(APPEND_ONLY_TABLES)


def grant_application_role(sender: Any = None, using: str = "default", **_: Any) -> None:
    connection = connections[using]
    role = connection.settings_dict.get("APP_ROLE")
    if not role:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            _logger.warning("Application role %s does not exist; create it (docs/operations.md)", role)
            return
        quoted = connection.ops.quote_name(role)
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        existing = {table for (table,) in cursor.fetchall()}
        for table in sorted(_append_only_tables() & existing):
            cursor.execute(
                f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} FROM {quoted}"
            )
