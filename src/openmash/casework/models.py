"""Casework records: plans and their actions, legal status and placements, visits, meetings,
missing episodes and return interviews, Children in Care Council feedback, and closure.

History is data (ARCHITECTURE.md): plan states, action statuses, legal statuses, placements,
visits, meetings and feedback are append-only rows, each with the time it took effect and the
time it was recorded; a database trigger refuses updates and deletes. A correction is a new row
that names the row it corrects. Allocation is not a model here: it is an access Relationship
(basis allocated_worker or supporting_worker), so ending it ends access.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Q

from openmash.accounts.models import Agency, Team, User
from openmash.core.models import BaseModel
from openmash.people.models import Child

APPEND_ONLY = pgtrigger.Protect(
    name="append_only", operation=pgtrigger.Update | pgtrigger.Delete, when=pgtrigger.Before
)
NO_DELETE = pgtrigger.Protect(name="no_delete", operation=pgtrigger.Delete, when=pgtrigger.Before)


class PlanKind(models.TextChoices):
    CHILD_PROTECTION = "cp", "Child protection plan"
    EXPLOITATION = "exploitation", "Exploitation (CSE/CCE) plan"
    CHILD_IN_NEED = "cin", "Child in need plan"
    LOOKED_AFTER = "cla", "Looked-after care plan"
    PATHWAY = "pathway", "Care leaver's pathway plan"


class CPCategory(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    MULTIPLE = "multiple", "Multiple"


class ExploitationType(models.TextChoices):
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation"
    BOTH = "both", "Sexual and criminal exploitation"


class Plan(BaseModel):
    """One plan for one child. What it says and when it starts never change; its state does,
    through PlanState rows."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="casework_plans")
    kind = models.CharField(max_length=20, choices=PlanKind.choices)
    started_on = models.DateField()
    cp_category = models.CharField(max_length=20, choices=CPCategory.choices, blank=True)
    exploitation_type = models.CharField(max_length=10, choices=ExploitationType.choices, blank=True)
    summary = models.TextField(blank=True, help_text="What the plan is for and how it will help")
    child_views = models.TextField(blank=True, help_text="What the child said and wanted, verbatim")
    personal_adviser = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source_meeting = models.ForeignKey(
        "Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="plans_made"
    )

    class Meta:
        ordering = ["-started_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="cp") | ~Q(cp_category=""), name="cp_plan_has_category"),
        ]
        indexes = [models.Index(fields=["child", "kind"], name="plan_child_kind")]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.started_on}"


