"""The hub's own records: triage state and RAG ratings, information requests, threshold decisions.

History is data. A contact's RAG rating is a row per rating (``RagRating``), never edited;
``Triage`` holds the current one (and the due times the queue sorts on) beside it, as
``Contact.status`` sits beside ``ContactStatusChange``. A threshold decision's sign-offs
are rows of their own. See docs/mash.md and docs/adr/0040-0043.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Q

from openmash.access.models import Relationship
from openmash.accounts.models import Agency, Team, User
from openmash.core.models import BaseModel
from openmash.intake.models import Contact
from openmash.people.models import Child

# Rows that are history: the database refuses to change or delete them.
_APPEND_ONLY = pgtrigger.Protect(
    name="append_only", operation=pgtrigger.Update | pgtrigger.Delete, when=pgtrigger.Before
)


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Triage(BaseModel):
    """A contact's current place in the hub's queue: one row per contact, kept in step by services.

    ``next_due_at`` is the earlier of the RAG and decision deadlines, so the queue can sort
    10,000 open contacts by it in SQL.
    """

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="triage")
    rag = models.CharField(max_length=10, choices=Rag.choices)
    rag_due_at = models.DateTimeField()
    decision_due_at = models.DateTimeField()
    next_due_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_due_at"], name="triage_next_due")]

    def __str__(self) -> str:
        return f"Triage of {self.contact_id}"


class RagRating(models.Model):
    """Append-only: every RAG rating a contact has had, who gave it, when and why."""

    id = models.BigAutoField(primary_key=True)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="rag_ratings")
    rag = models.CharField(max_length=10, choices=Rag.choices)
    due_at = models.DateTimeField()
    rule_description = models.CharField(max_length=60)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by_name = models.CharField(max_length=150)
    reason = models.TextField()

    class Meta:
        ordering = ["contact", "recorded_at", "id"]
        triggers = [_APPEND_ONLY]

    def __str__(self) -> str:
        return f"{self.rag} for {self.contact_id}"


# --- Information requests -------------------------------------------------------------------


class RequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = (
        "public_task",
        "Public task: safeguarding children (UK GDPR art. 6(1)(e); DPA 2018 sch. 1 para. 18)",
    )
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (UK GDPR art. 6(1)(c); Children Act 2004 s11)"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement purpose (DPA 2018 part 3)"
    VITAL_INTERESTS = "vital_interests", "Vital interests: a risk to life (UK GDPR art. 6(1)(d))"
    CONSENT = "consent", "Consent of the family"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class InformationRequest(BaseModel):
    """The hub asks one agency what it holds on the contact's child and household.

    While open, the agency's hub researchers hold an ``information_request`` relationship to
    the child (``relationship``); answering or withdrawing the request ends it.
    """

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="information_requests")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    relationship = models.ForeignKey(
        Relationship, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at"]
        indexes = [models.Index(fields=["agency", "status", "requested_at"], name="inforeq_agency_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "agency"], condition=Q(status="open"), name="inforeq_one_open_per_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"Request to {self.agency_id} about {self.contact_id}"


class InformationResponse(BaseModel):
    """An agency's answer: what it shares, why, and on what lawful basis. Written once, never edited."""

    request = models.OneToOneField(InformationRequest, on_delete=models.PROTECT, related_name="response")
    holds_information = models.BooleanField()
    shared = models.TextField(blank=True, help_text="What the agency holds and shares with the hub")
    withheld = models.TextField(blank=True, help_text="What it holds but does not share, and why")
    reason = models.TextField(help_text="Why sharing (or not) is necessary and proportionate")
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    answered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        triggers = [_APPEND_ONLY]

    def __str__(self) -> str:
        return f"Answer to {self.request_id}"


# --- Threshold decisions --------------------------------------------------------------------


class Outcome(models.TextChoices):
    NFA = "nfa", "No further action"
    INFORMATION_ADVICE = "information_advice", "Information and advice"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Child and family assessment (section 17)"
    STRATEGY = "strategy", "Strategy discussion (section 47)"
    EXPLOITATION = "exploitation", "Exploitation pathway (screening required)"


# Outcomes that hand the child to a team, and so need a matched child and a receiving team.
OUTCOMES_WITH_TEAM = frozenset({Outcome.ASSESSMENT, Outcome.STRATEGY, Outcome.EXPLOITATION})


class DecisionStatus(models.TextChoices):
    AWAITING_SIGN_OFF = "awaiting", "Waiting for a manager's sign-off"
    AWAITING_SECOND = "awaiting_second", "Waiting for a second manager's sign-off"
    IN_EFFECT = "in_effect", "Signed off and in effect"
    RETURNED = "returned", "Returned to the officer to amend"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ThresholdDecision(BaseModel):
    """What the hub decided about a contact, why, and what it opened. Signed off by a manager
    (two, for no further action on a child with live exploitation signs)."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="threshold_decisions")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    rationale = models.TextField()
    strategy_discussion_on = models.DateField(null=True, blank=True)
    receiving_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    late_reason = models.TextField(blank=True, help_text="Why the decision was made after its deadline")
    live_exploitation_signs = models.BooleanField(default=False)
    sign_offs_needed = models.PositiveSmallIntegerField(default=1)
    # 1 when first proposed; each amendment after a manager returned it is the next version.
    # Sign-offs count only for the version they signed; earlier versions are in the history.
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=DecisionStatus.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    effective_at = models.DateTimeField(null=True, blank=True)
    team_relationship = models.ForeignKey(
        Relationship, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["contact"], name="decision_one_per_contact"),
            models.CheckConstraint(
                condition=~Q(outcome="strategy") | Q(strategy_discussion_on__isnull=False),
                name="decision_strategy_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.contact_id}"


class DecisionSignOff(models.Model):
    """Append-only: one manager's sign-off of one version of a decision."""

    id = models.BigAutoField(primary_key=True)
    decision = models.ForeignKey(ThresholdDecision, on_delete=models.PROTECT, related_name="sign_offs")
    version = models.PositiveSmallIntegerField(default=1)
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["decision", "signed_at", "id"]
        triggers = [_APPEND_ONLY]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "version", "signed_by"], name="sign_off_once_per_manager_and_version"
            ),
        ]

    def __str__(self) -> str:
        return f"Sign-off of {self.decision_id}"


class DecisionReturn(models.Model):
    """Append-only: a manager sent a proposed decision back to the officer, and why.

    The decision as it was returned is kept by its history (pghistory); the officer's amended
    proposal is the next ``version``.
    """

    id = models.BigAutoField(primary_key=True)
    decision = models.ForeignKey(ThresholdDecision, on_delete=models.PROTECT, related_name="returns")
    version = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=30, choices=Outcome.choices, help_text="The outcome as returned")
    returned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["decision", "returned_at", "id"]
        triggers = [_APPEND_ONLY]
        constraints = [
            models.UniqueConstraint(fields=["decision", "version"], name="decision_return_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"Return of {self.decision_id} (version {self.version})"
