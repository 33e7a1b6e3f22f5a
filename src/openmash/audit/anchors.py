"""Chain-head anchors: the read log's heads, copied out of the database at intervals.

A database superuser can disable the protect trigger and delete the newest rows of a
chain; the rows left still verify. An anchor written to storage the database cannot
touch (a write-once bucket, the SIEM, or at least another machine's file system) records
each chain's head at that time, so `openmash audit verify` can tell that rows which once
existed are gone or changed (security reference §6.3).

The anchor file is JSON lines, append-only, and itself hash-chained: each line carries
the hash of the line before it, so editing the file is also detectable.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from openmash.audit.models import AccessEvent

ANCHOR_FILE = "anchors.jsonl"
GENESIS = "0" * 64


@dataclass(frozen=True)
class Anchor:
    chain: str
    sequence: int
    entry_hash: str
    anchored_at: str
    prev_line_hash: str
    line_hash: str


class AnchorFileBroken(Exception):
    """The anchor file itself was edited: a line does not follow from the one before it."""


def anchor_directory() -> Path:
    return Path(settings.OPENMASH_AUDIT_ANCHOR_DIR)


def _line_hash(body: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def anchors_read(directory: Path | None = None) -> list[Anchor]:
    path = (directory or anchor_directory()) / ANCHOR_FILE
    if not path.exists():
        return []
    anchors: list[Anchor] = []
    previous = GENESIS
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        line_hash = record.pop("line_hash", "")
        if record.get("prev_line_hash") != previous or _line_hash(record) != line_hash:
            raise AnchorFileBroken(f"line {number} of {path} does not follow from the line before it")
        anchors.append(Anchor(line_hash=line_hash, **record))
        previous = line_hash
    return anchors


def audit_anchor_write(*, directory: Path | None = None) -> list[Anchor]:
    """Append the current head of every chain to the anchor file. Returns the new anchors."""
    directory = directory or anchor_directory()
    directory.mkdir(parents=True, exist_ok=True)
    existing = anchors_read(directory)
    previous = existing[-1].line_hash if existing else GENESIS
    heads = (
        AccessEvent.objects.order_by("chain", "-sequence")
        .distinct("chain")
        .values_list("chain", "sequence", "entry_hash")
    )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    written: list[Anchor] = []
    with (directory / ANCHOR_FILE).open("a", encoding="utf-8") as handle:
        for chain, sequence, entry_hash in heads:
            body: dict[str, object] = {
                "chain": chain,
                "sequence": sequence,
                "entry_hash": entry_hash,
                "anchored_at": now,
                "prev_line_hash": previous,
            }
            line_hash = _line_hash(body)
            handle.write(json.dumps({**body, "line_hash": line_hash}, sort_keys=True) + "\n")
            written.append(Anchor(line_hash=line_hash, **body))  # type: ignore[arg-type]
            previous = line_hash
        handle.flush()
        os.fsync(handle.fileno())
    return written


def latest_anchor_per_chain(anchors: list[Anchor]) -> dict[str, Anchor]:
    latest: dict[str, Anchor] = {}
    for anchor in anchors:
        if anchor.chain not in latest or anchor.sequence >= latest[anchor.chain].sequence:
            latest[anchor.chain] = anchor
    return latest
