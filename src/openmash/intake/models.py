"""How things reach the hub: contacts, the concerns and reports behind them, and agency feeds.

A **Contact** is the one thing the hub's front door works from: something about a child
has reached the hub and somebody must decide what happens next. It is deliberately small
(see docs/adr/0020-contact-is-the-front-door-record.md). What arrived lives beside it:

- a professional's **Concern** (and the **Referrer**, which can be sealed),
- a member of the public's **PublicReport**,
- an agency **FeedRecord** (one version of one record an agency system sent).

Feed records that are not themselves contacts (an attendance return, an A&E visit) are
kept as records on file; the ones that are warning signs raise a sign (``SignOutbox``).
History is append-only: a contact's status changes are rows in ``ContactStatusChange``;
a changed feed record is a new ``FeedRecord`` version; nothing here is deleted.
"""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from openmash.access.models import Relationship
from openmash.accounts.models import Agency, Team, User
from openmash.core.models import BaseModel
from openmash.people.models import AgencyIdentity, Child


class ContactSource(models.TextChoices):
    PROFESSIONAL = "professional", "Professional"
    PUBLIC = "public", "Member of the public"
    FEED = "feed", "Agency feed"
    INTELLIGENCE = "intelligence", "Intelligence alert"


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate risk of harm"
    SAME_DAY = "same_day", "Needs a decision today"
    ROUTINE = "routine", "Normal timescales"


URGENCY_ORDER = {Urgency.IMMEDIATE: 0, Urgency.SAME_DAY: 1, Urgency.ROUTINE: 2}


class ContactStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Contact(BaseModel):
    """Something about a child has reached the hub and is waiting for (or has had) a decision.

    While a contact is open and its child is known, the hub's MASH team holds a
    ``hub_contact`` relationship to the child (``hub_relationship``); closing the contact
    ends it. ``status`` is the current state; every change is also a ``ContactStatusChange``.
    """

    reference = models.CharField(max_length=20, unique=True)
    source = models.CharField(max_length=20, choices=ContactSource.choices)
    received_at = models.DateTimeField(db_index=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    identity = models.ForeignKey(
        AgencyIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The incoming identity, when the child is not yet matched",
    )
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE)
    is_re_referral = models.BooleanField(default=False)
    re_referral_reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=ContactStatus.choices, default=ContactStatus.OPEN)
    summary = models.CharField(max_length=300, help_text="One line for the hub's queue")
    source_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    hub_team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    hub_relationship = models.ForeignKey(
        Relationship, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    feed_record = models.OneToOneField(
        "FeedRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="contact"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="contact_status_received"),
            models.Index(fields=["child", "received_at"], name="contact_child_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="contact_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ContactStatusChange(models.Model):
    """Append-only: every status a contact has had, when it took effect and who recorded it."""

    id = models.BigAutoField(primary_key=True)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(max_length=10, choices=ContactStatus.choices)
    effective_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["contact", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.status}"


class FamilyKnows(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "I do not know"


class SharingBasis(models.TextChoices):
    CONSENT = "consent", "The family agreed to the information being shared"
    SAFEGUARDING = (
        "safeguarding",
        ("Safeguarding without consent: asking would put the child at risk or is not possible"),
    )
    LEGAL_DUTY = "legal_duty", "A legal duty or court order requires it"
    LAW_ENFORCEMENT = "law_enforcement", "Police: shared for a law-enforcement purpose"


class Concern(BaseModel):
    """A professional's concern, as they told it. The child's own words are kept verbatim."""

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="concern")
    # The child as the practitioner described them (or as held, if they chose a child
    # they already work with). The hub, not the reporter, matches this to a record.
    chosen_child = models.BooleanField(default=False)
    child_forename = models.CharField(max_length=100, blank=True)
    child_surname = models.CharField(max_length=100, blank=True)
    child_known_as = models.CharField(max_length=100, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    child_age_text = models.CharField(max_length=50, blank=True)
    child_nhs_number = models.CharField(max_length=10, blank=True)
    child_upn = models.CharField(max_length=13, blank=True)
    child_address = models.CharField(max_length=300, blank=True)
    child_postcode = models.CharField(max_length=8, blank=True)
    child_school_or_setting = models.CharField(max_length=200, blank=True)
    what_happened = models.TextField()
    happened_on = models.DateField(null=True, blank=True)
    happened_when_text = models.CharField(max_length=200, blank=True)
    where = models.CharField(max_length=300, blank=True)
    what_seen_or_told = models.TextField()
    child_words = models.TextField(blank=True, help_text="Exactly what the child said, never edited")
    indicator_codes = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    adults = models.JSONField(default=list, blank=True)
    places = models.JSONField(default=list, blank=True)
    vehicles = models.JSONField(default=list, blank=True)
    phones = models.JSONField(default=list, blank=True)
    family_knows = models.CharField(max_length=10, choices=FamilyKnows.choices)
    family_not_told_reason = models.TextField(blank=True)
    sharing_basis = models.CharField(max_length=20, choices=SharingBasis.choices)

    def __str__(self) -> str:
        return f"Concern {self.contact_id}"


class Referrer(BaseModel):
    """Who reported. When ``sealed``, the family never sees it (security reference §4.4)."""

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="referrer")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    agency_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    sealed = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Referrer for {self.contact_id}"


class PublicReport(BaseModel):
    """An anonymous report from a member of the public. Never shown back to the person who sent it."""

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="public_report")
    worry = models.TextField()
    child_description = models.CharField(max_length=500, blank=True)
    location = models.CharField(max_length=500, blank=True)
    when = models.CharField(max_length=200, blank=True)
    reporter_contact = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Public report {self.contact_id}"


class PublicReportAttempt(models.Model):
    """Rate limiting for the public form: a keyed hash of the client address, never the address."""

    id = models.BigAutoField(primary_key=True)
    client_hash = models.CharField(max_length=64)
    attempted_at = models.DateTimeField()
    accepted = models.BooleanField(default=False)
    reason = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client_hash", "attempted_at"], name="public_attempt_client_time")]

    def __str__(self) -> str:
        return f"{self.attempted_at}: {self.reason or 'accepted'}"


class ConcernDraft(BaseModel):
    """A concern being written, kept so nothing is lost if the session times out. Only its author sees it."""

    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    submitted_contact = models.OneToOneField(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["owner", "updated_at"], name="draft_owner_updated")]

    def __str__(self) -> str:
        return f"Draft {self.pk}"


# --- Agency feeds -------------------------------------------------------------------------


class FeedClient(BaseModel):
    """An agency system allowed to post feeds. Only a SHA-256 of its token is stored."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="feed_clients")
    name = models.CharField(max_length=200)
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=16, help_text="The token's first characters, to recognise it")
    feeds = ArrayField(models.CharField(max_length=40))
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="feed_client_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code})"


class Channel(models.TextChoices):
    FILE = "file", "File import"
    API = "api", "API"


class BatchStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"


class FeedBatch(BaseModel):
    """One file import or one API post. A file import killed half-way is resumed by re-running it."""

    feed = models.CharField(max_length=40)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(FeedClient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    file_name = models.CharField(max_length=300, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_bytes = models.BigIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=1, help_text="How many times this batch was started")
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    new_versions = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    file_errors = models.JSONField(default=list, blank=True)
    row_errors_sample = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "feed", "file_sha256"], name="batch_agency_feed_file")]

    def __str__(self) -> str:
        return f"{self.feed} batch {self.pk}"


class FeedRecord(BaseModel):
    """One version of one record an agency sent, with its original payload, exactly as received.

    The same (agency, feed, source_id) sent again with content already held is not
    stored again; with new content it is stored as the next version.
    """

    # Millions of rows arrive by COPY: no index on created_at (received_at says when), nor on agency
    # or identity by themselves (the unique constraints and the identity index lead with them).
    created_at = models.DateTimeField(auto_now_add=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    feed = models.CharField(max_length=40)
    source_id = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    payload = models.JSONField()
    batch = models.ForeignKey(FeedBatch, on_delete=models.PROTECT, related_name="records")
    row_number = models.PositiveIntegerField()
    identity = models.ForeignKey(AgencyIdentity, on_delete=models.PROTECT, related_name="+", db_index=False)
    event_type = models.CharField(max_length=40, blank=True)
    event_date = models.DateField()
    received_at = models.DateTimeField()
    held_back = models.JSONField(
        default=list,
        blank=True,
        help_text="Fields held back for a bad value, each with why (the original is in the payload)",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "feed", "source_id", "version"], name="feed_record_unique_version"
            ),
            models.UniqueConstraint(
                fields=["agency", "feed", "source_id", "content_hash"], name="feed_record_unique_content"
            ),
        ]
        indexes = [
            models.Index(fields=["identity", "feed", "event_date"], name="feed_record_identity_feed"),
        ]

    def __str__(self) -> str:
        return f"{self.feed} {self.source_id} v{self.version}"


class IdentityReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for review"
    LINKED = "linked", "Linked to a child"
    NEW_CHILD = "new_child", "Recorded as a new child"


class IdentityReview(BaseModel):
    """An incoming identity no exact identifier matched: a person decides who it is (issue 4 takes over)."""

    identity = models.OneToOneField(AgencyIdentity, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=IdentityReviewStatus.choices, default=IdentityReviewStatus.OPEN
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="identity_review_status")]

    def __str__(self) -> str:
        return f"Review of identity {self.identity_id}"


class SignOutbox(models.Model):
    """Warning signs derived from feed records, kept until the exploitation app has taken them.

    One row per (record, indicator), whatever the record's version: deriving the same
    sign again is a no-op, so a re-run import or a resumed batch never raises a sign twice.
    """

    id = models.BigAutoField(primary_key=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    indicator_code = models.CharField(max_length=60)
    observed_on = models.DateField()
    source_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    record_key = models.CharField(
        max_length=200, help_text="agency:feed:source_id — the record whatever its version"
    )
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=64, help_text="The FeedRecord version that raised it")
    record = models.ForeignKey(FeedRecord, on_delete=models.PROTECT, related_name="signs")
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    raised_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(
        max_length=300, blank=True, help_text="Why the exploitation app refused it (kept for support)"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_key", "indicator_code"], name="sign_outbox_unique_record"
            ),
        ]
        indexes = [models.Index(fields=["raised_at"], name="sign_outbox_pending")]

    def __str__(self) -> str:
        return f"{self.indicator_code} for {self.child_id}"
