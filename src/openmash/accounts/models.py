from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from openmash.accounts.roles import Role
from openmash.core.models import BaseModel


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police force"
    CHILDRENS_SERVICES = "childrens_services", "Local authority children's services"
    NHS_TRUST = "nhs_trust", "NHS trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    SCHOOL = "school", "School"
    LICENSING = "licensing", "Licensing authority"
    VOLUNTARY = "voluntary", "Voluntary sector organisation"
    PROBATION = "probation", "Probation service"
    HOUSING = "housing", "Housing provider"


class Agency(BaseModel):
    """A partner organisation: each is a separate data controller and a separate audit chain."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    code = models.SlugField(max_length=40, unique=True, help_text="Short code used in feeds and logs")
    feeds = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        help_text="The feeds this agency may send (docs/feeds/); empty: any feed its kind may send",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    MASH = "mash", "Multi-agency safeguarding hub"
    SOCIAL_WORK = "social_work", "Social work team"
    EXPLOITATION = "exploitation", "Exploitation team"
    LEAVING_CARE = "leaving_care", "Leaving care team"
    INTELLIGENCE = "intelligence", "Intelligence unit"
    SAFEGUARDING = "safeguarding", "Safeguarding team"
    OTHER = "other", "Other"


class Team(BaseModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=TeamKind.choices, default=TeamKind.OTHER)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships, not from here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username


class Membership(BaseModel):
    """A user acting in a role for an agency (and usually a team).

    At sign-in a user with more than one picks which one they act in; middleware
    re-checks it on every request so an ended membership stops working at once.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()}, {self.agency.name}"
