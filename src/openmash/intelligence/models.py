"""The exploitation intelligence picture: entities, the links between them, and what analysis raised.

History is data here (ARCHITECTURE.md): no row is ever changed or deleted (database
triggers refuse it). An entity's details are ``EntityVersion`` rows; a link is a ``Link``
row; a correction, a confirmation or a rejection is a new row whose ``corrects`` points at
the row it replaces, with who recorded it, when and why. The current picture is the rows
nothing corrects. Read only through ``openmash.intelligence.access`` and the selectors.
"""

from __future__ import annotations

import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from openmash.accounts.models import Agency
from openmash.core.models import BaseModel
from openmash.people.models import Adult, Child

from .choices import (
    EntityKind,
    HandlingCode,
    IntelligenceAssessment,
    LinkKind,
    SourceEvaluation,
    Status,
    grading_code,
)


def _append_only(name: str) -> list[pgtrigger.Trigger]:
    return [
        pgtrigger.Protect(name=f"{name}_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
    ]


class Entity(BaseModel):
    """Something the picture is about: an adult of concern, a child, a place, a vehicle, a phone,
    an online account or a group. Its identity only; what is known of it is in its versions.

    ``key`` is the normalised identifier that makes two reports the same thing (a registration
    without spaces, a phone number's digits, ``platform:handle``); blank where there is none.
    A child entity is the child record; an adult of concern may be linked to a people record.
    Never a label of ethnicity or religion: there is no field for one.
    """

    kind = models.CharField(max_length=10, choices=EntityKind.choices)
    key = models.CharField(max_length=120, blank=True)
    child = models.OneToOneField(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Adult, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by_process = models.CharField(max_length=60)

    class Meta:
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"], condition=~Q(key=""), name="intel_entity_kind_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(child__isnull=True) | Q(kind="child"), name="intel_entity_child_is_child"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(kind="adult"), name="intel_entity_person_is_adult"
            ),
        ]
        indexes = [models.Index(fields=["kind"], name="intel_entity_kind")]
        triggers = _append_only("intel_entity")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Graded(models.Model):
    """Where a fact came from and how it is graded (3x5x2), and who recorded it when and why."""

    source_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_record = models.CharField(max_length=120, blank=True, help_text="The agency's own record")
    source_evaluation = models.CharField(max_length=12, choices=SourceEvaluation.choices)
    intelligence_assessment = models.CharField(max_length=1, choices=IntelligenceAssessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNCONFIRMED)
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)
    reason = models.CharField(max_length=500, blank=True)
    feed_key = models.CharField(max_length=200, blank=True, help_text="agency:feed:record_id, for feeds")
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def grading(self) -> str:
        return grading_code(self.source_evaluation, self.intelligence_assessment, self.handling_code)


class EntityVersion(BaseModel, Graded):
    """What was known of an entity from one time on. ``corrects`` names the version it replaces."""

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=200)
    attributes = models.JSONField(default=dict, blank=True)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )

    class Meta:
        indexes = [
            models.Index(fields=["entity", "recorded_at"], name="intel_version_entity"),
            models.Index(fields=["feed_key"], name="intel_version_feed", condition=~Q(feed_key="")),
        ]
        triggers = _append_only("intel_entity_version")

    def __str__(self) -> str:
        return self.label


class Link(BaseModel, Graded):
    """A typed, directed, dated link between two entities, with its source and grading.

    ``valid_from``/``valid_to`` say when it held (``valid_to`` open while it still does).
    A correction, confirmation or rejection is a new Link whose ``corrects`` is this one.
    """

    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    source = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="links_out")
    target = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="links_in")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="intel_link_two_ends"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="intel_link_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["source"], name="intel_link_source"),
            models.Index(fields=["target"], name="intel_link_target"),
            models.Index(fields=["feed_key"], name="intel_link_feed", condition=~Q(feed_key="")),
        ]
        triggers = _append_only("intel_link")

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class SharedEntityAlert(BaseModel):
    """Unrelated children linked to the same adult, vehicle, phone or place in one window.

    Raised once per entity and set of children (``key``); each child's contact in the hub's
    queue is listed in ``contact_ids``. ``explanation`` says why, in words, without naming
    the adult, vehicle, phone or place (the hub sees the alert, not the network).
    """

    key = models.CharField(max_length=64, unique=True)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    child_ids = ArrayField(models.UUIDField())
    window_start = models.DateField()
    window_end = models.DateField()
    explanation = models.TextField()
    contact_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    raised_by = models.CharField(max_length=150)

    class Meta:
        triggers = _append_only("intel_alert")

    def __str__(self) -> str:
        return f"Shared {self.entity_id}"
