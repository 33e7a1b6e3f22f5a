"""Preparing feed rows for storage: validate, hash, and format for COPY, with no database.

Everything here is a pure function of the rows, so a file import can run it in a second
process (``prepared_in_worker``) while the importing process only reads what is held,
numbers versions and writes; the API runs the same code in-process (``prepared_chunks``).
Either way the importer sees the same chunks, so the outcome cannot differ.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from openmash.intake.feeds.signs import carries_row_sign
from openmash.intake.feeds.spec import CleanRow, FeedSpec, RowError

Items = Iterable[tuple[int, Mapping[str, Any] | RowError]]

# The columns of a feed record a worker can fill (the COPY line starts with them); the importer
# appends the ones only it knows (the record's id, version, identity and times).
COPY_COLUMNS_PREPARED = (
    "agency_id, feed, batch_id, source_id, content_hash, payload, row_number, event_type, event_date, "
    "held_back"
)
COPY_COLUMNS_STORED = "id, version, identity_id, created_at, updated_at, received_at"


def _canonical(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return "\x00"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def content_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 of the parsed values in column order, so the same record by CSV or JSON (Y or true,
    +01:00 or Z for the same instant) hashes the same. Parsed text is never empty and never
    contains a control character, so the separators cannot be forged by a value."""
    canonical = "\x1f".join(f"{name}\x1e{_canonical(value)}" for name, value in values.items())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A value as PostgreSQL's COPY text format needs it (backslash, tab and line ends escaped)."""
    return value.translate(_COPY_ESCAPES)


# An incoming identity's details, in IncomingIdentity's order (without the date it was recorded).
IdentityFields = tuple[str, str, date | None, str, str, str, str, str]


class Prepared(NamedTuple):
    """A valid row, ready to store: what the importer needs, and the start of its COPY line."""

    row: int
    source_id: str
    digest: str
    person_id: str
    identity: IdentityFields
    event_type: str
    event_date: date
    copy_head: str
    contact: tuple[str, str] | None  # (summary, urgency) if the row opens a contact when new
    sign_payload: dict[str, Any] | None  # the payload, if the row carries a warning sign by itself


@dataclass
class PreparedChunk:
    rows: list[Prepared] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    read: int = 0  # rows read, valid or not
    rejected: int = 0  # rows refused
    position: int = 0  # bytes of the file read so far (file imports)


class Preparer:
    """Validates rows and prepares the valid ones, for one feed, agency and batch."""

    def __init__(self, *, spec: FeedSpec, agency_id: uuid.UUID, batch_id: uuid.UUID, today: date) -> None:
        self.spec = spec
        self.today = today
        self.head = f"{agency_id}\t{copy_text(spec.code)}\t{batch_id}\t"

    def prepare(self, row: CleanRow) -> Prepared:
        spec, values = self.spec, row.values
        digest = content_hash(values)
        event_type = row.event_type[:40]
        payload = json.dumps(row.raw, ensure_ascii=False)
        held = json.dumps([{"field": e.field, "reason": e.reason} for e in row.held], ensure_ascii=False)
        copy_head = (
            f"{self.head}{copy_text(row.source_id)}\t{digest}\t{copy_text(payload)}\t{row.row}\t"
            f"{copy_text(event_type)}\t{row.event_date.isoformat()}\t{copy_text(held)}"
        )
        contact = None
        if spec.creates_contact(values):
            contact = (spec.contact_summary(values), spec.contact_urgency(values))
        sign_payload = row.raw if carries_row_sign(spec.code, row.raw, row.event_date) else None
        identity: IdentityFields = (
            values["forename"],
            values["surname"],
            values.get("date_of_birth"),
            values.get("sex") or "",
            values.get("nhs_number") or "",
            values.get("upn") or "",
            values.get("address") or "",
            values.get("postcode") or "",
        )
        return Prepared(
            row.row, row.source_id, digest, row.person_id, identity, event_type, row.event_date,
            copy_head, contact, sign_payload,
        )  # fmt: skip

    def chunks(
        self, items: Items, *, chunk_size: int, position: Callable[[], int] | None = None
    ) -> Iterator[PreparedChunk]:
        chunk = PreparedChunk()
        validate, today = self.spec.validate, self.today
        for row_number, item in items:
            chunk.read += 1
            outcome = item if isinstance(item, RowError) else validate(row_number, item, today=today)
            if isinstance(outcome, CleanRow):
                chunk.rows.append(self.prepare(outcome))
                chunk.errors.extend(outcome.held)  # kept rows' held-back fields, reported too
                if len(chunk.rows) >= chunk_size:
                    chunk.position = position() if position else 0
                    yield chunk
                    chunk = PreparedChunk()
            else:
                chunk.rejected += 1
                chunk.errors.extend([outcome] if isinstance(outcome, RowError) else outcome)
        if chunk.read or chunk.errors:
            chunk.position = position() if position else 0
            yield chunk


def prepared_chunks(
    preparer: Preparer, items: Items, *, chunk_size: int, position: Callable[[], int] | None = None
) -> Iterator[PreparedChunk]:
    """Prepare in this process."""
    return preparer.chunks(items, chunk_size=chunk_size, position=position)


def worker_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _work(
    preparer: Preparer,
    items: Items,
    chunk_size: int,
    position: Callable[[], int] | None,
    reader: Connection,
    writer: Connection,
) -> None:
    """The worker process: prepare every chunk and send it. Never touches the database."""
    reader.close()  # so that if the importer dies, sending fails and this process ends too
    try:
        for chunk in preparer.chunks(items, chunk_size=chunk_size, position=position):
            writer.send(chunk)
        writer.send(None)
    except (BrokenPipeError, ConnectionResetError):
        return
    except BaseException:  # handed to the importer, which raises it
        with contextlib.suppress(OSError):
            writer.send(RuntimeError("Preparing the rows failed:\n" + traceback.format_exc()))


def prepared_in_worker(
    preparer: Preparer, items: Items, *, chunk_size: int, position: Callable[[], int] | None = None
) -> Iterator[PreparedChunk]:
    """Prepare in a forked worker process, a few chunks ahead of the caller (the pipe is the buffer).

    The worker inherits the open file and the row iterator; this process must not read from
    them once it has started. Validation is pure Python, so a second process (not a thread)
    lets it run beside the storing on another core.
    """
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(
        target=_work,
        args=(preparer, items, chunk_size, position, reader, writer),
        name="feed-prepare",
        daemon=True,
    )
    process.start()
    writer.close()
    try:
        while True:
            try:
                message = reader.recv()
            except EOFError:
                raise RuntimeError(
                    f"The worker preparing the rows stopped unexpectedly (exit {process.exitcode})."
                ) from None
            if message is None:
                break
            if isinstance(message, BaseException):
                raise message
            yield message
    finally:
        reader.close()
        if process.is_alive():
            process.terminate()
        process.join(timeout=10)
        if process.pid is not None and process.is_alive():  # pragma: no cover - defensive
            os.kill(process.pid, 9)
