"""Attaching incoming identities to children: the one seam the matching capability replaces.

Until probabilistic matching lands (issue 4), ``identities_link`` links an incoming
identity to a child only on an exact, unambiguous national identifier (NHS number or
unique pupil number). Anything else becomes a new, unmatched ``AgencyIdentity``
(child = None) with an ``IdentityReview`` for a person to decide.

This runs as a system process, not as a user: it reads child ids to link records and
never shows a child's details to anyone, so it writes no read-log entry.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from openmash.accounts.models import Agency
from openmash.intake.models import IdentityReview
from openmash.people.models import AgencyIdentity, Child, Sex


@dataclass(frozen=True)
class IncomingIdentity:
    """A person as one agency describes them."""

    agency_record_id: str
    forename: str
    surname: str
    recorded_on: date
    date_of_birth: date | None = None
    sex: str = ""
    nhs_number: str = ""
    unique_pupil_number: str = ""
    address: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class LinkResult:
    identity_id: uuid.UUID
    child_id: uuid.UUID | None
    how: str  # "known" (seen before), "nhs_number", "upn", "newly_linked", "probabilistic", "unmatched"

    @property
    def newly_linked(self) -> bool:
        return self.how == "newly_linked"


def _unique_children(field: str, values: set[str]) -> tuple[dict[str, uuid.UUID], set[str]]:
    """Exact matches on one identifier: value -> child id when exactly one child holds it."""
    if not values:
        return {}, set()
    holders: dict[str, list[uuid.UUID]] = defaultdict(list)
    column = {"nhs_number": "nhs_number", "unique_pupil_number": "unique_pupil_number"}[field]
    for child_id, value in _any_rows(Child, ("id", column), column, values):
        holders[value].append(child_id)
    unique = {value: ids[0] for value, ids in holders.items() if len(ids) == 1}
    ambiguous = {value for value, ids in holders.items() if len(ids) > 1}
    return unique, ambiguous


def _any_rows(
    model: type[Model],
    columns: tuple[str, ...],
    key: str,
    values: set[str],
    agency_id: uuid.UUID | None = None,
) -> list[tuple[Any, ...]]:
    """``columns`` of the rows whose ``key`` column is one of ``values``: one array parameter rather
    than thousands of placeholders (a feed chunk looks up thousands of identifiers at once)."""
    table = connection.ops.quote_name(model._meta.db_table)
    where = f"{key} = ANY(%s::text[])" + (" AND agency_id = %s" if agency_id is not None else "")
    params: list[Any] = [list(values)] + ([agency_id] if agency_id is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {where}", params)  # noqa: S608
        return cursor.fetchall()


def _exact_match(
    incoming: IncomingIdentity,
    by_nhs: dict[str, uuid.UUID],
    by_upn: dict[str, uuid.UUID],
    ambiguous: set[str],
) -> tuple[uuid.UUID | None, str]:
    """(child id, how) or (None, the reason a person must review it)."""
    nhs_child = by_nhs.get(incoming.nhs_number) if incoming.nhs_number else None
    upn_child = by_upn.get(incoming.unique_pupil_number) if incoming.unique_pupil_number else None
    if nhs_child and upn_child and nhs_child != upn_child:
        return None, "The NHS number and the pupil number belong to different children"
    if nhs_child:
        return nhs_child, "nhs_number"
    if upn_child:
        return upn_child, "upn"
    if {incoming.nhs_number, incoming.unique_pupil_number} & ambiguous:
        return None, "More than one child holds this identifier"
    if incoming.nhs_number or incoming.unique_pupil_number:
        return None, "No child holds this NHS number or pupil number"
    return None, "No NHS number or pupil number to match on"


@transaction.atomic
def identities_link(
    *, agency: Agency, incoming: Sequence[IncomingIdentity], process: str
) -> dict[str, LinkResult]:
    """Link each incoming identity (keyed by its agency_record_id) to a child, or queue it for review.

    An identity the agency sent before keeps its record (an agency's own record is never
    overwritten); if it is still unmatched and now carries an identifier that matches one
    child exactly, it is linked now and its review closed (``how == "newly_linked"``).
    """
    by_id = {item.agency_record_id: item for item in incoming}
    if not by_id:
        return {}
    existing = {
        record_id: (pk, child_id)
        for pk, record_id, child_id in _any_rows(
            AgencyIdentity, ("id", "agency_record_id", "child_id"), "agency_record_id", set(by_id),
            agency_id=agency.pk,
        )
    }  # fmt: skip
    candidates = [item for key, item in by_id.items() if key not in existing or existing[key][1] is None]
    by_nhs, ambiguous_nhs = _unique_children("nhs_number", {c.nhs_number for c in candidates if c.nhs_number})
    by_upn, ambiguous_upn = _unique_children(
        "unique_pupil_number", {c.unique_pupil_number for c in candidates if c.unique_pupil_number}
    )
    ambiguous = ambiguous_nhs | ambiguous_upn

    results: dict[str, LinkResult] = {}
    new_identities: list[AgencyIdentity] = []
    reviews: list[tuple[AgencyIdentity, str]] = []
    newly_linked: dict[uuid.UUID, uuid.UUID] = {}
    for key, item in by_id.items():
        if key in existing:
            identity_id, child_id = existing[key]
            if child_id is None:
                matched, _ = _exact_match(item, by_nhs, by_upn, ambiguous)
                if matched is not None:
                    newly_linked[identity_id] = matched
                    results[key] = LinkResult(identity_id, matched, "newly_linked")
                    continue
            results[key] = LinkResult(identity_id, child_id, "known")
            continue
        matched, how = _exact_match(item, by_nhs, by_upn, ambiguous)
        identity = AgencyIdentity(
            agency=agency,
            agency_record_id=key,
            child_id=matched,
            forename=item.forename[:100],
            surname=item.surname[:100],
            date_of_birth=item.date_of_birth,
            sex=item.sex or Sex.NOT_KNOWN,
            nhs_number=item.nhs_number,
            unique_pupil_number=item.unique_pupil_number,
            address=item.address[:300],
            postcode=item.postcode[:8],
            recorded_on=item.recorded_on,
        )
        new_identities.append(identity)
        if matched is None:
            reviews.append((identity, how))
        results[key] = LinkResult(identity.pk, matched, how if matched else "unmatched")
    AgencyIdentity.objects.bulk_create(new_identities)
    IdentityReview.objects.bulk_create(
        [
            IdentityReview(identity=identity, reason=f"{reason} ({process})"[:200])
            for identity, reason in reviews
        ]
    )
    if newly_linked:
        from openmash.intake.services import identity_link_to_child

        for identity_id, child_id in newly_linked.items():
            identity_link_to_child(identity_id=identity_id, child_id=child_id, resolved_by=process)
    unmatched = [identity for identity in new_identities if identity.child_id is None]
    if 0 < len(unmatched) <= ARRIVAL_MATCH_LIMIT:
        on_arrival = _match_on_arrival(unmatched)
        for key, result in list(results.items()):
            if result.identity_id in on_arrival:
                results[key] = LinkResult(result.identity_id, on_arrival[result.identity_id], "probabilistic")
    return results


# Records that arrive a few at a time (an API post, a concern) are matched as they arrive;
# a large file is linked by `openmash match run` after the import, which is far faster in bulk.
ARRIVAL_MATCH_LIMIT = 50


def _match_on_arrival(identities: list[AgencyIdentity]) -> dict[uuid.UUID, uuid.UUID]:
    """Probabilistic matching (issue 4) for identities no exact identifier linked.

    A sure match to one child links the identity now (matching calls back into
    intake's identity_link_to_child, which closes its review and catches up contacts
    and signs); uncertain ones become clerical review pairs. No trained model: nothing.
    """
    from openmash.matching.services import ArrivalOutcome, identity_match_on_arrival

    linked: dict[uuid.UUID, uuid.UUID] = {}
    for identity in identities:
        decision = identity_match_on_arrival(identity_id=identity.pk)
        if decision.outcome == ArrivalOutcome.NO_MODEL:
            break
        if decision.outcome == ArrivalOutcome.LINK and decision.child_id is not None:
            linked[identity.pk] = decision.child_id
    return linked
