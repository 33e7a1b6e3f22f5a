"""Children, adults, family links, and the identities each agency holds.

The child record is the hub's joined-up view. Each agency's own identity for that
child is kept as that agency sent it and is never overwritten by the child record:
matching links identities to a child; it does not rewrite them.
"""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q

from openmash.accounts.models import Agency
from openmash.core.models import BaseModel


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    INDETERMINATE = "I", "Indeterminate"
    NOT_KNOWN = "U", "Not known"


class PersonNameMixin(models.Model):
    forename = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    surname = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.NOT_KNOWN)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.forename, self.middle_names, self.surname) if part)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Child(BaseModel, PersonNameMixin):
    """A child known to the hub. Read only through openmash.access.selectors."""

    preferred_name = models.CharField(max_length=100, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    unique_pupil_number = models.CharField(max_length=13, blank=True, db_index=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    created_by_process = models.CharField(max_length=60, default="manual")

    class Meta:
        ordering = ["surname", "forename"]
        verbose_name_plural = "children"
        indexes = [models.Index(fields=["surname", "forename"])]

    def __str__(self) -> str:
        return self.full_name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class AgencyIdentity(BaseModel, PersonNameMixin):
    """One agency's record of a child, exactly as that agency holds it."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="identities")
    agency_record_id = models.CharField(max_length=64, help_text="The agency's own id for this person")
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, null=True, blank=True, related_name="identities"
    )
    other_surnames = models.CharField(max_length=200, blank=True, help_text="Earlier or other surnames")
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    unique_pupil_number = models.CharField(max_length=13, blank=True)
    recorded_on = models.DateField(help_text="When the agency first recorded this person")

    class Meta:
        ordering = ["agency__name"]
        verbose_name_plural = "agency identities"
        constraints = [
            models.UniqueConstraint(fields=["agency", "agency_record_id"], name="identity_unique_per_agency"),
        ]
        indexes = [models.Index(fields=["child", "agency"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.agency.code} {self.agency_record_id})"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Adult(BaseModel, PersonNameMixin):
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["surname", "forename"]

    def __str__(self) -> str:
        return self.full_name


class FamilyRelation(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    PARENT_PARTNER = "parent_partner", "Parent's partner"
    GRANDPARENT = "grandparent", "Grandparent"
    AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
    KINSHIP_CARER = "kinship_carer", "Kinship carer"
    FOSTER_CARER = "foster_carer", "Foster carer"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    OTHER = "other", "Other"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class FamilyLink(BaseModel):
    """How a child is related to an adult or to another child, over a period."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="family_links")
    adult = models.ForeignKey(
        Adult, on_delete=models.PROTECT, null=True, blank=True, related_name="family_links"
    )
    related_child = models.ForeignKey(
        Child, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    relation = models.CharField(max_length=30, choices=FamilyRelation.choices)
    parental_responsibility = models.BooleanField(default=False)
    lives_with = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(adult__isnull=False) & Q(related_child__isnull=True))
                | (Q(adult__isnull=True) & Q(related_child__isnull=False)),
                name="family_link_one_relative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} of child {self.child_id}"