class PlanStateValue(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class PlanState(BaseModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="states")
    state = models.CharField(max_length=10, choices=PlanStateValue.choices)
    effective_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["plan", "effective_at", "created_at"]
        triggers = [APPEND_ONLY]


class ActionStatusValue(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    # Stored as "no_longer_needed" since the first release; shown as "Dropped" (with its reason).
    NO_LONGER_NEEDED = "no_longer_needed", "Dropped"


# An action still needs doing (and blocks closure) while open or in progress.
UNFINISHED_ACTION_STATUSES = (ActionStatusValue.OPEN, ActionStatusValue.IN_PROGRESS)


class PlanAction(BaseModel):
    """A SMART action: specific (what), owned (who), time-bound (due). Status is in rows."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="actions")
    what = models.TextField()
    owner_name = models.CharField(max_length=200)
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    meeting = models.ForeignKey(
        "Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "created_at"]
        triggers = [APPEND_ONLY]


class PlanActionStatus(BaseModel):
    """A change to an action: its status, and (when they change) a new owner or due date.
    The newest row that names an owner or due date gives the current one."""

    action = models.ForeignKey(PlanAction, on_delete=models.PROTECT, related_name="statuses")
    status = models.CharField(max_length=20, choices=ActionStatusValue.choices)
    effective_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True, help_text="Why (required when dropped)")
    owner_name = models.CharField(max_length=200, blank=True, help_text="A new owner, if it changed")
    due_on = models.DateField(null=True, blank=True, help_text="A new due date, if it changed")

    class Meta:
        ordering = ["action", "effective_at", "created_at"]
        triggers = [APPEND_ONLY]


class PathwayDimension(models.TextChoices):
    EDUCATION = "education", "Education"
    TRAINING = "training", "Training"
    EMPLOYMENT = "employment", "Employment"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    FINANCES = "finances", "Finances"
    ACCOMMODATION = "accommodation", "Accommodation"
    SUPPORT_NETWORKS = "support_networks", "Support networks"
    LEISURE = "leisure", "Leisure"
    FAMILY_CONTACTS = "family_contacts", "Family contacts"


class PathwayEntry(BaseModel):
    """One dimension of a pathway plan as it stood when recorded; the newest per dimension is current."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="pathway_entries")
    dimension = models.CharField(max_length=20, choices=PathwayDimension.choices)
    needs = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    young_persons_words = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "dimension", "created_at"]
        triggers = [APPEND_ONLY]


class AdviserChange(BaseModel):
    """A care leaver's personal adviser from a date: the plan names the first; each change is a
    row, kept, so who advised the young person when stays on record."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="adviser_changes")
    adviser = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField()
    reason = models.TextField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "effective_on", "created_at"]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"Personal adviser from {self.effective_on}"


class LegalStatusCode(models.TextChoices):
    C1 = "C1", "C1 Interim care order"
    C2 = "C2", "C2 Full care order"
    D1 = "D1", "D1 Freeing order"
    E1 = "E1", "E1 Placement order"
    V2 = "V2", "V2 Single period of accommodation under section 20"
    V3 = "V3", "V3 Short breaks: single episodes"
    V4 = "V4", "V4 Short breaks: agreed series"
    L1 = "L1", "L1 Police protection in local authority accommodation"
    L2 = "L2", "L2 Emergency protection order"
    L3 = "L3", "L3 Child assessment order in local authority accommodation"
    J1 = "J1", "J1 Remand to local authority or youth detention accommodation"
    J2 = "J2", "J2 PACE accommodation"
    J3 = "J3", "J3 Youth rehabilitation order with residence or fostering requirement"


class LegalStatus(BaseModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="legal_statuses")
    code = models.CharField(max_length=2, choices=LegalStatusCode.choices)
    effective_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["plan", "effective_on", "created_at"]
        triggers = [APPEND_ONLY]


class PlacementType(models.TextChoices):
    A3 = "A3", "A3 Placed for adoption with consent, with current foster carer"
    A4 = "A4", "A4 Placed for adoption with consent, not with current foster carer"
    A5 = "A5", "A5 Placed for adoption with placement order, with current foster carer"
    A6 = "A6", "A6 Placed for adoption with placement order, not with current foster carer"
    K1 = "K1", "K1 Secure children's home"
    K2 = "K2", "K2 Children's home"
    K3 = "K3", "K3 Registered supported accommodation"
    P1 = "P1", "P1 With parent or person with parental responsibility"
    P3 = "P3", "P3 Residential employment"
    R1 = "R1", "R1 Residential care home"
    R2 = "R2", "R2 NHS or health trust establishment"
    R3 = "R3", "R3 Family centre or mother and baby unit"
    R5 = "R5", "R5 Young offender institution"
    S1 = "S1", "S1 Residential school"
    T0 = "T0", "T0 Temporary move: all types"
    T1 = "T1", "T1 Temporary move: hospital"
    T2 = "T2", "T2 Temporary move: holiday"
    T3 = "T3", "T3 Temporary move: carer's holiday"
    T4 = "T4", "T4 Temporary move: other, up to 7 days"
    U1 = "U1", "U1 Kinship: fostered with relative or friend, long term"
    U2 = "U2", "U2 Kinship: fostered with relative or friend, fostering for adoption or concurrent"
    U3 = "U3", "U3 Kinship: fostered with relative or friend, other"
    U4 = "U4", "U4 Foster placement with other carer, long term"
    U5 = "U5", "U5 Foster placement with other carer, fostering for adoption or concurrent"
    U6 = "U6", "U6 Foster placement with other carer, other"
    Z1 = "Z1", "Z1 Other placement"
    Z11 = "Z11", "Z11 Other placement (2025-26 split)"
    Z12 = "Z12", "Z12 Other placement (2025-26 split)"
    Z13 = "Z13", "Z13 Other placement (2025-26 split)"
    Z14 = "Z14", "Z14 Other placement (2025-26 split)"


class PlacementProvider(models.TextChoices):
    PR0 = "PR0", "Parents or person with parental responsibility"
    PR1 = "PR1", "Own local authority"
    PR2 = "PR2", "Other local authority"
    PR3 = "PR3", "Other public provision"
    PR4 = "PR4", "Private provision"
    PR5 = "PR5", "Voluntary or third sector"


class PlacementChangeReason(models.TextChoices):
    """SSDA903 REASON_PLACE_CHANGE."""

    CARPL = "CARPL", "Change to, or implementation of, the care plan"
    CLOSE = "CLOSE", "Resignation or closure of the provision"
    ALLEG = "ALLEG", "Allegation (section 47 enquiry)"
    STAND = "STAND", "Standards of care concern"
    APPRR = "APPRR", "Approval removed"
    CREQB = "CREQB", "Carer requests the placement end: the child's behaviour"
    CREQO = "CREQO", "Carer requests the placement end: other"
    CHILD = "CHILD", "The child's wishes"
    LAREQ = "LAREQ", "Responsible authority requests the placement end"
    PLACE = "PLACE", "Change in the status of the placement only"
    CUSTOD = "CUSTOD", "Custody arrangement"
    OTHER = "OTHER", "Other"


class VisitRegime(models.TextChoices):
    """How often the child must be visited in a placement (SI 2010/959 reg 28; reference §6 row 11).
    Which clock each regime runs is casework configuration (casework/visit_regimes.py)."""

    STANDARD = "standard", "Standard: within a week, then at least every 6 weeks"
    PLACED_WITH_PARENTS = (
        "reg19",
        ("Placed with parents before assessment (reg 19): weekly until the first review"),
    )
    CONNECTED_PERSON = (
        "reg24",
        (
            "Connected person, temporary approval (reg 24), or interim care order at home: "
            "weekly until the first review, then at least every 4 weeks"
        ),
    )
    CARE_ORDER_AT_HOME = (
        "care_order_home",
        ("Care order, placed at home: within a week, then at least every 6 weeks"),
    )


class Placement(BaseModel):
    """A placement from `started_on` until the next placement row of the plan (or the plan ends)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="placements")
    place = models.CharField(max_length=3, choices=PlacementType.choices)
    provider = models.CharField(max_length=3, choices=PlacementProvider.choices)
    carer_or_setting = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10, blank=True)
    started_on = models.DateField()
    reason_for_change = models.CharField(
        max_length=6,
        choices=PlacementChangeReason.choices,
        blank=True,
        help_text="Blank for the first placement",
    )
    visit_regime = models.CharField(max_length=20, choices=VisitRegime.choices, default=VisitRegime.STANDARD)
    intended_until_18 = models.BooleanField(
        default=False, help_text="Meant to last until the child is 18: 3-monthly visits after the first year"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["plan", "started_on", "created_at"]
        triggers = [APPEND_ONLY]


class LongTermVisitAgreement(BaseModel):
    """Reg 28(3A): in a long-term foster placement of at least a year, with the child's agreement
    (and the IRO consulted), visits may be at most every 6 months from this agreement on."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="visit_agreements")
    agreed_on = models.DateField()
    iro_consulted = models.BooleanField()
    child_words = models.TextField(blank=True, help_text="What the child said about fewer visits, verbatim")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["placement", "agreed_on", "created_at"]
        triggers = [APPEND_ONLY]


class Visit(BaseModel):
    """A visit to a child. The child's own words are kept exactly as written and shown as a quotation."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="casework_visits")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    visited_at = models.DateTimeField()
    visitor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    statutory = models.BooleanField(default=True)
    child_seen = models.BooleanField()
    seen_alone = models.BooleanField()
    not_seen_alone_reason = models.TextField(blank=True)
    bedroom_seen = models.BooleanField(null=True, blank=True)
    location = models.CharField(max_length=200, help_text="Where the child was seen")
    child_words = models.TextField(blank=True, help_text="The child's own words, verbatim")
    observations = models.TextField(blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-visited_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(child_seen=True) | Q(seen_alone=False), name="alone_means_seen"
            ),
        ]
        indexes = [models.Index(fields=["child", "visited_at"], name="visit_child_when")]
        triggers = [APPEND_ONLY]


