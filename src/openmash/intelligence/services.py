"""Every write to the intelligence picture. Each checks its named permission first (see access.py).

Nothing is changed in place: recording, correcting, confirming and rejecting each add rows;
a correction points at the row it replaces (models.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.intake.models import ContactSource, Urgency
from openmash.intake.services import contact_open

from .access import permission_require
from .analytics.alerts import child_alert_summary, shared_entities
from .choices import (
    LINK_ENDS,
    EntityKind,
    HandlingCode,
    IntelligenceAssessment,
    LinkKind,
    PlaceKind,
    SourceEvaluation,
    Status,
)
from .identifiers import IdentifierProblem, account_key, phone_normalise, registration_normalise
from .models import Entity, EntityVersion, Link, SharedEntityAlert


@dataclass(frozen=True)
class Grading:
    """The national 3x5x2 grading: source evaluation, intelligence assessment, handling code."""

    source_evaluation: str
    intelligence_assessment: str
    handling_code: str

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.source_evaluation not in SourceEvaluation.values:
            found["source_evaluation"] = (
                "Source evaluation must be reliable, untested or not_reliable (3x5x2)."
            )
        if self.intelligence_assessment not in IntelligenceAssessment.values:
            found["intelligence_assessment"] = "Intelligence assessment must be A, B, C, D or E (3x5x2)."
        if self.handling_code not in HandlingCode.values:
            found["handling_code"] = "Handling code must be P or C (3x5x2)."
        return found

    def as_fields(self) -> dict[str, str]:
        return {
            "source_evaluation": self.source_evaluation,
            "intelligence_assessment": self.intelligence_assessment,
            "handling_code": self.handling_code,
        }


UNGRADED_CONCERN = Grading("untested", "C", "C")


@dataclass(frozen=True)
class Provenance:
    """Where a fact came from: the agency and its own record; the feed key for idempotent feeds."""

    agency_id: uuid.UUID | None = None
    record: str = ""
    feed_key: str = ""
    content_hash: str = ""


def entity_key(kind: str, attributes: dict[str, Any]) -> str:
    """The identifier that makes two reports the same entity (raises IdentifierProblem)."""
    if kind == EntityKind.VEHICLE:
        # A vehicle described without its registration ("a silver hatchback") has no key.
        registration = str(attributes.get("registration") or "")
        return registration_normalise(registration) if registration else ""
    if kind == EntityKind.PHONE:
        return phone_normalise(str(attributes.get("number", "")))
    if kind == EntityKind.ACCOUNT:
        return account_key(str(attributes.get("platform", "")), str(attributes.get("handle", "")))
    return ""


def _check_attributes(kind: str, attributes: dict[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    if kind == EntityKind.PLACE:
        place_kind = attributes.get("place_kind", PlaceKind.PREMISES)
        if place_kind not in PlaceKind.values:
            problems["place_kind"] = f"Unknown kind of place {place_kind!r}."
        for name, low, high in (("latitude", -90.0, 90.0), ("longitude", -180.0, 180.0)):
            value = attributes.get(name)
            if value is None:
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                problems[name] = f"{name} must be a number."
                continue
            if not low <= number <= high:
                problems[name] = f"{name} must be between {low:g} and {high:g}."
    born = attributes.get("date_of_birth")
    if born and date.fromisoformat(str(born)) > timezone.localdate():
        problems["date_of_birth"] = "The date of birth is in the future."
    return problems


def _version_new(
    *,
    entity: Entity,
    actor: Actor,
    label: str,
    attributes: dict[str, Any],
    grading: Grading,
    provenance: Provenance,
    status: str,
    reason: str,
    corrects: EntityVersion | None = None,
) -> EntityVersion:
    return EntityVersion.objects.create(
        entity=entity,
        label=label.strip()[:200],
        attributes=attributes,
        corrects=corrects,
        source_agency_id=provenance.agency_id,
        source_record=provenance.record[:120],
        feed_key=provenance.feed_key[:200],
        content_hash=provenance.content_hash,
        status=status,
        recorded_at=timezone.now(),
        recorded_by=actor.username[:150],
        reason=reason.strip()[:500],
        **grading.as_fields(),
    )


@transaction.atomic
def entity_record(
    *,
    actor: Actor,
    kind: str,
    label: str,
    grading: Grading,
    attributes: dict[str, Any] | None = None,
    child_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    provenance: Provenance | None = None,
    status: str = Status.UNCONFIRMED,
    reason: str = "",
    process: str = "manual",
) -> Entity:
    """Add an entity to the picture, or return the one already there with the same identifier
    (a registration, a number, an account, a child). A new entity gets its first version."""
    permission_require(actor, "intelligence.entity.record")
    attributes = dict(attributes or {})
    problems = grading.problems()
    if kind not in EntityKind.values:
        problems["kind"] = f"Unknown kind of entity {kind!r}."
    if kind == EntityKind.CHILD and child_id is None:
        problems["child"] = "A child in the picture is a child record: choose the child."
    if status not in Status.values:
        problems["status"] = "Unknown status."
    if not label.strip() and kind != EntityKind.CHILD:
        problems["label"] = "Enter a name or description."
    try:
        key = entity_key(kind, attributes) if kind in EntityKind.values else ""
    except IdentifierProblem as problem:
        field = {"vehicle": "registration", "phone": "number"}.get(kind, "handle")
        problems[field] = str(problem)
        key = ""
    problems.update(_check_attributes(kind, attributes))
    if problems:
        raise ValidationError(problems)
    existing: Entity | None = None
    if kind == EntityKind.CHILD and child_id is not None:
        existing = Entity.objects.filter(kind=kind, child_id=child_id).first()
    elif key:
        existing = Entity.objects.filter(kind=kind, key=key).first()
    if existing is not None:
        return existing
    entity = Entity.objects.create(
        kind=kind, key=key, child_id=child_id, person_id=person_id, created_by_process=process[:60]
    )
    _version_new(
        entity=entity,
        actor=actor,
        label=label or "Child",
        attributes=attributes,
        grading=grading,
        provenance=provenance or Provenance(),
        status=status,
        reason=reason,
    )
    return entity


def _current_version(entity: Entity) -> EntityVersion:
    version = (
        EntityVersion.objects.filter(entity=entity, corrected_by__isnull=True)
        .order_by("-recorded_at")
        .first()
    )
    if version is None:
        raise ValidationError("This entity has no details to correct.")
    return version


@transaction.atomic
def entity_correct(
    *,
    actor: Actor,
    entity: Entity,
    reason: str,
    label: str | None = None,
    attributes: dict[str, Any] | None = None,
    status: str | None = None,
) -> EntityVersion:
    """A new version of an entity's details that points at the one it corrects (confirm or reject
    an entity added from a concern by passing ``status``)."""
    permission = "intelligence.entity.correct"
    permission_require(actor, permission)
    if not reason.strip():
        raise ValidationError({"reason": "Say why (a correction, confirmation or rejection needs a reason)."})
    before = _current_version(entity)
    new_attributes = {**before.attributes, **(attributes or {})}
    problems = _check_attributes(entity.kind, new_attributes)
    if status is not None and status not in Status.values:
        problems["status"] = "Unknown status."
    if problems:
        raise ValidationError(problems)
    grading = Grading(before.source_evaluation, before.intelligence_assessment, before.handling_code)
    return _version_new(
        entity=entity,
        actor=actor,
        label=label if label is not None else before.label,
        attributes=new_attributes,
        grading=grading,
        provenance=Provenance(agency_id=before.source_agency_id, record=before.source_record),
        status=status or before.status,
        reason=reason,
        corrects=before,
    )


def link_problems(
    *,
    kind: str,
    source: Entity | None,
    target: Entity | None,
    valid_from: date | None,
    valid_to: date | None,
    grading: Grading,
    today: date | None = None,
) -> dict[str, str]:
    """Everything wrong with a proposed link, by field (feeds report these per row)."""
    today = today or timezone.localdate()
    problems = grading.problems()
    if kind not in LinkKind.values:
        problems["kind"] = f"Unknown kind of link {kind!r}: one of {', '.join(LinkKind.values)}."
    if source is None:
        problems["source"] = "The entity this link starts from does not exist."
    if target is None:
        problems["target"] = "The entity this link goes to does not exist."
    if source is not None and target is not None:
        if source.pk == target.pk:
            problems["target"] = "A link joins two different entities."
        elif kind in LINK_ENDS:
            starts, ends = LINK_ENDS[kind]
            if source.kind not in starts:
                problems["source"] = f"A '{kind}' link cannot start from a {source.kind}."
            if target.kind not in ends:
                problems["target"] = f"A '{kind}' link cannot go to a {target.kind}."
    if valid_from is None:
        problems["valid_from"] = "Enter the date the link was first known to hold."
    elif valid_from > today:
        problems["valid_from"] = f"{valid_from.isoformat()} is in the future."
    if valid_to is not None:
        if valid_to > today:
            problems["valid_to"] = f"{valid_to.isoformat()} is in the future."
        elif valid_from is not None and valid_to < valid_from:
            problems["valid_to"] = "The link cannot end before it started."
    return problems


@transaction.atomic
def link_record(
    *,
    actor: Actor,
    kind: str,
    source: Entity,
    target: Entity,
    valid_from: date,
    grading: Grading,
    valid_to: date | None = None,
    provenance: Provenance | None = None,
    status: str = Status.UNCONFIRMED,
    reason: str = "",
) -> Link:
    """Record a link between two entities, with its source and grading."""
    permission_require(actor, "intelligence.link.record")
    problems = link_problems(
        kind=kind, source=source, target=target, valid_from=valid_from, valid_to=valid_to, grading=grading
    )
    if status not in Status.values:
        problems["status"] = "Unknown status."
    if problems:
        raise ValidationError(problems)
    provenance = provenance or Provenance()
    return Link.objects.create(
        kind=kind,
        source=source,
        target=target,
        valid_from=valid_from,
        valid_to=valid_to,
        source_agency_id=provenance.agency_id,
        source_record=provenance.record[:120],
        feed_key=provenance.feed_key[:200],
        content_hash=provenance.content_hash,
        status=status,
        recorded_at=timezone.now(),
        recorded_by=actor.username[:150],
        reason=reason.strip()[:500],
        **grading.as_fields(),
    )


def _successor(
    *,
    actor: Actor,
    link: Link,
    reason: str,
    status: str | None = None,
    valid_to: date | None = None,
    grading: Grading | None = None,
    valid_from: date | None = None,
) -> Link:
    if not reason.strip():
        raise ValidationError({"reason": "Say why (a correction, confirmation or rejection needs a reason)."})
    current = Link.objects.select_for_update().get(pk=link.pk)
    if Link.objects.filter(corrects=current).exists():
        raise ValidationError("This link has already been corrected: work from its latest version.")
    grading = grading or Grading(
        current.source_evaluation, current.intelligence_assessment, current.handling_code
    )
    start = valid_from or current.valid_from
    end = valid_to if valid_to is not None else current.valid_to
    problems = link_problems(
        kind=current.kind,
        source=current.source,
        target=current.target,
        valid_from=start,
        valid_to=end,
        grading=grading,
    )
    if problems:
        raise ValidationError(problems)
    return Link.objects.create(
        kind=current.kind,
        source_id=current.source_id,
        target_id=current.target_id,
        valid_from=start,
        valid_to=end,
        source_agency_id=current.source_agency_id,
        source_record=current.source_record,
        feed_key=current.feed_key,
        content_hash=current.content_hash,
        status=status or current.status,
        recorded_at=timezone.now(),
        recorded_by=actor.username[:150],
        reason=reason.strip()[:500],
        corrects=current,
        **grading.as_fields(),
    )


@transaction.atomic
def link_confirm(*, actor: Actor, link: Link, reason: str) -> Link:
    """An analyst confirms a link (shown solid from then on)."""
    permission_require(actor, "intelligence.link.confirm")
    return _successor(actor=actor, link=link, reason=reason, status=Status.CONFIRMED)


@transaction.atomic
def link_reject(*, actor: Actor, link: Link, reason: str) -> Link:
    """An analyst rejects a link (kept, with the reason, out of the current picture)."""
    permission_require(actor, "intelligence.link.reject")
    return _successor(actor=actor, link=link, reason=reason, status=Status.REJECTED)


@transaction.atomic
def link_correct(
    *,
    actor: Actor,
    link: Link,
    reason: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
    grading: Grading | None = None,
) -> Link:
    """Correct a link's dates or grading: a new row that points at the one it corrects."""
    permission_require(actor, "intelligence.link.correct")
    return _successor(
        actor=actor, link=link, reason=reason, valid_from=valid_from, valid_to=valid_to, grading=grading
    )


