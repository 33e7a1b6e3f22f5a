"""Storing feed rows: validated, versioned, linked to children, turned into contacts and signs.

The file importer (``feed_file_import``, used by ``openmash import``) and the API
(``feed_records_import``) share one engine. Rows are stored in chunks, each in its own
transaction under a per-agency advisory lock, so:

- the same record sent again (any channel, any batch) with content already held is not
  stored again; with new content it becomes the next version;
- a file import killed half-way has committed whole chunks only; running the same file
  again resumes the same batch and ends in exactly the state of one clean run.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency
from openmash.intake.feeds.read import (
    FileProblem,
    Header,
    check_bytes,
    csv_rows,
    json_items,
    json_records,
)
from openmash.intake.feeds.signs import StoredRecord, signs_derive, signs_store
from openmash.intake.feeds.spec import CleanRow, FeedSpec, RowError
from openmash.intake.linking import IncomingIdentity, identities_link
from openmash.intake.models import BatchStatus, Channel, FeedBatch, FeedClient, FeedRecord
from openmash.intake.services import FeedContact, contacts_open_for_feed, hub_team_get
from openmash.intake.tasks import signs_push_after_commit

_logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
MAX_FILE_BYTES = 2 * 1024**3
MAX_JSON_FILE_BYTES = 200 * 1024**2
ERROR_SAMPLE = 100


def _canonical(value: Any) -> str:
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


Hashed = tuple[CleanRow, str]  # a valid row and its content hash
Items = Iterable[tuple[int, Mapping[str, Any] | RowError]]


@dataclass
class ImportCounts:
    rows: int = 0
    created: int = 0
    new_versions: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "new_versions": self.new_versions,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


@dataclass
class ImportResult:
    batch: FeedBatch | None
    counts: ImportCounts
    errors: list[RowError] = field(default_factory=list)
    file_problem: str = ""
    warnings: list[str] = field(default_factory=list)
    resumed: bool = False
    contacts: int = 0
    signs: int = 0


class _Engine:
    """Validates rows as they stream past and stores them a chunk at a time."""

    def __init__(
        self,
        *,
        spec: FeedSpec,
        agency: Agency,
        batch: FeedBatch,
        actor: Actor,
        chunk_size: int,
        on_error: Callable[[RowError], None],
        on_rows: Callable[[int], None] | None = None,
    ) -> None:
        self.spec = spec
        self.agency = agency
        self.batch = batch
        self.actor = actor
        self.chunk_size = max(1, chunk_size)
        self.on_error = on_error
        self.on_rows = on_rows
        self.counts = ImportCounts()
        self.contacts = 0
        self.signs = 0
        self.hub_team = hub_team_get()
        self.today = timezone.localdate()

    def run(self, items: Items, *, threaded: bool = False) -> None:
        """Validate and store every row. ``threaded``: read and validate the next chunk in a second
        thread while this one stores the last (the database wait releases the GIL). Storing stays on
        this thread, in order, on its own connection, so the outcome is the same either way."""
        chunks = self._validated_chunks(items)
        if not threaded:
            for chunk in chunks:
                self._store(chunk)
            return
        ready: queue.Queue[list[Hashed] | BaseException | None] = queue.Queue(maxsize=3)

        def produce() -> None:
            try:
                for chunk in chunks:
                    ready.put(chunk)
            except BaseException as error:  # handed to the storing thread, which raises it
                ready.put(error)
                return
            ready.put(None)

        producer = threading.Thread(target=produce, name="feed-validate", daemon=True)
        producer.start()
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            self._store(item)
        producer.join()

    def _validated_chunks(self, items: Items) -> Iterator[list[Hashed]]:
        chunk: list[Hashed] = []
        for row_number, item in items:
            self.counts.rows += 1
            outcome = (
                item if isinstance(item, RowError) else self.spec.validate(row_number, item, today=self.today)
            )
            if isinstance(outcome, CleanRow):
                chunk.append((outcome, content_hash(outcome.values)))
            else:
                self.counts.rejected += 1
                for error in [outcome] if isinstance(outcome, RowError) else outcome:
                    self.on_error(error)
            if len(chunk) >= self.chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _store(self, rows: list[Hashed]) -> None:
        before = (ImportCounts(**self.counts.as_dict()), self.contacts, self.signs)
        try:
            with transaction.atomic():
                self._lock()
                self._store_locked(rows)
        except DatabaseError:
            # Validation should make this impossible; if it happens, no row may take the
            # others down with it: store one at a time and report the ones that fail.
            _logger.exception("A chunk of %s could not be stored; retrying row by row", self.spec.code)
            self.counts, self.contacts, self.signs = before
            for row, digest in rows:
                single = (ImportCounts(**self.counts.as_dict()), self.contacts, self.signs)
                try:
                    with transaction.atomic():
                        self._lock()
                        self._store_locked([(row, digest)])
                except DatabaseError:
                    self.counts, self.contacts, self.signs = single
                    self.counts.rejected += 1
                    self.on_error(
                        RowError(
                            row.row, "", f"row {row.row} could not be stored; tell the hub's support team"
                        )
                    )
        if self.on_rows is not None:
            self.on_rows(len(rows))

    def _lock(self) -> None:
        # Versions and identities of one agency are numbered and created by one writer at a time.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"openmash-feed:{self.agency.pk}"])

    def _store_locked(self, rows: list[Hashed]) -> None:
        spec, agency, batch = self.spec, self.agency, self.batch
        held: dict[str, dict[str, tuple[int, uuid.UUID]]] = {}
        latest: dict[str, int] = {}
        for source_id, version, digest, batch_id in FeedRecord.objects.filter(
            agency=agency, feed=spec.code, source_id__in={row.source_id for row, _ in rows}
        ).values_list("source_id", "version", "content_hash", "batch_id"):
            held.setdefault(source_id, {})[digest] = (version, batch_id)
            latest[source_id] = max(latest.get(source_id, 0), version)

        to_store: list[tuple[CleanRow, int, str]] = []
        for row, digest in rows:
            seen = held.get(row.source_id, {}).get(digest)
            if seen is not None:
                version, batch_id = seen
                if batch_id == batch.pk:
                    # Stored by this same batch before it was interrupted: count it as this run would have.
                    self._count_stored(version)
                else:
                    self.counts.unchanged += 1
                continue
            version = latest.get(row.source_id, 0) + 1
            latest[row.source_id] = version
            held.setdefault(row.source_id, {})[digest] = (version, batch.pk)
            to_store.append((row, version, digest))
            self._count_stored(version)
        if not to_store:
            return

        links = identities_link(
            agency=agency, incoming=self._identities(row for row, _, _ in to_store), process=spec.code
        )
        now = timezone.now()
        stored = [
            StoredRecord(
                id=uuid.uuid4(),
                agency_id=agency.pk,
                feed=spec.code,
                source_id=row.source_id,
                version=version,
                event_type=row.event_type[:40],
                event_date=row.event_date,
                child_id=links[row.person_id].child_id,
                payload=row.raw,
            )
            for row, version, _ in to_store
        ]
        _copy_records(
            [
                (record.id, now, now, agency.pk, spec.code, record.source_id, record.version, digest,
                 json.dumps(row.raw, ensure_ascii=False), batch.pk, row.row, links[row.person_id].identity_id,
                 record.event_type, record.event_date, now)
                for (row, _, digest), record in zip(to_store, stored, strict=True)
            ]
        )  # fmt: skip

        contacts = contacts_open_for_feed(
            actor=self.actor,
            items=[
                FeedContact(
                    feed_record_id=record.id,
                    summary=spec.contact_summary(row.values),
                    urgency=spec.contact_urgency(row.values),
                    child_id=links[row.person_id].child_id,
                    identity_id=links[row.person_id].identity_id,
                )
                for (row, version, _), record in zip(to_store, stored, strict=True)
                if version == 1 and spec.creates_contact(row.values)
            ],
            source_agency_id=agency.pk,
            received_at=now,
            hub_team=self.hub_team,
        )
        self.contacts += len(contacts)
        self.signs += signs_store(signs_derive(stored))

    def _count_stored(self, version: int) -> None:
        if version == 1:
            self.counts.created += 1
        else:
            self.counts.new_versions += 1

    def _identities(self, rows: Iterable[CleanRow]) -> list[IncomingIdentity]:
        found: dict[str, IncomingIdentity] = {}
        for row in rows:
            if row.person_id in found:
                continue
            values = row.values
            found[row.person_id] = IncomingIdentity(
                agency_record_id=row.person_id,
                forename=values["forename"],
                surname=values["surname"],
                date_of_birth=values.get("date_of_birth"),
                sex=values.get("sex") or "",
                nhs_number=values.get("nhs_number") or "",
                unique_pupil_number=values.get("upn") or "",
                address=values.get("address") or "",
                postcode=values.get("postcode") or "",
                recorded_on=row.event_date,
            )
        return list(found.values())


_COPY_COLUMNS = (
    "id, created_at, updated_at, agency_id, feed, source_id, version, content_hash, payload, batch_id, "
    "row_number, identity_id, event_type, event_date, received_at"
)


def _copy_records(rows: list[tuple[Any, ...]]) -> None:
    """Insert feed records with COPY, in the caller's transaction (several times faster than INSERT)."""
    table = connection.ops.quote_name(FeedRecord._meta.db_table)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({_COPY_COLUMNS}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _finish(batch: FeedBatch, engine: _Engine, errors_sample: list[RowError]) -> None:
    counts = engine.counts
    batch.rows, batch.created, batch.new_versions = counts.rows, counts.created, counts.new_versions
    batch.unchanged, batch.rejected = counts.unchanged, counts.rejected
    batch.row_errors_sample = [error.as_dict() for error in errors_sample]
    batch.status = BatchStatus.COMPLETED
    batch.finished_at = timezone.now()
    batch.save()


def _file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _refused(
    *,
    spec: FeedSpec,
    agency: Agency,
    channel: str,
    reason: str,
    client: FeedClient | None = None,
    file_name: str = "",
    file_sha256: str = "",
    size: int = 0,
) -> ImportResult:
    batch = FeedBatch.objects.create(
        feed=spec.code,
        agency=agency,
        client=client,
        channel=channel,
        file_name=file_name[:300],
        file_sha256=file_sha256,
        file_bytes=size,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status=BatchStatus.REFUSED,
        file_errors=[reason],
    )
    return ImportResult(batch=batch, counts=ImportCounts(), file_problem=reason)


def feed_agency_problem(spec: FeedSpec, agency: Agency) -> str:
    if agency.kind not in spec.agency_kinds:
        return f"{agency.name} ({agency.get_kind_display()}) cannot send the {spec.code} feed."
    return ""


def feed_file_import(
    *,
    actor: Actor,
    spec: FeedSpec,
    agency: Agency,
    path: Path,
    chunk_size: int = CHUNK_SIZE,
    max_bytes: int = MAX_FILE_BYTES,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    threaded: bool = True,
) -> ImportResult:
    """Import one CSV or JSON file. Re-running a file whose last run was killed resumes that batch.

    ``on_error`` receives every row error as it is found (the CLI streams them to the
    report file); ``on_progress`` receives the number of bytes read so far.
    """
    problem = feed_agency_problem(spec, agency)
    if problem:
        return _refused(spec=spec, agency=agency, channel=Channel.FILE, reason=problem, file_name=path.name)
    kind = "json" if path.suffix.lower() == ".json" else "csv"
    try:
        with path.open("rb") as handle:
            size = check_bytes(
                handle, max_bytes=MAX_JSON_FILE_BYTES if kind == "json" else max_bytes, kind=kind
            )
    except OSError as error:
        return ImportResult(
            batch=None, counts=ImportCounts(), file_problem=f"The file cannot be read: {error.strerror}."
        )
    except FileProblem as problem_:
        return _refused(
            spec=spec, agency=agency, channel=Channel.FILE, reason=problem_.reason, file_name=path.name
        )
    digest, size = _file_digest(path)

    errors_sample: list[RowError] = []

    def record_error(error: RowError) -> None:
        if len(errors_sample) < ERROR_SAMPLE:
            errors_sample.append(error)
        if on_error is not None:
            on_error(error)

    with path.open("rb") as raw:
        counter = io.BufferedReader(_CountingReader(raw, on_progress), buffer_size=1 << 16)
        text = io.TextIOWrapper(counter, encoding="utf-8-sig", newline="")
        try:
            header, items = json_records(raw.read(), spec) if kind == "json" else csv_rows(text, spec)
        except FileProblem as problem_:
            return _refused(
                spec=spec,
                agency=agency,
                channel=Channel.FILE,
                reason=problem_.reason,
                file_name=path.name,
                file_sha256=digest,
                size=size,
            )
        batch, resumed = _batch_for_file(spec=spec, agency=agency, name=path.name, digest=digest, size=size)
        engine = _Engine(
            spec=spec, agency=agency, batch=batch, actor=actor, chunk_size=chunk_size, on_error=record_error
        )
        engine.run(items, threaded=threaded)
    _finish(batch, engine, errors_sample)
    return ImportResult(
        batch=batch,
        counts=engine.counts,
        errors=errors_sample,
        warnings=_warnings(header),
        resumed=resumed,
        contacts=engine.contacts,
        signs=engine.signs,
    )


def _warnings(header: Header) -> list[str]:
    if header.unknown:
        return [
            f"These columns are not part of the feed and were kept but not used: {', '.join(header.unknown)}."
        ]
    return []


@transaction.atomic
def _batch_for_file(
    *, spec: FeedSpec, agency: Agency, name: str, digest: str, size: int
) -> tuple[FeedBatch, bool]:
    unfinished = (
        FeedBatch.objects.select_for_update()
        .filter(
            agency=agency,
            feed=spec.code,
            channel=Channel.FILE,
            file_sha256=digest,
            status=BatchStatus.RUNNING,
        )
        .order_by("-started_at")
        .first()
    )
    if unfinished is not None:
        unfinished.runs += 1
        unfinished.save(update_fields=["runs", "updated_at"])
        return unfinished, True
    batch = FeedBatch.objects.create(
        feed=spec.code,
        agency=agency,
        channel=Channel.FILE,
        file_name=name[:300],
        file_sha256=digest,
        file_bytes=size,
        started_at=timezone.now(),
    )
    return batch, False


class _CountingReader(io.RawIOBase):
    """Reports bytes read to a progress callback (the CLI's progress bar)."""

    def __init__(self, raw: IO[bytes], on_progress: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.on_progress = on_progress
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        if self.on_progress is not None:
            self.on_progress(self.position)
        return len(data)


def feed_records_import(
    *,
    actor: Actor,
    spec: FeedSpec,
    client: FeedClient,
    records: list[Any] | None = None,
    csv_body: bytes | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ImportResult:
    """Import the records of one API request (JSON records or a CSV body) as one batch."""
    agency = client.agency
    now = timezone.now()
    if csv_body is not None:
        try:
            check_bytes(io.BytesIO(csv_body), max_bytes=len(csv_body) + 1, kind="csv")
            header, items = csv_rows(
                io.TextIOWrapper(io.BytesIO(csv_body), encoding="utf-8-sig", newline=""), spec
            )
        except FileProblem as problem:
            return _refused(
                spec=spec, agency=agency, channel=Channel.API, reason=problem.reason, client=client
            )
        warnings = _warnings(header)
        digest = hashlib.sha256(csv_body).hexdigest()
    else:
        items = json_items(records or [], spec)
        warnings = []
        digest = ""
    batch = FeedBatch.objects.create(
        feed=spec.code, agency=agency, client=client, channel=Channel.API, started_at=now, file_sha256=digest
    )
    errors: list[RowError] = []
    engine = _Engine(
        spec=spec, agency=agency, batch=batch, actor=actor, chunk_size=chunk_size, on_error=errors.append
    )
    engine.run(items)
    _finish(batch, engine, errors[:ERROR_SAMPLE])
    FeedClient.objects.filter(pk=client.pk).update(last_used_at=now)
    if engine.signs:
        signs_push_after_commit()
    return ImportResult(
        batch=batch,
        counts=engine.counts,
        errors=errors,
        warnings=warnings,
        contacts=engine.contacts,
        signs=engine.signs,
    )


def feed_bytes_validate(
    spec: FeedSpec, data: bytes
) -> Iterator[tuple[int, CleanRow | list[RowError] | RowError]]:
    """Read and validate CSV bytes without storing anything. Raises only FileProblem."""
    check_bytes(io.BytesIO(data), max_bytes=len(data) + 1)
    _, items = csv_rows(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), spec)
    for row_number, item in items:
        yield row_number, item if isinstance(item, RowError) else spec.validate(row_number, item)