class MeetingKind(models.TextChoices):
    STRATEGY = "strategy", "Strategy discussion"
    ICPC = "icpc", "Initial child protection conference"
    CP_REVIEW = "cp_review", "Review child protection conference"
    CORE_GROUP = "core_group", "Core group"
    CLA_REVIEW = "cla_review", "Looked-after review"
    PATHWAY_REVIEW = "pathway_review", "Pathway plan review"
    EXPLOITATION = "exploitation", "Multi-agency exploitation meeting"


class Meeting(BaseModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="casework_meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    held_at = models.DateTimeField()
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings")
    chair = models.CharField(max_length=200, blank=True)
    decisions = models.TextField(blank=True)
    child_views = models.TextField(blank=True, help_text="What the child said and wanted, verbatim")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_at"]
        indexes = [models.Index(fields=["child", "held_at"], name="meeting_child_when")]
        triggers = [APPEND_ONLY]


class MeetingInvitee(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="invitees")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    attended = models.BooleanField()

    class Meta:
        ordering = ["meeting", "agency__name"]
        triggers = [APPEND_ONLY]


class MissingKind(models.TextChoices):
    MISSING = "M", "Missing"
    AWAY = "A", "Away from placement without authorisation"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class MissingEpisode(BaseModel):
    """A missing or away episode. The return is recorded once, later (`ended_at`); rows are never
    deleted, and pghistory keeps every change."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="missing_episodes")
    kind = models.CharField(max_length=1, choices=MissingKind.choices)
    started_at = models.DateTimeField(help_text="Later of leaving and last seen by a responsible adult")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Found or returned")
    reported_by = models.CharField(max_length=200, blank=True)
    where_found = models.CharField(max_length=300, blank=True)
    found_with = models.CharField(max_length=300, blank=True)
    condition_on_return = models.TextField(blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="missing_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["child", "started_at"], name="missing_child_start")]
        triggers = [NO_DELETE]


class ReturnInterview(BaseModel):
    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="return_interviews")
    offered_at = models.DateTimeField()
    accepted = models.BooleanField()
    held_at = models.DateTimeField(null=True, blank=True)
    interviewer = models.CharField(max_length=200, blank=True)
    outcome = models.TextField(blank=True)
    child_words = models.TextField(blank=True)
    late_reason = models.TextField(blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-offered_at"]
        triggers = [APPEND_ONLY]


class CareCouncilTheme(models.TextChoices):
    CONTACT = "contact", "Family time and contact"
    PLACEMENT = "placement", "Where I live"
    SOCIAL_WORKER = "social_worker", "My social worker"
    SCHOOL = "school", "School and learning"
    HEALTH = "health", "Health and wellbeing"
    SAFETY = "safety", "Feeling safe"
    MONEY = "money", "Money and things I need"
    ACTIVITIES = "activities", "Hobbies and activities"
    LEAVING_CARE = "leaving_care", "Leaving care"
    OTHER = "other", "Something else"


class CareCouncilFeedback(BaseModel):
    """What a looked-after child asked the Children in Care Council to hear, in their own words."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="care_council_feedback")
    given_on = models.DateField()
    theme = models.CharField(max_length=20, choices=CareCouncilTheme.choices)
    child_words = models.TextField()
    share_with_council = models.BooleanField(default=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on"]
        triggers = [APPEND_ONLY]


class ClosureStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a manager's sign-off"
    CLOSED = "closed", "Closed"
    REFUSED = "refused", "Refused"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class CaseClosure(BaseModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="casework_closures")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ClosureStatus.choices, default=ClosureStatus.REQUESTED)
    screening_id = models.UUIDField(
        null=True, blank=True, help_text="The fresh exploitation screening relied on"
    )
    signed_off_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        triggers = [NO_DELETE]
