"""Starting and ending relationships, emergency access, and privacy-officer review."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency, Team, User
from openmash.accounts.roles import BREAK_GLASS_ROLES, Role
from openmash.audit.models import Action, Outcome
from openmash.audit.services import AccessBasis, access_event_record
from openmash.people.models import Child

from .models import AlertKind, AlertStatus, BreakGlassGrant, PrivacyAlert, Relationship, SealOverride
from .selectors import SealedItem, may_override_seal, seal_allows_without_override

MIN_REASON_LENGTH = 20


@transaction.atomic
def relationship_start(
    *,
    child: Child,
    basis: str,
    created_by_process: str,
    holder_user: User | None = None,
    holder_team: Team | None = None,
    holder_agency: Agency | None = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    source_reference: str = "",
) -> Relationship:
    relationship = Relationship(
        child=child,
        basis=basis,
        holder_user=holder_user,
        holder_team=holder_team,
        holder_agency=holder_agency,
        valid_from=valid_from or timezone.now(),
        valid_to=valid_to,
        created_by_process=created_by_process,
        source_reference=source_reference,
    )
    relationship.full_clean()
    relationship.save()
    return relationship


@transaction.atomic
def relationships_start(
    *,
    child_ids: Sequence[uuid.UUID],
    basis: str,
    created_by_process: str,
    holder_user: User | None = None,
    holder_team: Team | None = None,
    holder_agency: Agency | None = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    source_references: Sequence[str] | None = None,
) -> list[Relationship]:
    """The bulk form of ``relationship_start``: one holder's relationships to many children at once.

    The same rules, checked once for the batch (``full_clean`` on one of them, the holder and
    the dates) and for every child in one query, then one insert: a few queries for a
    feed chunk's contacts instead of five per child. Returns them in ``child_ids``' order.
    """
    if source_references is not None and len(source_references) != len(child_ids):
        raise ValidationError("Give one source reference per child, or none.")
    if not child_ids:
        return []
    start = valid_from or timezone.now()
    references = list(source_references) if source_references is not None else [""] * len(child_ids)
    relationships = [
        Relationship(
            child_id=child_id,
            basis=basis,
            holder_user=holder_user,
            holder_team=holder_team,
            holder_agency=holder_agency,
            valid_from=start,
            valid_to=valid_to,
            created_by_process=created_by_process,
            source_reference=reference,
        )
        for child_id, reference in zip(child_ids, references, strict=True)
    ]
    # Everything but the child and the reference is the same for all: validate it once, fully
    # (fields, holder, constraints), then the parts that differ.
    relationships[0].full_clean()
    limit = Relationship._meta.get_field("source_reference").max_length or 0
    for relationship in relationships[1:]:
        if len(relationship.source_reference) > limit:
            raise ValidationError({"source_reference": f"Ensure this value has at most {limit} characters."})
    known = set(Child.objects.filter(pk__in=set(child_ids)).values_list("pk", flat=True))
    missing = [child_id for child_id in child_ids if child_id not in known]
    if missing:
        raise ValidationError({"child": f"No child with id {missing[0]}."})
    return Relationship.objects.bulk_create(relationships)


@transaction.atomic
def relationship_end(
    *, relationship: Relationship, reason: str, ended_at: datetime | None = None
) -> Relationship:
    """End a relationship; access through it stops on the holder's next request."""
    ended_at = ended_at or timezone.now()
    if relationship.valid_to is not None and relationship.valid_to <= ended_at:
        return relationship
    relationship.valid_to = max(ended_at, relationship.valid_from + timedelta(microseconds=1))
    relationship.ended_reason = reason[:200]
    relationship.full_clean()
    relationship.save(update_fields=["valid_to", "ended_reason", "updated_at"])
    return relationship


def _alert_reference() -> str:
    # Unguessable, short enough to read over the phone, and free of case details.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "PA-" + "".join(secrets.choice(alphabet) for _ in range(8))


def _alert_and_record(
    *,
    actor: Actor,
    alert: PrivacyAlert,
    action: str,
    resource: tuple[str, str],
    child_id: uuid.UUID | None,
    purpose: str,
    basis: AccessBasis,
) -> None:
    """Raise the privacy alert for the acting person's agency; write the granted access to the read log."""
    assert actor.agency_id is not None
    alert.reference = _alert_reference()
    alert.agency_id = actor.agency_id
    alert.save()
    access_event_record(
        actor=actor,
        action=action,
        resource_type=resource[0],
        resource_id=resource[1],
        child_id=child_id,
        purpose=purpose,
        outcome=Outcome.GRANTED,
        basis=basis,
    )


