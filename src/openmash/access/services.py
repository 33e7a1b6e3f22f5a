"""Starting and ending relationships, emergency access, and privacy-officer review."""

from __future__ import annotations

import secrets
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

from .models import AlertKind, AlertStatus, BreakGlassGrant, PrivacyAlert, Relationship

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
    PrivacyAlert.objects.create(
        reference=_alert_reference(),
        agency_id=actor.agency_id,
        kind=AlertKind.BREAK_GLASS,
        break_glass_grant=grant,
    )
    access_event_record(
        actor=actor,
        action=Action.BREAK_GLASS,
        resource_type="child",
        resource_id=str(child.pk),
        child_id=child.pk,
        purpose=f"Emergency access: {grant.get_reason_display()}",
        outcome=Outcome.GRANTED,
        basis=AccessBasis(kind="break_glass", id=str(grant.pk)),
    )
    return grant


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
