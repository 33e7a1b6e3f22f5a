"""Reads of a child's data. Each takes a ChildAccess, which only the access choke point hands out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.utils import timezone

from openmash.people.extensions import chronology_providers
from openmash.people.models import AgencyIdentity, FamilyLink

if TYPE_CHECKING:
    from openmash.access.selectors import ChildAccess
    from openmash.accounts.actor import Actor


def child_identities(*, access: ChildAccess) -> list[AgencyIdentity]:
    return list(
        AgencyIdentity.objects.filter(child=access.child)
        .select_related("agency")
        .order_by("agency__name", "recorded_on")
    )


def child_family(*, access: ChildAccess) -> list[FamilyLink]:
    return list(
        FamilyLink.objects.filter(child=access.child)
        .select_related("adult", "related_child")
        .order_by("relation")
    )


@dataclass(frozen=True)
class ChronologyEntry:
    occurred_at: datetime
    kind: str
    agency: str
    summary: str
    # Other agencies a provider shares this entry with (e.g. agencies invited to a meeting).
    shared_with: frozenset[uuid.UUID] = field(default=frozenset())


# Roles that work the whole case and see every agency's entries for a child they may see.
# Anyone else (a GP, a school nurse, a police officer) sees only their own agency's entries
# and those shared with their agency, whatever a provider returns.
EVERY_AGENCY_ROLES = frozenset(
    {"mash_officer", "mash_manager", "social_worker", "team_manager", "intelligence_analyst"}
)


CHRONOLOGY_KINDS = {
    "record": "Hub record",
    "identity": "Agency record",
    "family": "Family",
    "involvement": "Involvement",
}


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def chronology_kinds() -> dict[str, str]:
    kinds = dict(CHRONOLOGY_KINDS)
    for provider in chronology_providers():
        kinds.update(provider.kinds)
    return kinds


def child_chronology(*, access: ChildAccess, actor: Actor) -> list[ChronologyEntry]:
    """One timeline of what the hub knows about the child, newest first.

    Later capabilities (contacts, feeds, visits, plans, risk, missing episodes) add their
    entries through registered providers (people.extensions); every entry names the
    agency it came from.
    """
    from openmash.access.models import Relationship

    child = access.child
    entries: list[ChronologyEntry] = [
        ChronologyEntry(child.created_at, "record", "Hub", "Hub record created"),
    ]
    for identity in child_identities(access=access):
        entries.append(
            ChronologyEntry(
                _at(identity.recorded_on),
                "identity",
                identity.agency.name,
                f"{identity.agency.name} first recorded this child as {identity.full_name}",
            )
        )
    for link in child_family(access=access):
        if link.valid_from:
            relative = link.adult.full_name if link.adult else "a sibling"
            entries.append(
                ChronologyEntry(
                    _at(link.valid_from), "family", "Hub", f"{link.get_relation_display()}: {relative}"
                )
            )
    relationships = Relationship.objects.filter(child=child).select_related(
        "holder_user", "holder_team__agency", "holder_agency"
    )
    for rel in relationships:
        holder = rel.holder_user or rel.holder_team or rel.holder_agency
        agency = (
            rel.holder_team.agency.name
            if rel.holder_team
            else rel.holder_agency.name
            if rel.holder_agency
            else "Hub"
        )
        entries.append(
            ChronologyEntry(rel.valid_from, "involvement", agency, f"{rel.get_basis_display()}: {holder}")
        )
        if rel.valid_to and rel.valid_to <= timezone.now():
            entries.append(
                ChronologyEntry(
                    rel.valid_to, "involvement", agency, f"Ended: {rel.get_basis_display()}: {holder}"
                )
            )
    for provider in chronology_providers():
        entries.extend(provider.entries(access, actor))
    if actor.role not in EVERY_AGENCY_ROLES:
        from openmash.accounts.models import Agency

        own = (
            Agency.objects.filter(pk=actor.agency_id).values_list("name", flat=True).first()
            if actor.agency_id
            else None
        )
        entries = [e for e in entries if e.agency == own or actor.agency_id in e.shared_with]
    return sorted(entries, key=lambda entry: entry.occurred_at, reverse=True)


def chronology_filter(
    entries: list[ChronologyEntry], *, agency: str = "", kind: str = ""
) -> list[ChronologyEntry]:
    return [e for e in entries if (not agency or e.agency == agency) and (not kind or e.kind == kind)]