@transaction.atomic
def break_glass_grant(
    *, actor: Actor, child_id: str, reason: str, reason_text: str, hours: int | None = None
) -> BreakGlassGrant:
    """Open emergency access to one child for a few hours and alert the agency's privacy officer."""
    if actor.user_id is None or actor.agency_id is None or actor.role not in BREAK_GLASS_ROLES:
        raise ValidationError("Your role cannot use emergency access.")
    reason_text = reason_text.strip()
    if len(reason_text) < MIN_REASON_LENGTH:
        raise ValidationError(
            {"reason_text": f"Explain why you need access now, in at least {MIN_REASON_LENGTH} characters."}
        )
    child = Child.objects.filter(pk=child_id).first()
    if child is None:
        raise ValidationError("No child was found.")
    now = timezone.now()
    hours = min(hours or settings.BREAK_GLASS_HOURS, settings.BREAK_GLASS_HOURS)
    grant = BreakGlassGrant(
        user_id=actor.user_id,
        agency_id=actor.agency_id,
        role=actor.role or "",
        child=child,
        reason=reason,
        reason_text=reason_text,
        granted_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    grant.full_clean()
    grant.save()
    _alert_and_record(
        actor=actor,
        alert=PrivacyAlert(kind=AlertKind.BREAK_GLASS, break_glass_grant=grant),
        action=Action.BREAK_GLASS,
        resource=("child", str(child.pk)),
        child_id=child.pk,
        purpose=f"Emergency access: {grant.get_reason_display()}",
        basis=AccessBasis(kind="break_glass", id=str(grant.pk)),
    )
    return grant


SEAL_OVERRIDE_HOURS = 1


@transaction.atomic
def seal_override_open(*, actor: Actor, item: SealedItem, reason_text: str) -> SealOverride:
    """Open a sealed item for this person for an hour, with a written reason (ADR 25).

    Written to the read log (a broken seal) and raised as a privacy alert for the privacy
    officer of the person's agency, like emergency access.
    """
    if not may_override_seal(actor):
        raise ValidationError("Your role cannot open sealed details.")
    assert actor.user_id is not None and actor.agency_id is not None
    if seal_allows_without_override(actor, item):
        raise ValidationError("You can already see these details.")
    reason_text = reason_text.strip()
    if len(reason_text) < MIN_REASON_LENGTH:
        raise ValidationError(
            {
                "reason_text": "Explain why you need to see the sealed details, "
                f"in at least {MIN_REASON_LENGTH} characters."
            }
        )
    now = timezone.now()
    override = SealOverride(
        user_id=actor.user_id,
        agency_id=actor.agency_id,
        role=actor.role or "",
        item_type=item.item_type,
        item_id=item.item_id,
        child_id=item.child_id,
        reason_text=reason_text,
        opened_at=now,
        expires_at=now + timedelta(hours=SEAL_OVERRIDE_HOURS),
    )
    override.full_clean()
    override.save()
    _alert_and_record(
        actor=actor,
        alert=PrivacyAlert(kind=AlertKind.SEAL_OVERRIDE, seal_override=override),
        action=Action.BREAK_SEAL,
        resource=(item.item_type, item.item_id),
        child_id=item.child_id,
        purpose=f"Sealed details opened: {reason_text}"[:200],
        basis=AccessBasis(kind="seal_override", id=str(override.pk)),
    )
    return override


@transaction.atomic
def privacy_alert_review(*, actor: Actor, alert: PrivacyAlert, outcome: str, notes: str) -> PrivacyAlert:
    if actor.role != Role.PRIVACY_OFFICER or actor.agency_id != alert.agency_id:
        raise ValidationError("Only the agency's privacy officer can review this alert.")
    if outcome not in {AlertStatus.JUSTIFIED, AlertStatus.EXPLANATION_NEEDED, AlertStatus.ESCALATED}:
        raise ValidationError({"outcome": "Choose an outcome."})
    if not notes.strip():
        raise ValidationError({"notes": "Record what you found."})
    alert.status = outcome
    alert.review_notes = notes.strip()
    alert.reviewed_by_id = actor.user_id
    alert.reviewed_at = timezone.now()
    alert.save(update_fields=["status", "review_notes", "reviewed_by", "reviewed_at", "updated_at"])
    return alert