@transaction.atomic
def shared_entity_alerts_raise(*, actor: Actor, window: tuple[date, date]) -> list[SharedEntityAlert]:
    """Unrelated children linked to one adult, vehicle, phone or place in the window: one alert per
    entity and set of children, and a contact in the hub's queue for each child (the children made
    to introduce others first). Run again, it raises nothing already raised."""
    permission_require(actor, "intelligence.analysis.run")
    found = shared_entities(window_start=window[0], window_end=window[1])
    held = set(SharedEntityAlert.objects.filter(key__in=[s.key for s in found]).values_list("key", flat=True))
    raised: list[SharedEntityAlert] = []
    for shared in found:
        if shared.key in held:
            continue
        summary = child_alert_summary(shared)
        contacts = [
            contact_open(
                actor=actor,
                source=ContactSource.INTELLIGENCE,
                summary=summary,
                child_id=child_id,
                urgency=Urgency.SAME_DAY,
                source_agency_id=actor.agency_id,
            )
            for child_id in shared.children
        ]
        raised.append(
            SharedEntityAlert.objects.create(
                key=shared.key,
                entity_id=shared.entity_id,
                child_ids=shared.children,
                window_start=shared.window_start,
                window_end=shared.window_end,
                explanation=shared.explanation,
                contact_ids=[contact.pk for contact in contacts],
                raised_by=actor.username[:150],
            )
        )
    return raised
