"""Matching models, runs, clerical review, and reversible merges of children.

Nothing here is deleted by users. A review's decisions are appended; a merge is undone by
an unmerge that is recorded on the same row, and every row a merge moved is listed so the
unmerge can move exactly those rows back.
"""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q

from openmash.accounts.models import User
from openmash.core.models import BaseModel
from openmash.people.models import AgencyIdentity, Child


class MatchModel(BaseModel):
    """One trained version of the Splink model, with what it was trained on and its thresholds."""

    version = models.PositiveIntegerField(unique=True)
    engine = models.CharField(max_length=20, default="duckdb")
    splink_model = models.JSONField(help_text="Splink's model JSON: comparisons, blocking rules, m and u")
    training_summary = models.JSONField(default=dict)
    term_frequencies = models.JSONField(
        default=dict, help_text="column -> {value: relative frequency}, for scoring single identities"
    )
    upper_threshold = models.FloatField(help_text="Match weight at or above which identities link")
    lower_threshold = models.FloatField(help_text="Match weight at or above which a person reviews")
    threshold_curve = models.JSONField(default=list, help_text="Precision and recall by match weight")
    accuracy = models.JSONField(default=dict)
    trained_by = models.CharField(max_length=150)
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_model"
            ),
            models.CheckConstraint(
                condition=Q(upper_threshold__gt=models.F("lower_threshold")), name="model_upper_above_lower"
            ),
        ]

    def __str__(self) -> str:
        return f"Matching model v{self.version}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class MatchRun(BaseModel):
    """A full re-run over every agency identity (`openmash match run`)."""

    model = models.ForeignKey(MatchModel, on_delete=models.PROTECT, related_name="runs")
    engine = models.CharField(max_length=20)
    started_by = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    finished_at = models.DateTimeField(null=True, blank=True)
    identities = models.PositiveIntegerField(default=0)
    candidate_pairs = models.PositiveBigIntegerField(default=0)
    links_made = models.PositiveIntegerField(default=0)
    reviews_opened = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Match run {self.created_at:%Y-%m-%d %H:%M} ({self.status})"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    NOT_SURE = "not_sure", "Not sure: needs a second look"
    MATCH = "match", "Same child"
    NOT_MATCH = "not_match", "Different children"
    SUPERSEDED = "superseded", "No longer needed"


class ReviewSource(models.TextChoices):
    RUN = "run", "Full matching run"
    ARRIVAL = "arrival", "Match on arrival"
    SAMPLE = "sample", "Random sample for thresholds"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ReviewPair(BaseModel):
    """Two agency identities the model could not decide about: a person decides."""

    identity_a = models.ForeignKey(AgencyIdentity, on_delete=models.PROTECT, related_name="+")
    identity_b = models.ForeignKey(AgencyIdentity, on_delete=models.PROTECT, related_name="+")
    model = models.ForeignKey(MatchModel, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=10, choices=ReviewSource.choices)
    match_weight = models.FloatField()
    match_probability = models.FloatField()
    explanation = models.JSONField(help_text="Each comparison's level and match weight")
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)

    class Meta:
        ordering = ["-match_weight"]
        constraints = [
            models.CheckConstraint(
                condition=Q(identity_a__lt=models.F("identity_b")), name="review_pair_ordered"
            ),
            models.UniqueConstraint(
                fields=["identity_a", "identity_b"],
                condition=Q(status__in=["open", "not_sure"]),
                name="review_pair_one_open",
            ),
        ]
        indexes = [models.Index(fields=["status", "match_weight"], name="review_status_weight")]

    def __str__(self) -> str:
        return f"Review of {self.identity_a_id} and {self.identity_b_id}"


class Decision(models.TextChoices):
    MATCH = "match", "Yes, the same child"
    NOT_MATCH = "not_match", "No, different children"
    NOT_SURE = "not_sure", "Not sure"


class ReviewDecision(BaseModel):
    """One person's decision on a review pair, with their reason. Appended, never changed.

    Decisions of "same" and "different" are the labels the model is trained with next time.
    """

    review = models.ForeignKey(ReviewPair, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_by_role = models.CharField(max_length=40)
    decided_by_agency_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.review_id}"


class LinkHow(models.TextChoices):
    AUTOMATIC = "automatic", "Linked automatically (full run)"
    ARRIVAL = "arrival", "Linked automatically on arrival"
    REVIEW = "review", "Linked by a person's review"
    NEW_CHILD = "new_child", "Made a new child"


class IdentityLink(BaseModel):
    """Why an identity was linked to a child: the evidence an unmerge uses to put it back."""

    identity = models.ForeignKey(AgencyIdentity, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(max_length=10, choices=LinkHow.choices)
    matched_identity = models.ForeignKey(
        AgencyIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The existing identity it matched best",
    )
    match_weight = models.FloatField(null=True, blank=True)
    model = models.ForeignKey(MatchModel, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review = models.ForeignKey(ReviewPair, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    linked_by = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["identity", "created_at"], name="identity_link_latest")]

    def __str__(self) -> str:
        return f"{self.identity_id} -> {self.child_id} ({self.how})"


class MergeStatus(models.TextChoices):
    MERGED = "merged", "Merged"
    UNMERGED = "unmerged", "Unmerged"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ChildMerge(BaseModel):
    """Two hub children found to be one: `merged` is folded into `survivor`, reversibly."""

    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(ReviewPair, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=MergeStatus.choices, default=MergeStatus.MERGED)
    reason = models.TextField()
    merged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    merged_child_snapshot = models.JSONField(help_text="The merged child's own fields at the merge")
    survivor_snapshot = models.JSONField(help_text="The survivor's own fields at the merge")
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unmerge_reason = models.TextField(blank=True)
    unmerge_placements = models.JSONField(
        default=list, blank=True, help_text="Where each row attached since the merge was put, and why"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=models.F("merged")), name="merge_two_children"),
            models.UniqueConstraint(
                fields=["merged"], condition=Q(status="merged"), name="merge_child_merged_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Merge of {self.merged_id} into {self.survivor_id}"


class MergeSide(models.TextChoices):
    MERGED = "merged", "Moved from the merged child to the survivor"
    SURVIVOR = "survivor", "The survivor's own, left in place"
    LEFT = "left", "The merged child's, append-only, left with it"


class MergeMove(models.Model):
    """One row attached to either child at the merge: the merged child's rows were pointed at the
    survivor; the survivor's are listed so an unmerge can tell what was attached since."""

    id = models.BigAutoField(primary_key=True)
    merge = models.ForeignKey(ChildMerge, on_delete=models.PROTECT, related_name="moves")
    side = models.CharField(max_length=10, choices=MergeSide.choices, default=MergeSide.MERGED)
    model_label = models.CharField(max_length=100)
    field_name = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merge", "side", "model_label", "field_name", "object_pk"], name="merge_move_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model_label}.{self.field_name} {self.object_pk}"
