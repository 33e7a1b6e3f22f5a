"""Closing a case: what blocks it, the request and the manager's sign-off."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.selectors import ChildAccess
from openmash.access.services import relationship_end
from openmash.accounts.actor import Actor
from openmash.casework.models import (
    CaseClosure,
    ClosureStatus,
)
from openmash.casework.services._common import (
    ALLOCATION_BASES,
    _now_active,
    _person,
    _require_manager,
    live_plans,
)
from openmash.casework.services.plans import plan_end

# -- closure ----------------------------------------------------------------------------------


class ClosureRefused(ValidationError):
    """Closure is refused; `open_items` lists, in words, what is still open."""

    def __init__(self, open_items: list[str]) -> None:
        super().__init__("The case cannot close yet: " + "; ".join(open_items))
        self.open_items = open_items


def closure_blockers(*, access: ChildAccess, on: date | None = None) -> tuple[list[str], bool]:
    """What stops the case closing: open plan actions (listed) and whether exploitation signs are
    current. Returns (open action descriptions, signs current)."""
    from openmash.casework.selectors import current_signs_needing_screening, open_actions

    on = on or timezone.localdate()
    items = [
        f"{a.status_label} action: {a.action.what} (owner {a.owner_name}, due {a.due_on:%-d %B %Y})"
        for a in open_actions(access=access)
    ]
    return items, bool(current_signs_needing_screening(access=access, on=on))


@transaction.atomic
def closure_request(*, actor: Actor, access: ChildAccess, reason: str) -> CaseClosure:
    user_id, _ = _person(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case can close."})
    team = Relationship.objects.filter(
        _now_active(), child=access.child, basis=RelationshipBasis.TEAM
    ).first()
    if team is None or team.holder_team_id is None:
        raise ValidationError("No team holds this case.")
    actions, _ = closure_blockers(access=access)
    if actions:
        raise ClosureRefused(actions)
    return CaseClosure.objects.create(
        child=access.child, team_id=team.holder_team_id, reason=reason.strip(), requested_by_id=user_id
    )


@transaction.atomic
def closure_sign_off(*, actor: Actor, access: ChildAccess, closure: CaseClosure, note: str) -> CaseClosure:
    """A team manager signs the closure off. Refused while a plan action is open (with the list),
    and while exploitation signs are current unless a screening completed since the newest
    of them says where the child is now. Closing ends the live plans and every relationship
    that came from the case (team, key worker, supporting workers)."""
    from openmash.casework.selectors import current_signs_needing_screening

    user_id, _ = _person(actor)
    team = _require_manager(actor)
    if closure.child_id != access.child.pk or closure.status != ClosureStatus.REQUESTED:
        raise ValidationError("There is no closure waiting for sign-off.")
    if closure.team_id != team.pk:
        raise ValidationError("Only the manager of the team holding the case can sign it off.")
    if not note.strip():
        raise ValidationError({"note": "Record why you agree the case can close."})
    actions, _ = closure_blockers(access=access)
    if actions:
        raise ClosureRefused(actions)
    signs, screening = current_signs_needing_screening(
        access=access, on=timezone.localdate(), with_screening=True
    )
    if signs and screening is None:
        raise ClosureRefused(
            [
                f"{len(signs)} exploitation warning sign{'s' if len(signs) != 1 else ''} still current, "
                "and no exploitation screening completed since: complete a fresh screening first"
            ]
        )
    now = timezone.now()
    for plan in live_plans(access.child.pk):
        plan_end(actor=actor, access=access, plan=plan, reason="Case closed", ended_at=now)
    closure.status = ClosureStatus.CLOSED
    closure.signed_off_by_id = user_id
    closure.signed_off_at = now
    closure.sign_off_note = note.strip()
    closure.screening_id = screening.pk if screening else None
    closure.save(
        update_fields=[
            "status",
            "signed_off_by",
            "signed_off_at",
            "sign_off_note",
            "screening_id",
            "updated_at",
        ]
    )
    for rel in Relationship.objects.filter(
        _now_active(), child=access.child, basis__in=(*ALLOCATION_BASES, RelationshipBasis.TEAM)
    ).filter(Q(holder_team_id=closure.team_id) | Q(holder_user__isnull=False)):
        relationship_end(relationship=rel, reason="Case closed", ended_at=now)
    return closure
