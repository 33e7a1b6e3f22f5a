"""Who may see and change the intelligence picture: the one module every read and write goes through.

Until the shared access registry (issue 11) lands, the rules live here, in one place, so
moving them onto it is one change: each function below keeps its name and signature and
delegates. The rules (ARCHITECTURE.md "who uses it"):

- Only intelligence roles see the network (entities, links, groups, hotspots, exports).
- The hub sees the alerts (contacts in its queue) and the children's side: on a child's
  page, the child's two-hop network shows adults, vehicles, phones and places only to the
  roles allowed to see the network; others see that links exist, not who or what.
- Every view, search and export writes one AccessEvent with its purpose; every refusal
  writes a denial and answers 404, the same as for something that does not exist.
- Every write checks a named permission (``intelligence.link.confirm`` ...) first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404

from openmash.accounts.actor import Actor
from openmash.accounts.roles import Role
from openmash.audit.models import AccessEvent, Action, Outcome
from openmash.audit.services import access_event_record

from .models import Entity

INTELLIGENCE_ROLES: frozenset[str] = frozenset({Role.INTELLIGENCE_ANALYST})

ENTITY_RESOURCE = "intelligence.entity"
NETWORK_RESOURCE = "intelligence.network"
EXPORT_RESOURCE = "intelligence.export"

# Named permissions of the intelligence app, and the roles that hold each.
PERMISSIONS: dict[str, frozenset[str]] = {
    "intelligence.entity.record": INTELLIGENCE_ROLES,
    "intelligence.entity.correct": INTELLIGENCE_ROLES,
    "intelligence.link.record": INTELLIGENCE_ROLES,
    "intelligence.link.correct": INTELLIGENCE_ROLES,
    "intelligence.link.confirm": INTELLIGENCE_ROLES,
    "intelligence.link.reject": INTELLIGENCE_ROLES,
    "intelligence.network.export": INTELLIGENCE_ROLES,
    "intelligence.analysis.run": INTELLIGENCE_ROLES,
}

# What a named system process (a feed, the synthetic borough) may do.
SYSTEM_PERMISSIONS = frozenset(
    {"intelligence.entity.record", "intelligence.link.record", "intelligence.analysis.run"}
)


class IntelligenceNotFound(Http404):
    """Missing and forbidden alike. The denial is logged before raising and, if the request's
    transaction rolls it back, again by the 404 handler (``after_rollback``), once."""

    def __init__(
        self, *, actor: Actor, resource_type: str, resource_id: str, purpose: str, action: str
    ) -> None:
        super().__init__("Not found")
        self.actor, self.resource_type, self.resource_id = actor, resource_type, resource_id
        self.purpose, self.action = purpose, action
        self.event_id: int | None = None

    def record(self) -> None:
        event = access_event_record(
            actor=self.actor,
            action=self.action,
            resource_type=self.resource_type,
            resource_id=self.resource_id[:64],
            purpose=self.purpose[:200],
            outcome=Outcome.DENIED,
        )
        self.event_id = event.pk

    def after_rollback(self) -> None:
        if self.event_id is None or not AccessEvent.objects.filter(pk=self.event_id).exists():
            self.record()


def may_see_network(actor: Actor) -> bool:
    return actor.user_id is not None and actor.agency_id is not None and actor.role in INTELLIGENCE_ROLES


def may(actor: Actor, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission}")
    if actor.is_system:
        # Feeds (authorised by their token) and the synthetic borough record; nothing else.
        return permission in SYSTEM_PERMISSIONS
    return actor.user_id is not None and actor.agency_id is not None and actor.role in PERMISSIONS[permission]


def permission_require(actor: Actor, permission: str) -> None:
    """Refuse a write the actor may not make (services call this before writing anything)."""
    if not may(actor, permission):
        raise PermissionDenied(f"You cannot do this ({permission}).")


def _refuse(*, actor: Actor, resource_type: str, resource_id: str, purpose: str, action: str) -> None:
    denial = IntelligenceNotFound(
        actor=actor, resource_type=resource_type, resource_id=resource_id, purpose=purpose, action=action
    )
    denial.record()
    raise denial


def _parse(value: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def entity_get_for_user(
    *, actor: Actor, id: uuid.UUID | str, purpose: str, action: str = Action.VIEW
) -> Entity:
    """One entity, for an intelligence role: one AccessEvent; 404 (and a denial) otherwise."""
    parsed = _parse(id)
    entity = Entity.objects.filter(pk=parsed).first() if parsed and may_see_network(actor) else None
    if entity is None:
        _refuse(
            actor=actor,
            resource_type=ENTITY_RESOURCE,
            resource_id=str(id)[:64],
            purpose=purpose,
            action=action,
        )
        raise AssertionError  # pragma: no cover - _refuse raises
    access_event_record(
        actor=actor,
        action=action,
        resource_type=ENTITY_RESOURCE,
        resource_id=str(entity.pk),
        child_id=entity.child_id,
        purpose=purpose[:200],
        outcome=Outcome.GRANTED,
    )
    return entity


def network_read_for_user(
    *,
    actor: Actor,
    purpose: str,
    child_ids: Iterable[uuid.UUID] = (),
    action: str = Action.LIST,
    resource_id: str = "",
) -> None:
    """A view or search of the network (or a group, a map, a profile): one event naming the
    children it shows. Anyone but an intelligence role gets 404 and a denial."""
    if not may_see_network(actor):
        _refuse(
            actor=actor,
            resource_type=NETWORK_RESOURCE,
            resource_id=resource_id,
            purpose=purpose,
            action=action,
        )
    access_event_record(
        actor=actor,
        action=action,
        resource_type=NETWORK_RESOURCE,
        resource_id=resource_id[:64],
        child_ids=list(child_ids),
        purpose=purpose[:200],
        outcome=Outcome.GRANTED,
    )


def export_record(
    *,
    actor: Actor,
    purpose: str,
    file_format: str,
    child_ids: Iterable[uuid.UUID],
    recipients: Iterable[str] = (),
) -> None:
    """An export of the network: the permission, then one EXPORT event with its purpose."""
    if not may(actor, "intelligence.network.export"):
        _refuse(
            actor=actor,
            resource_type=EXPORT_RESOURCE,
            resource_id=file_format,
            purpose=purpose,
            action=Action.EXPORT,
        )
    access_event_record(
        actor=actor,
        action=Action.EXPORT,
        resource_type=EXPORT_RESOURCE,
        resource_id=file_format,
        child_ids=list(child_ids),
        purpose=purpose[:200],
        outcome=Outcome.GRANTED,
        recipients=list(recipients),
    )


# Who sees the Network tab on a child's page: intelligence roles (everything within two links)
# and the roles working the child's case (counts only). Others (an agency practitioner) get 404.
CHILD_NETWORK_ROLES: frozenset[str] = INTELLIGENCE_ROLES | frozenset(
    {Role.MASH_OFFICER, Role.MASH_MANAGER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER}
)


def child_network_visible(actor: Actor) -> bool:
    return actor.user_id is not None and actor.role in CHILD_NETWORK_ROLES


def child_network_refuse(*, actor: Actor, child_id: uuid.UUID, purpose: str) -> None:
    _refuse(
        actor=actor,
        resource_type=NETWORK_RESOURCE,
        resource_id=str(child_id),
        purpose=purpose,
        action=Action.VIEW,
    )


def child_network_shows_others(actor: Actor) -> bool:
    """On a child's page, whether the two-hop network names adults, vehicles, phones and places
    (and other children). Only intelligence roles; everyone else sees counts only."""
    return may_see_network(actor)
