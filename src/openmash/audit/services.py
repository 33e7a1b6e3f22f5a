"""Writing and verifying the read log. Only the access layer calls `access_event_record`."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.audit.models import AccessEvent

GENESIS_HASH = "0" * 64

# The fields that are hashed, in a fixed list so that adding a column later does
# not change the hash of rows written before it (their canonical form is stable).
HASHED_FIELDS: tuple[str, ...] = (
    "chain",
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_agency_id",
    "actor_role",
    "child_id",
    "child_ids",
    "resource_type",
    "resource_id",
    "action",
    "purpose",
    "basis_type",
    "basis_id",
    "outcome",
    "recipients",
    "request_id",
    "session_hash",
    "ip_address",
    "user_agent",
    "prev_hash",
)


def _canonical_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list):
        return [_canonical_value(item) for item in value]
    return value


def canonical_json(values: dict[str, Any]) -> str:
    """Sorted keys, no spaces, UTC timestamps: the same row always hashes the same."""
    return json.dumps(
        {name: _canonical_value(values.get(name)) for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def entry_hash_for(values: dict[str, Any]) -> str:
    return hashlib.sha256((values["prev_hash"] + canonical_json(values)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessBasis:
    """Why access was granted: a relationship, a break-glass grant or a seal override."""

    kind: str
    id: str


def access_event_record(
    *,
    actor: Actor,
    action: str,
    resource_type: str,
    purpose: str,
    outcome: str,
    child_id: uuid.UUID | None = None,
    child_ids: Iterable[uuid.UUID] = (),
    resource_id: str = "",
    basis: AccessBasis | None = None,
    recipients: Iterable[str] = (),
) -> AccessEvent:
    """Append one event to the actor's chain, in the caller's transaction.

    Writers of one chain are serialised by a transaction-level advisory lock, so the
    sequence has no gaps and each row's prev_hash is the previous row's entry_hash.
    If this write fails, the caller's transaction fails with it: reads fail closed.
    """
    with transaction.atomic():
        chain = actor.audit_chain
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"openmash-audit:{chain}"])
        head = (
            AccessEvent.objects.filter(chain=chain)
            .order_by("-sequence")
            .values_list("sequence", "entry_hash")
            .first()
        )
        sequence, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        values: dict[str, Any] = {
            "chain": chain,
            "sequence": sequence,
            # Microsecond precision survives the database round trip, so verify recomputes the same.
            "occurred_at": timezone.now(),
            "actor_id": actor.user_id,
            "actor_username": actor.username,
            "actor_agency_id": actor.agency_id,
            "actor_role": actor.role or "",
            "child_id": child_id,
            "child_ids": sorted(str(item) for item in child_ids),
            "resource_type": resource_type,
            "resource_id": resource_id,
            "action": action,
            "purpose": purpose[:200],
            "basis_type": basis.kind if basis else "",
            "basis_id": basis.id if basis else "",
            "outcome": outcome,
            "recipients": list(recipients),
            "request_id": actor.request_id,
            "session_hash": actor.session_hash,
            "ip_address": actor.ip_address,
            "user_agent": actor.user_agent,
            "prev_hash": prev_hash,
        }
        values["entry_hash"] = entry_hash_for(values)
        return AccessEvent.objects.create(**values)


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    sequence: int
    event_id: int
    problem: str


@dataclass(frozen=True)
class VerifyResult:
    chains: int
    events: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _rows(chain: str) -> Iterator[dict[str, Any]]:
    fields = ("id", "entry_hash", *HASHED_FIELDS)
    yield from (
        AccessEvent.objects.filter(chain=chain).order_by("sequence").values(*fields).iterator(chunk_size=5000)
    )


def _anchor_break(chain: str, anchor: Any) -> ChainBreak | None:
    """The anchored head must still be in the chain with the hash it had when anchored."""
    row = (
        AccessEvent.objects.filter(chain=chain, sequence=anchor.sequence)
        .values_list("id", "entry_hash")
        .first()
    )
    if row is not None and row[1] == anchor.entry_hash:
        return None
    if row is None:
        problem = f"the row anchored at {anchor.anchored_at} is missing (the end of the chain was deleted)"
    else:
        problem = f"the row anchored at {anchor.anchored_at} no longer has the anchored hash"
    return ChainBreak(chain=chain, sequence=anchor.sequence, event_id=row[0] if row else 0, problem=problem)


def audit_chain_verify(*, progress: Any = None, anchors: dict[str, Any] | None = None) -> VerifyResult:
    """Recompute every chain from its genesis; report the first row that does not fit.

    `anchors` (chain -> Anchor, see openmash.audit.anchors) are heads copied out of the
    database earlier: each must still be there with the same hash, which catches the
    newest rows of a chain being deleted or rewritten.
    """
    anchors = anchors or {}
    chains = sorted(set(AccessEvent.objects.values_list("chain", flat=True).distinct()) | set(anchors))
    checked = 0
    first_break: ChainBreak | None = None
    for chain in chains:
        expected_prev = GENESIS_HASH
        expected_sequence = 1
        for row in _rows(chain):
            checked += 1
            if progress is not None:
                progress(1)
            problem = None
            if row["sequence"] != expected_sequence:
                problem = (
                    f"sequence {row['sequence']} where {expected_sequence} was expected (a row is missing)"
                )
            elif row["prev_hash"] != expected_prev:
                problem = "prev_hash does not match the entry_hash of the row before it"
            elif entry_hash_for(row) != row["entry_hash"]:
                problem = "entry_hash does not match the row's contents (the row was changed)"
            if problem:
                candidate = ChainBreak(
                    chain=chain, sequence=row["sequence"], event_id=row["id"], problem=problem
                )
                # "First" across chains means earliest written, so the report is the same every run.
                if first_break is None or candidate.event_id < first_break.event_id:
                    first_break = candidate
                break
            expected_prev = row["entry_hash"]
            expected_sequence += 1
        anchor = anchors.get(chain)
        anchor_break = _anchor_break(chain, anchor) if anchor is not None else None
        # A chain already broken above reports its first broken row; the anchor adds nothing.
        earlier = first_break is None or (
            first_break.chain != chain
            and anchor_break is not None
            and anchor_break.event_id < first_break.event_id
        )
        if anchor_break and earlier:
            first_break = anchor_break
    return VerifyResult(chains=len(chains), events=checked, first_break=first_break)
