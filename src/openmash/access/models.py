"""Why a person may see a child: relationships, break-glass grants, and the alerts they raise."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q

from openmash.accounts.models import Agency, Team, User
from openmash.core.models import BaseModel
from openmash.people.models import Child


class RelationshipBasis(models.TextChoices):
    ALLOCATED_WORKER = "allocated_worker", "Allocated worker"
    SUPPORTING_WORKER = "supporting_worker", "Supporting worker"
    TEAM = "team", "Team holding the case"
    HUB_CONTACT = "hub_contact", "Hub while a contact is open"
    INFORMATION_REQUEST = "information_request", "Agency answering an information request"
    INTELLIGENCE_CASE = "intelligence_case", "Assigned intelligence case"
    REFERRER = "referrer", "Agency that made a referral"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Relationship(BaseModel):
    """A legitimate relationship to a child, held by a person, a team or an agency, for a period.

    Created by business processes (allocation, a contact reaching the hub, an
    information request); ended by them (closure, reallocation, the request answered).
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="relationships")
    holder_user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    holder_team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    holder_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    basis = models.CharField(max_length=30, choices=RelationshipBasis.choices)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    created_by_process = models.CharField(max_length=60)
    source_reference = models.CharField(max_length=100, blank=True)
    ended_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(holder_user__isnull=False, holder_team__isnull=True, holder_agency__isnull=True)
                    | Q(holder_user__isnull=True, holder_team__isnull=False, holder_agency__isnull=True)
                    | Q(holder_user__isnull=True, holder_team__isnull=True, holder_agency__isnull=False)
                ),
                name="relationship_exactly_one_holder",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="relationship_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["holder_user", "child"], name="rel_user_child"),
            models.Index(fields=["holder_team", "child"], name="rel_team_child"),
            models.Index(fields=["holder_agency", "child"], name="rel_agency_child"),
            models.Index(fields=["child", "basis"], name="rel_child_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} for child {self.child_id}"


class BreakGlassReason(models.TextChoices):
    IMMINENT_RISK = "imminent_risk", "A child may be at immediate risk of harm"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours emergency response"
    MISSING_CHILD = "missing_child", "A child is missing now"
    POLICE_PROTECTION = "police_protection", "Police protection or urgent placement"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class BreakGlassGrant(BaseModel):
    """Emergency access to one child for a few hours, with a written reason, always reviewed."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.CharField(max_length=30, choices=BreakGlassReason.choices)
    reason_text = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="grant_expires_after_start"
            ),
        ]
        indexes = [models.Index(fields=["user", "child", "expires_at"])]

    def __str__(self) -> str:
        return f"Emergency access to child {self.child_id}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class SealOverride(BaseModel):
    """One person opening one sealed item (ADR 25) with a written reason, for a short time; always reviewed.

    A sealed item (the referrer's identity first) is seen by the hub and by the agency it
    belongs to; anyone else sees it only through an override, which raises a privacy alert
    for the privacy officer of the person's agency and is written to the read log.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="seal_overrides")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40)
    item_type = models.CharField(max_length=60, help_text='What kind of item, e.g. "intake.Referrer"')
    item_id = models.CharField(max_length=100)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason_text = models.TextField()
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("opened_at")), name="seal_override_expires_after_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "item_type", "item_id", "expires_at"], name="seal_override_user_item"
            )
        ]

    def __str__(self) -> str:
        return f"Sealed {self.item_type} opened"


class AlertKind(models.TextChoices):
    BREAK_GLASS = "break_glass", "Emergency (break-glass) access"
    SEAL_OVERRIDE = "seal_override", "Sealed item opened"
    ANOMALY = "anomaly", "Unusual access pattern"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Awaiting review"
    JUSTIFIED = "justified", "Justified"
    EXPLANATION_NEEDED = "explanation_needed", "Explanation needed"
    ESCALATED = "escalated", "Escalated"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PrivacyAlert(BaseModel):
    """For the privacy officer of the agency whose user acted. Carries no case content."""

    reference = models.CharField(max_length=16, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="privacy_alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    break_glass_grant = models.OneToOneField(
        BreakGlassGrant, on_delete=models.PROTECT, null=True, blank=True, related_name="alert"
    )
    seal_override = models.OneToOneField(
        SealOverride, on_delete=models.PROTECT, null=True, blank=True, related_name="alert"
    )
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference
