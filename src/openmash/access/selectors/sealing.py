"""Sealed items (ADR 0025): who sees a sealed item without an override, and the override itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from openmash.access.models import SealOverride
from openmash.accounts.actor import Actor
from openmash.accounts.roles import CASE_ROLES, Role
from openmash.audit.models import Action, Outcome
from openmash.audit.services import AccessBasis, access_event_record

# --- Sealed items (ADR 25) -----------------------------------------------------------------------

# The hub sees every sealed item of the contacts it works.
SEAL_HUB_ROLES: frozenset[str] = frozenset({Role.MASH_OFFICER, Role.MASH_MANAGER})


@dataclass(frozen=True)
class SealedItem:
    """Something only the hub and one agency may see (the referrer's identity first).

    ``item_type``/``item_id`` name it in the read log and on overrides; ``owner_agency_id``
    is the agency it belongs to (a referrer's own agency); ``child_id`` the child it is about.
    """

    item_type: str
    item_id: str
    owner_agency_id: uuid.UUID | None
    child_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SealedAccess:
    shown: bool
    why: str  # "hub", "own_agency", "override", or "" when not shown
    override: SealOverride | None = None
    may_override: bool = False


def may_override_seal(actor: Actor) -> bool:
    """A person working with children for an agency may ask to open a sealed item (never a process,
    an administrator, a board member or a privacy officer)."""
    return actor.user_id is not None and actor.agency_id is not None and actor.role in CASE_ROLES


def seal_allows_without_override(actor: Actor, item: SealedItem) -> str:
    """ "hub" or "own_agency" if the actor sees the item without an override, else ""."""
    if actor.user_id is not None and actor.role in SEAL_HUB_ROLES:
        return "hub"
    if (
        actor.agency_id is not None
        and item.owner_agency_id is not None
        and actor.agency_id == item.owner_agency_id
    ):
        return "own_agency"
    return ""


def seal_override_active(
    *, actor: Actor, item: SealedItem, at: datetime | None = None
) -> SealOverride | None:
    if actor.user_id is None:
        return None
    now = at or timezone.now()
    return (
        SealOverride.objects.filter(
            user_id=actor.user_id, item_type=item.item_type, item_id=item.item_id, expires_at__gt=now,
            opened_at__lte=now,
        )
        .order_by("-opened_at")
        .first()
    )  # fmt: skip


def sealed_item_access(*, actor: Actor, item: SealedItem, purpose: str) -> SealedAccess:
    """Whether the actor may see a sealed item now, and why. The one place that decides it.

    The hub and the owning agency see it. Anyone else sees it only during an override they
    opened with a written reason (``access.services.seal_override_open``); each sight of it
    then is written to the read log, naming the override.
    """
    allowed = seal_allows_without_override(actor, item)
    if allowed:
        return SealedAccess(shown=True, why=allowed)
    override = seal_override_active(actor=actor, item=item)
    if override is None:
        return SealedAccess(shown=False, why="", may_override=may_override_seal(actor))
    access_event_record(
        actor=actor,
        action=Action.VIEW,
        resource_type=item.item_type,
        resource_id=item.item_id,
        child_id=item.child_id,
        purpose=f"{purpose} (sealed item, opened by override)"[:200],
        outcome=Outcome.GRANTED,
        basis=AccessBasis(kind="seal_override", id=str(override.pk)),
    )
    return SealedAccess(shown=True, why="override", override=override)
