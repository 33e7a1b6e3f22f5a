"""A statutory or local clock running for a child: when it started, when it is due, when met."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q

from openmash.accounts.models import Team, User
from openmash.core.models import BaseModel
from openmash.people.models import Child


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Clock(BaseModel):
    """Due, actual and cancelled times are separate fields: a due time is never overwritten
    by what happened (reference §1). A late completion needs an exception reason."""

    rule_code = models.CharField(max_length=40)
    # None while the clock's subject has no matched child yet (a public report about an unknown
    # child, a feed record waiting for review); the subject's owner fills it in on matching.
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="clocks")
    subject_type = models.CharField(max_length=60, help_text="What the clock is about, e.g. intake.Contact")
    subject_id = models.CharField(max_length=64)
    start_event = models.CharField(max_length=200, help_text="What started the clock, in words")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    calendar_version = models.CharField(max_length=60)
    rule_description = models.CharField(
        max_length=60, help_text="The rule as it stood, e.g. '15 working days'"
    )
    responsible_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    exception_reason = models.TextField(blank=True, help_text="Why the deadline was missed")

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "subject_type", "subject_id"],
                condition=Q(completed_at__isnull=True, cancelled_at__isnull=True),
                name="clock_one_running_per_subject_and_rule",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="clock_not_both_completed_and_cancelled",
            ),
        ]
        indexes = [
            models.Index(fields=["responsible_team", "due_at"], name="clock_team_due"),
            models.Index(fields=["child", "rule_code"], name="clock_child_rule"),
            models.Index(fields=["subject_type", "subject_id"], name="clock_subject"),
            # The daily escalation run: running clocks by due time, and nothing else.
            models.Index(
                fields=["due_at"],
                condition=Q(completed_at__isnull=True, cancelled_at__isnull=True),
                name="clock_running_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} for {self.subject_type} {self.subject_id} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None


class ClockEscalation(models.Model):
    """Append-only: the daily escalation run notified the responsible managers of an overdue clock.

    One row per clock per day at most (the constraint makes two runs on the same day notify
    once). Rows, not an ``escalated_at`` column on the clock: the run inserts them in bulk
    instead of updating (and so writing the history of) every overdue clock each day.
    """

    id = models.BigAutoField(primary_key=True)
    clock = models.ForeignKey(Clock, on_delete=models.PROTECT, related_name="escalations")
    escalated_at = models.DateTimeField()
    escalated_on = models.DateField(help_text="The day of the run, in England")
    notified = models.PositiveIntegerField(help_text="How many people were notified")

    class Meta:
        ordering = ["clock", "escalated_at"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "escalated_on"], name="clock_escalated_once_a_day"),
        ]
        indexes = [models.Index(fields=["clock", "escalated_at"], name="clock_escalation_latest")]

    def __str__(self) -> str:
        return f"{self.clock_id} escalated on {self.escalated_on}"
