"""In-service notifications: a risk level rose, a merge touched your child, a deadline passed.

A notification names what happened and links to it; the page it links to goes through
the access choke point like any other, so a notification never shows more than its
recipient may see. E-mail (GOV.UK Notify) would carry only the reference, never content.
"""

from __future__ import annotations

from django.db import models

from openmash.accounts.models import User
from openmash.core.models import BaseModel


class Notification(BaseModel):
    recipient = models.ForeignKey(User, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=40, help_text="e.g. risk_rise, merge, overdue")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    source_reference = models.CharField(
        max_length=100, blank=True, help_text="What raised it, so the same event notifies once"
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "source_reference"],
                condition=~models.Q(source_reference=""),
                name="notification_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return self.title
