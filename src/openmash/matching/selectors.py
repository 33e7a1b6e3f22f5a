"""Reads for clerical review. A reviewer sees only what the review needs (ADR 0030).

- The queue shows, per pair, the two holding agencies, the match weight and where the pair
  came from: no names, no dates of birth.
- A review page shows the two agency identities side by side, as each agency holds them,
  and whether each already belongs to a hub child (by a short reference only). Never the
  children's case records, their other identities, or anyone else's.
- Only the hub's officers and managers are reviewers, and only while the pair waits for a
  decision (open or "not sure"). Every page view is written to the read log with the ids of
  the children the two identities belong to, so each child's allocated worker sees that a
  reviewer looked at their identities.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404

from openmash.accounts.actor import Actor
from openmash.accounts.roles import Role
from openmash.audit.models import Action, Outcome
from openmash.audit.services import access_event_record
from openmash.people.models import AgencyIdentity

from .models import ChildMerge, Decision, MatchModel, MergeStatus, ReviewDecision, ReviewPair, ReviewStatus

REVIEWER_ROLES = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER})
WAITING = (ReviewStatus.OPEN, ReviewStatus.NOT_SURE)
REVIEW_RESOURCE = "identity_review"
IDENTITY_FIELDS = (
    ("forename", "Forename"),
    ("middle_names", "Middle names"),
    ("surname", "Surname"),
    ("other_surnames", "Earlier or other surnames"),
    ("date_of_birth", "Date of birth"),
    ("sex", "Sex"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("nhs_number", "NHS number"),
    ("unique_pupil_number", "Unique pupil number"),
    ("recorded_on", "First recorded by the agency"),
)


class ReviewNotFound(Http404):
    """A review that does not exist or is not this person's to see: the denial is in the read log.

    Like access.ChildNotFound: the request's transaction is rolled back by the exception, so
    the 404 handler calls `after_rollback` to write the denial again, outside it (once).
    """

    def __init__(self, message: str, *, actor: Actor | None = None, resource_id: str = "") -> None:
        super().__init__(message)
        self.actor = actor
        self.resource_id = resource_id
        self.event_id: int | None = None
        if actor is not None:
            self.record()

    def record(self) -> None:
        assert self.actor is not None
        self.event_id = access_event_record(
            actor=self.actor,
            action=Action.VIEW,
            resource_type=REVIEW_RESOURCE,
            resource_id=self.resource_id[:64],
            purpose="Clerical review of a possible match",
            outcome=Outcome.DENIED,
        ).pk

    def after_rollback(self) -> None:
        from openmash.audit.models import AccessEvent

        if self.actor is not None and (
            self.event_id is None or not AccessEvent.objects.filter(pk=self.event_id).exists()
        ):
            self.record()


def may_review(actor: Actor) -> bool:
    return actor.user_id is not None and actor.role in REVIEWER_ROLES


@dataclass(frozen=True)
class QueueRow:
    review_id: uuid.UUID
    agency_a: str
    agency_b: str
    match_weight: float
    status: str
    source: str


def review_queue_for_user(
    *, actor: Actor, page_number: Any = 1, per_page: int = 50
) -> tuple[Page[ReviewPair], list[QueueRow]]:
    """A page of waiting reviews (strongest first) and what the queue shows of each."""
    if not may_review(actor):
        raise ReviewNotFound("Not a reviewer", actor=actor, resource_id="queue")
    reviews = (
        ReviewPair.objects.filter(status__in=WAITING)
        .select_related("identity_a__agency", "identity_b__agency")
        .order_by("-match_weight", "pk")
    )
    page = Paginator(reviews, per_page).get_page(page_number)
    rows = [
        QueueRow(
            r.pk,
            r.identity_a.agency.name,
            r.identity_b.agency.name,
            r.match_weight,
            r.get_status_display(),
            r.get_source_display(),
        )
        for r in page.object_list
    ]
    access_event_record(
        actor=actor,
        action=Action.LIST,
        resource_type=REVIEW_RESOURCE,
        purpose="Clerical review queue (no personal details shown)",
        outcome=Outcome.GRANTED,
    )
    return page, rows


@dataclass(frozen=True)
class FieldRow:
    label: str
    value_a: str
    value_b: str
    differs: bool


@dataclass(frozen=True)
class ReviewView:
    review: ReviewPair
    agency_a: str
    agency_b: str
    record_a: str
    record_b: str
    child_ref_a: str
    child_ref_b: str
    rows: list[FieldRow]
    explanation: list[dict[str, Any]]
    decisions: list[ReviewDecision]
    upper_threshold: float
    lower_threshold: float


def _display(identity: AgencyIdentity, field: str) -> str:
    value = getattr(identity, field)
    if field == "sex":
        return str(identity.get_sex_display())
    if value is None or value == "":
        return ""
    if hasattr(value, "strftime"):
        return str(value.strftime("%-d %B %Y"))
    return str(value)


def _child_ref(identity: AgencyIdentity) -> str:
    return f"Hub child {str(identity.child_id)[:8]}" if identity.child_id else "Not linked to a hub child"


def review_get_for_user(*, actor: Actor, review_id: uuid.UUID | str) -> ReviewView:
    """One waiting review for a reviewer, logged with the children it touches; 404 otherwise."""
    review = (
        ReviewPair.objects.select_related("identity_a__agency", "identity_b__agency", "model")
        .filter(pk=review_id, status__in=WAITING)
        .first()
        if may_review(actor)
        else None
    )
    if review is None:
        raise ReviewNotFound("No such review", actor=actor, resource_id=str(review_id))
    a, b = review.identity_a, review.identity_b
    rows = []
    for field, label in IDENTITY_FIELDS:
        va, vb = _display(a, field), _display(b, field)
        # Marked only where both agencies hold the detail and it differs: a missing detail is
        # no evidence, and when each agency first recorded the child is not about the child.
        differs = field != "recorded_on" and bool(va and vb) and va.lower() != vb.lower()
        rows.append(FieldRow(label, va, vb, differs=differs))
    access_event_record(
        actor=actor,
        action=Action.VIEW,
        resource_type=REVIEW_RESOURCE,
        resource_id=str(review.pk),
        child_ids=[c for c in (a.child_id, b.child_id) if c],
        purpose="Clerical review of a possible match",
        outcome=Outcome.GRANTED,
    )
    return ReviewView(
        review=review,
        agency_a=a.agency.name,
        agency_b=b.agency.name,
        record_a=a.agency_record_id,
        record_b=b.agency_record_id,
        child_ref_a=_child_ref(a),
        child_ref_b=_child_ref(b),
        rows=rows,
        explanation=list(review.explanation),
        decisions=list(review.decisions.select_related("decided_by").order_by("created_at")),
        upper_threshold=review.model.upper_threshold,
        lower_threshold=review.model.lower_threshold,
    )


def review_labels() -> list[tuple[str, str, float]]:
    """Decided pairs as training labels: (identity, identity, 1.0 same child / 0.0 different).

    The latest decision of "same" or "different" on each pair counts; "not sure" is no label.
    """
    latest: dict[uuid.UUID, tuple[str, str, float]] = {}
    for review_id, a, b, decision in (
        ReviewDecision.objects.filter(decision__in=[Decision.MATCH, Decision.NOT_MATCH])
        .order_by("created_at")
        .values_list("review_id", "review__identity_a_id", "review__identity_b_id", "decision")
    ):
        latest[review_id] = (str(a), str(b), 1.0 if decision == Decision.MATCH else 0.0)
    return list(latest.values())


def active_model() -> MatchModel | None:
    return MatchModel.objects.filter(is_active=True).first()


def merges_for_user(*, actor: Actor) -> list[ChildMerge]:
    """Merges still in force, for the hub's officers and managers (who may undo them)."""
    if not may_review(actor):
        raise ReviewNotFound("Not a reviewer", actor=actor, resource_id="merges")
    return list(ChildMerge.objects.filter(status=MergeStatus.MERGED).order_by("-created_at")[:200])


def threshold_sample_decisions(*, model: MatchModel) -> dict[int, tuple[int, int]]:
    """For a model's random-sample reviews: per whole-bit weight group, (same child, different
    children) by the latest decision of each pair ("not sure" counts as neither)."""
    from . import thresholds

    latest: dict[uuid.UUID, tuple[float, str]] = {}
    for review_id, weight, decision in (
        ReviewDecision.objects.filter(review__model=model, review__source="sample")
        .filter(decision__in=[Decision.MATCH, Decision.NOT_MATCH])
        .order_by("created_at")
        .values_list("review_id", "review__match_weight", "decision")
    ):
        latest[review_id] = (weight, decision)
    counts: dict[int, list[int]] = {}
    for weight, decision in latest.values():
        group = max(thresholds.LOW, min(thresholds.HIGH, int(weight // 1)))
        same, different = counts.setdefault(group, [0, 0])
        counts[group] = [same + (decision == Decision.MATCH), different + (decision == Decision.NOT_MATCH)]
    return {group: (same, different) for group, (same, different) in counts.items()}
