"""Information requests to agencies and their answers (ADR 0041)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.services import relationship_end, relationship_start
from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency, Membership, Team, TeamKind
from openmash.intake.models import Contact, ContactStatus
from openmash.mash.models import (
    InformationRequest,
    InformationResponse,
    LawfulBasis,
    RequestStatus,
)
from openmash.mash.services._common import REQUEST_PROCESS, RESEARCHER_ROLES, _require_hub
from openmash.notifications.services import notification_send

# --- Information requests ---------------------------------------------------------------------


def researcher_team_for(agency: Agency) -> Team | None:
    """The agency's own hub research team (a team of kind 'mash' in that agency), if it has one."""
    return Team.objects.filter(agency=agency, kind=TeamKind.MASH).order_by("created_at", "pk").first()


@transaction.atomic
def information_request_send(
    *, actor: Actor, contact: Contact, agencies: list[Agency], question: str
) -> list[InformationRequest]:
    """Ask each agency what it holds. Each may see the child only while its request is open.

    The relationship is held by the agency's hub research team if it has one (need to know),
    otherwise by the agency.
    """
    user_id = _require_hub(actor)
    question = question.strip()
    if not question:
        raise ValidationError({"question": "Say what you want the agencies to check."})
    if not agencies:
        raise ValidationError({"agencies": "Choose at least one agency to ask."})
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.status != ContactStatus.OPEN:
        raise ValidationError("This contact is closed.")
    child = contact.child
    if child is None:
        raise ValidationError("Match the contact to a child before asking other agencies.")
    already = set(
        InformationRequest.objects.filter(contact=contact, status=RequestStatus.OPEN).values_list(
            "agency_id", flat=True
        )
    )
    now = timezone.now()
    created = []
    for agency in agencies:
        if agency.pk in already:
            continue
        team = researcher_team_for(agency)
        relationship = relationship_start(
            child=child,
            basis=RelationshipBasis.INFORMATION_REQUEST,
            holder_team=team,
            holder_agency=None if team else agency,
            created_by_process=REQUEST_PROCESS,
            source_reference=contact.reference,
            valid_from=now,
        )
        request = InformationRequest(
            contact=contact,
            child_id=child.pk,
            agency=agency,
            question=question,
            requested_by_id=user_id,
            requested_at=now,
            relationship=relationship,
        )
        request.full_clean(exclude=["relationship", "contact", "child", "agency"])
        request.save()
        created.append(request)
        recipients = Membership.objects.filter(
            agency=agency, role__in=RESEARCHER_ROLES, started_at__lte=now, ended_at__isnull=True
        )
        if team is not None:
            recipients = recipients.filter(team=team)
        notification_send(
            recipient_ids=recipients.values_list("user_id", flat=True),
            kind="information_request",
            # No name: the link goes through the access layer.
            title=f"The hub asks what your agency holds (contact {contact.reference})",
            link=reverse("mash:request", args=[request.pk]),
            source_reference=f"inforeq:{request.pk}",
        )
    return created


def _request_close(request: InformationRequest, *, status: str, reason: str) -> InformationRequest:
    now = timezone.now()
    request.status = status
    request.closed_at = now
    request.closed_reason = reason[:300]
    request.save(update_fields=["status", "closed_at", "closed_reason", "updated_at"])
    if request.relationship_id is not None:
        still_needed = (
            InformationRequest.objects.filter(
                relationship_id=request.relationship_id, status=RequestStatus.OPEN
            )
            .exclude(pk=request.pk)
            .exists()
        )
        if not still_needed:
            relationship_end(
                relationship=Relationship.objects.get(pk=request.relationship_id),
                reason=f"Information request {status}",
                ended_at=now,
            )
    return request


def may_answer(*, actor: Actor, request: InformationRequest) -> bool:
    return (
        actor.user_id is not None
        and actor.role in RESEARCHER_ROLES
        and actor.agency_id is not None
        and actor.agency_id == request.agency_id
    )


@transaction.atomic
def information_request_answer(
    *,
    actor: Actor,
    request: InformationRequest,
    holds_information: bool,
    shared: str,
    withheld: str,
    reason: str,
    lawful_basis: str,
) -> InformationResponse:
    """Record the agency's answer; the answer joins the contact and the agency's access ends."""
    request = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if not may_answer(actor=actor, request=request) or actor.user_id is None:
        raise ValidationError("Only the agency the request is addressed to can answer it.")
    if request.status != RequestStatus.OPEN:
        raise ValidationError("This request is no longer open.")
    errors: dict[str, str] = {}
    shared, withheld, reason = shared.strip(), withheld.strip(), reason.strip()
    if holds_information and not (shared or withheld):
        errors["shared"] = "Say what your agency holds and shares (or what it withholds and why)."
    if not reason:
        errors["reason"] = "Say why sharing this is necessary and proportionate."
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis for sharing."
    if errors:
        raise ValidationError(errors)
    response = InformationResponse(
        request=request,
        holds_information=holds_information,
        shared=shared if holds_information else "",
        withheld=withheld if holds_information else "",
        reason=reason,
        lawful_basis=lawful_basis,
        answered_by_id=actor.user_id,
        answered_at=timezone.now(),
    )
    response.full_clean(exclude=["request"])
    response.save()
    _request_close(request, status=RequestStatus.ANSWERED, reason="Answered")
    notification_send(
        recipient_ids=[request.requested_by_id],
        kind="information_answer",
        title=f"An agency answered your request (contact {request.contact.reference})",
        link=reverse("mash:contact", args=[request.contact_id]),
        source_reference=f"inforeq-answer:{request.pk}",
    )
    return response
