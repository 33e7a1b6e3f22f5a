"""The ground truth of the synthetic borough.

The generator writes what each agency holds into the people tables, noisy as real
records are, and writes here what is really true: who each child is, which agency
record belongs to whom, and how exploitation groups are made up. Matching, network
analysis and the tests score themselves against these tables. Nothing in the service
reads them to make a decision about a child.

These tables hold generated facts, not case records, so they carry no timestamps
and no change history (unlike openmash.core.models.BaseModel). Their foreign keys are
indexed but not enforced by the database (db_constraint=False): the generator writes them
in one transaction, in order, and deletes them together, and checking each of their
300,000-odd references one by one took about 20 of the 34 seconds a default borough took
to load (measured). The tests check that every reference resolves.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models

from openmash.accounts.models import Agency
from openmash.people.models import Adult, AgencyIdentity, Child, FamilyRelation, Sex


class TruthModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Borough(models.Model):
    """One row per generated borough: what was asked for and what came out."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    seed = models.BigIntegerField()
    children = models.PositiveIntegerField()
    as_of = models.DateField(help_text="The date the borough describes: ages and histories end here")
    noise_scale = models.FloatField(default=1.0)
    generator_version = models.PositiveSmallIntegerField()
    counts = models.JSONField(default=dict, blank=True)
    generated_at = models.DateTimeField()
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.name} (seed {self.seed}, {self.children:,} children)"


class Service(models.TextChoices):
    """What an agency does in the borough: decides which children it holds records for."""

    POLICE = "police", "Police force"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    ACUTE_TRUST = "acute_trust", "Acute hospital trust (A&E)"
    SEXUAL_HEALTH = "sexual_health", "Community trust (sexual health clinics)"
    GP_PRACTICE = "gp_practice", "GP practice"
    PRIMARY_SCHOOL = "primary_school", "Primary school"
    SECONDARY_SCHOOL = "secondary_school", "Secondary school"
    LICENSING = "licensing", "Licensing authority"
    YOUTH_CHARITY = "youth_charity", "Youth charity"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing provider"


class BoroughAgency(models.Model):
    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, primary_key=True, related_name="+")
    service = models.CharField(max_length=30, choices=Service.choices)
    district = models.PositiveSmallIntegerField(null=True, blank=True)
    establishment_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Schools: the DfE establishment number used in UPNs"
    )

    def __str__(self) -> str:
        return f"{self.get_service_display()}: {self.agency_id}"


class PlaceKind(models.TextChoices):
    HOME = "home", "Home"
    TAKEAWAY = "takeaway", "Takeaway"
    PARK = "park", "Park"
    HOTEL = "hotel", "Hotel"
    STATION = "station", "Station"
    SHOPPING_CENTRE = "shopping_centre", "Shopping centre"
    TAXI_OFFICE = "taxi_office", "Taxi office"


