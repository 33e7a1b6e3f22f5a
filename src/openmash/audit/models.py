"""The read log: one hash-chained, append-only row per read of a child's data.

Written only by openmash.audit.services (called by the access layer). PostgreSQL
refuses UPDATE, DELETE and TRUNCATE on this table (trigger + revoked privileges),
and each row carries the SHA-256 of the row before it in its chain, so a row
changed behind the application's back is found by `openmash audit verify`.
"""

from __future__ import annotations

import pgtrigger
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    SEARCH = "search", "Searched"
    DOWNLOAD = "download", "Downloaded"
    PRINT = "print", "Printed"
    EXPORT = "export", "Exported"
    VIEW_AUDIT = "view_audit", "Viewed who has viewed"
    BREAK_SEAL = "break_seal", "Broke a seal"
    BREAK_GLASS = "break_glass", "Used emergency access"


class Outcome(models.TextChoices):
    GRANTED = "granted", "Granted"
    DENIED = "denied", "Denied"


class AccessEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    chain = models.CharField(max_length=64, help_text="One chain per acting agency (ADR 0004)")
    sequence = models.BigIntegerField()
    occurred_at = models.DateTimeField()
    actor_id = models.UUIDField(null=True, blank=True)
    actor_username = models.CharField(max_length=150)
    actor_agency_id = models.UUIDField(null=True, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    child_id = models.UUIDField(null=True, blank=True)
    child_ids = models.JSONField(default=list, blank=True, help_text="Children shown by a list or search")
    resource_type = models.CharField(max_length=60)
    resource_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    purpose = models.CharField(max_length=200)
    basis_type = models.CharField(max_length=64, blank=True)
    basis_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    recipients = models.JSONField(default=list, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    session_hash = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="accessevent_chain_sequence"),
        ]
        indexes = [
            models.Index(fields=["child_id", "occurred_at"]),
            models.Index(fields=["actor_id", "occurred_at"]),
            GinIndex(fields=["child_ids"], name="accessevent_child_ids_gin"),
        ]
        triggers = [
            pgtrigger.Protect(name="accessevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="accessevent_no_truncate",
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION 'The read log is append-only: % cannot be truncated', TG_TABLE_NAME;",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.sequence} {self.action} {self.outcome}"
