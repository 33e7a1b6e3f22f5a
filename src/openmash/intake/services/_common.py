"""Shared pieces of the intake services: references, the hub team, re-referrals, the hub's
relationship to a contact's child, and the hooks the apps that work contacts register.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from openmash.access.models import Relationship, RelationshipBasis
from openmash.access.services import relationship_start
from openmash.accounts.models import AgencyKind, Team, TeamKind
from openmash.intake.models import (
    Concern,
    Contact,
)
from openmash.people.models import Child

_logger = logging.getLogger("openmash.intake.services")

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
assert 256 % len(REFERENCE_ALPHABET) == 0, "contact_reference_new needs an alphabet that divides 256"
RE_REFERRAL_WINDOW = timedelta(days=365)
CASE_BASES = (RelationshipBasis.ALLOCATED_WORKER, RelationshipBasis.TEAM)
HUB_PROCESS = "intake.contact"


# --- Hooks for the apps that work contacts (the hub's triage registers here in its ready()) ---

ContactsHook = Callable[[list[Contact]], None]
_contacts_opened_hooks: list[ContactsHook] = []
_contact_closed_hooks: list[ContactsHook] = []
_contacts_matched_hooks: list[ContactsHook] = []


def register_contacts_opened(hook: ContactsHook) -> None:
    """Call ``hook(contacts)`` inside the transaction that opens contacts (one or a feed chunk)."""
    if hook not in _contacts_opened_hooks:
        _contacts_opened_hooks.append(hook)


def register_contact_closed(hook: ContactsHook) -> None:
    """Call ``hook([contact])`` inside the transaction that closes a contact."""
    if hook not in _contact_closed_hooks:
        _contact_closed_hooks.append(hook)


ConcernHook = Callable[[Concern], None]
_concern_submitted_hooks: list[ConcernHook] = []


def register_concern_submitted(hook: ConcernHook) -> None:
    """Call ``hook(concern)`` inside the transaction that submits a professional's concern, once it
    and its contact are saved (the intelligence app adds the adults, places, vehicles and phones it
    names to its picture, unconfirmed)."""
    if hook not in _concern_submitted_hooks:
        _concern_submitted_hooks.append(hook)


def register_contacts_matched(hook: ContactsHook) -> None:
    """Call ``hook(contacts)`` inside the transaction that gives contacts their child after they opened."""
    if hook not in _contacts_matched_hooks:
        _contacts_matched_hooks.append(hook)


# --- Contacts --------------------------------------------------------------------------------


def contact_reference_new() -> str:
    """Short enough to read over the phone, unguessable, and free of any detail about the child."""
    # One call for the 8 random characters (a feed post makes hundreds of references): 256 is a
    # multiple of the alphabet's 32 letters, so each byte picks a letter uniformly.
    body = "".join(REFERENCE_ALPHABET[byte % len(REFERENCE_ALPHABET)] for byte in secrets.token_bytes(8))
    return f"C-{body[:4]}-{body[4:]}"


def hub_team_get() -> Team | None:
    """The hub: the local authority's MASH team, which holds open contacts' relationships.

    Partner agencies' hub research teams are of kind 'mash' too and must never be taken for
    the hub. Where the local authority has several, OPENMASH_HUB_TEAM_ID names the hub.
    """
    configured = getattr(settings, "OPENMASH_HUB_TEAM_ID", "")
    if configured:
        return Team.objects.filter(pk=configured).first()
    return (
        Team.objects.filter(kind=TeamKind.MASH, agency__kind=AgencyKind.CHILDRENS_SERVICES)
        .order_by("created_at", "pk")
        .first()
    )


def re_referral_check(
    *, child_id: uuid.UUID, at: datetime, exclude_contact_id: uuid.UUID | None = None
) -> str:
    """Why a new contact about this child is a re-referral, or "" if it is not.

    A re-referral is a contact about a child who had another contact in the 12 months
    before, or whose case (an allocated worker or team) closed in those 12 months.
    """
    since = at - RE_REFERRAL_WINDOW
    contacts = Contact.objects.filter(child_id=child_id, received_at__gte=since, received_at__lte=at)
    if exclude_contact_id is not None:
        contacts = contacts.exclude(pk=exclude_contact_id)
    earlier = contacts.order_by("-received_at").values_list("reference", "received_at").first()
    if earlier:
        return f"Earlier contact {earlier[0]} received {timezone.localtime(earlier[1]):%d %B %Y}"
    closed = (
        Relationship.objects.filter(
            child_id=child_id, basis__in=CASE_BASES, valid_to__gte=since, valid_to__lte=at
        )
        .order_by("-valid_to")
        .values_list("valid_to", flat=True)
        .first()
    )
    if closed:
        return f"A case for this child closed on {timezone.localtime(closed):%d %B %Y}"
    return ""


def _hub_relationships_held(
    *, child_ids: set[uuid.UUID], team: Team, at: datetime
) -> dict[uuid.UUID, Relationship]:
    """The hub team's open-contact relationships already held for these children (one query)."""
    held: dict[uuid.UUID, Relationship] = {}
    for relationship in Relationship.objects.filter(
        child_id__in=child_ids,
        holder_team=team,
        basis=RelationshipBasis.HUB_CONTACT,
        created_by_process=HUB_PROCESS,
        valid_from__lte=at,
        valid_to__isnull=True,
    ).order_by("-valid_from"):
        held[relationship.child_id] = relationship
    return held


def _hub_relationship(
    *, child_id: uuid.UUID | None, team: Team | None, reference: str, at: datetime | None = None
) -> Relationship | None:
    """The hub team's relationship to the child while contacts are open: the one already held
    for another open contact, or a new one through ``access.services.relationship_start``."""
    if child_id is None or team is None:
        return None
    now = at or timezone.now()
    held = _hub_relationships_held(child_ids={child_id}, team=team, at=now).get(child_id)
    return held or _hub_relationship_start(child_id=child_id, team=team, reference=reference, at=now)


def _hub_relationship_start(*, child_id: uuid.UUID, team: Team, reference: str, at: datetime) -> Relationship:
    return relationship_start(
        child=Child(pk=child_id),
        basis=RelationshipBasis.HUB_CONTACT,
        holder_team=team,
        created_by_process=HUB_PROCESS,
        source_reference=reference,
        valid_from=at,
    )