class Place(TruthModel):
    kind = models.CharField(max_length=20, choices=PlaceKind.choices)
    name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300)
    postcode = models.CharField(max_length=8, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    def __str__(self) -> str:
        return self.name or self.address


class HouseholdKind(models.TextChoices):
    FAMILY = "family", "Birth family"
    FOSTER = "foster", "Foster carers"
    KINSHIP = "kinship", "Kinship carers"
    CHILDREN_HOME = "children_home", "Children's home"


class Household(TruthModel):
    number = models.PositiveIntegerField(unique=True)
    kind = models.CharField(max_length=20, choices=HouseholdKind.choices)
    home = models.ForeignKey(Place, on_delete=models.PROTECT, db_constraint=False, related_name="+")
    previous_home = models.ForeignKey(
        Place, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )
    moved_on = models.DateField(null=True, blank=True)
    gp_practice = models.ForeignKey(
        Agency, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )
    lone_parent = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Household {self.number}"


class AdultRole(models.TextChoices):
    PARENT = "parent", "Parent or partner in a family household"
    CARER = "carer", "Foster or kinship carer"
    ADULT_OF_CONCERN = "adult_of_concern", "Adult of concern in an exploitation group"


class ExploitationPattern(models.TextChoices):
    ORGANISED_NETWORK = "organised_network", "Organised network"
    OLDER_PERSON = "older_person", "Older or more powerful person"


class ExploitationGroup(TruthModel):
    number = models.PositiveIntegerField(unique=True)
    label = models.CharField(max_length=40)
    pattern = models.CharField(max_length=30, choices=ExploitationPattern.choices)
    formed_on = models.DateField()

    def __str__(self) -> str:
        return self.label


class TrueAdult(TruthModel):
    number = models.PositiveIntegerField(unique=True)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="adults"
    )
    role = models.CharField(max_length=20, choices=AdultRole.choices)
    forename = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    surname = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    address = models.CharField(max_length=300)
    postcode = models.CharField(max_length=8)
    exploitation_group = models.ForeignKey(
        ExploitationGroup,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="adults",
    )
    hub_adult = models.OneToOneField(
        Adult, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"


class CpCategory(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    EMOTIONAL = "emotional", "Emotional abuse"
    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    MULTIPLE = "multiple", "Multiple"


class RiskLevel(models.TextChoices):
    NONE = "none", "None identified"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class TrueChild(TruthModel):
    number = models.PositiveIntegerField(unique=True)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, db_constraint=False, related_name="children"
    )
    placement = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="placed_children",
    )
    forename = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    surname = models.CharField(max_length=100)
    previous_surname = models.CharField(max_length=100, blank=True)
    surname_changed_on = models.DateField(null=True, blank=True)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What the child likes to be called"
    )
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    address = models.CharField(max_length=300)
    postcode = models.CharField(max_length=8)
    previous_address = models.CharField(max_length=300, blank=True)
    previous_postcode = models.CharField(max_length=8, blank=True)
    moved_on = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, unique=True)
    unique_pupil_number = models.CharField(max_length=13, blank=True)
    gp_practice = models.ForeignKey(
        Agency, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )
    school = models.ForeignKey(
        Agency, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )
    known_to_childrens_services = models.BooleanField(default=False)
    first_contact_on = models.DateField(null=True, blank=True)
    child_in_need = models.BooleanField(default=False)
    cp_category = models.CharField(max_length=20, choices=CpCategory.choices, blank=True)
    cp_plan_start = models.DateField(null=True, blank=True)
    looked_after = models.BooleanField(default=False)
    looked_after_since = models.DateField(null=True, blank=True)
    care_leaver = models.BooleanField(default=False)
    exploitation_risk = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.NONE)
    exploitation_identified_on = models.DateField(null=True, blank=True)
    exploitation_group = models.ForeignKey(
        ExploitationGroup,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="children",
    )
    introduced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="Another exploited child who was made to introduce this child to the group",
    )
    hub_child = models.OneToOneField(
        Child, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "true children"

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"


class Kinship(TruthModel):
    """A child's true relation to an adult in their household or placement."""

    child = models.ForeignKey(TrueChild, on_delete=models.PROTECT, db_constraint=False, related_name="kin")
    adult = models.ForeignKey(TrueAdult, on_delete=models.PROTECT, db_constraint=False, related_name="kin")
    relation = models.CharField(max_length=30, choices=FamilyRelation.choices)
    parental_responsibility = models.BooleanField(default=False)
    lives_with = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.relation} of {self.child_id}"


class IdentityTruth(models.Model):
    """Whose record an agency identity really is, and what noise the generator put in it."""

    identity = models.OneToOneField(
        AgencyIdentity, on_delete=models.PROTECT, db_constraint=False, primary_key=True, related_name="+"
    )
    true_child = models.ForeignKey(
        TrueChild, on_delete=models.PROTECT, db_constraint=False, related_name="identity_truths"
    )
    is_duplicate = models.BooleanField(
        default=False, help_text="A second record for the same child at the same agency"
    )
    noise = ArrayField(models.CharField(max_length=30), default=list, blank=True)

    class Meta:
        verbose_name_plural = "identity truths"

    def __str__(self) -> str:
        return f"{self.identity_id} is {self.true_child_id}"


class Vehicle(TruthModel):
    registration = models.CharField(max_length=10, unique=True)
    description = models.CharField(max_length=60)
    keeper = models.ForeignKey(
        TrueAdult, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.registration


class Phone(TruthModel):
    number = models.CharField(max_length=20, unique=True)
    user_adult = models.ForeignKey(
        TrueAdult, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )
    user_child = models.ForeignKey(
        TrueChild, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.number


class EntityKind(models.TextChoices):
    ADULT = "adult", "Adult"
    CHILD = "child", "Child"
    PLACE = "place", "Place"
    VEHICLE = "vehicle", "Vehicle"
    PHONE = "phone", "Phone"


class LinkKind(models.TextChoices):
    """What really connects two entities. Worded as what adults do, never as a child's choice."""

    EXPLOITS = "exploits", "Adult exploits child"
    ASSOCIATES_WITH = "associates_with", "Adults act together"
    LIVES_AT = "lives_at", "Lives at"
    USES_PLACE = "uses_place", "Adult uses place to exploit children"
    TAKEN_TO = "taken_to", "Child taken to place by adults"
    DRIVES = "drives", "Adult drives vehicle"
    TRANSPORTED_IN = "transported_in", "Child transported in vehicle"
    USES_PHONE = "uses_phone", "Uses phone"
    CONTACTED = "contacted", "Phone contacted phone"
    INTRODUCED = "introduced", "Child made to introduce another child"


class NetworkLink(TruthModel):
    """One true edge of the exploitation networks, for scoring network analysis."""

    group = models.ForeignKey(
        ExploitationGroup,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="links",
    )
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    source_kind = models.CharField(max_length=10, choices=EntityKind.choices)
    source_id = models.UUIDField()
    target_kind = models.CharField(max_length=10, choices=EntityKind.choices)
    target_id = models.UUIDField()
    first_seen = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["source_id"]), models.Index(fields=["target_id"])]

    def __str__(self) -> str:
        return f"{self.source_kind} {self.kind} {self.target_kind}"
