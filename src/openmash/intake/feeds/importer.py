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
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency
from openmash.intake.feeds.prepare import (
    COPY_COLUMNS_PREPARED,
    COPY_COLUMNS_STORED,
    Items,
    Prepared,
    Preparer,
    prepared_chunks,
    prepared_in_worker,
    worker_available,
)
from openmash.intake.feeds.read import (
    FileProblem,
    Header,
    check_bytes,
    csv_rows,
    json_items,
    json_records,
)
from openmash.intake.feeds.signs import WINDOW_RULES, StoredRecord, signs_derive, signs_store
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


_WINDOW_FEEDS = frozenset(rule.feed for rule in WINDOW_RULES)


class _Engine:
    """Stores prepared rows a chunk at a time (see ``prepare`` for validating and preparing them)."""

    def __init__(
        self,
        *,
        spec: FeedSpec,
        agency: Agency,
        batch: FeedBatch,
        actor: Actor,
        chunk_size: int,
        on_error: Callable[[RowError], None],
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.spec = spec
        self.agency = agency
        self.batch = batch
        self.actor = actor
        self.chunk_size = max(1, chunk_size)
        self.on_error = on_error
        self.on_progress = on_progress
        self.counts = ImportCounts()
        self.contacts = 0
        self.signs = 0
        self.hub_team = hub_team_get()
        self.preparer = Preparer(
            spec=spec, agency_id=agency.pk, batch_id=batch.pk, today=timezone.localdate()
        )

    def run(self, items: Items, *, worker: bool = False, position: Callable[[], int] | None = None) -> None:
        """Validate and store every row. ``worker``: validate and prepare in a second process while
        this one stores (``position`` then reports how far into the file the worker has read).
        Storing stays in this process, in order, on its own connection, so the outcome is the
        same either way."""
        prepare = prepared_in_worker if worker and worker_available() else prepared_chunks
        for chunk in prepare(self.preparer, items, chunk_size=self.chunk_size, position=position):
            self.counts.rows += chunk.read
            self.counts.rejected += chunk.rejected
            for error in chunk.errors:
                self.on_error(error)
            if chunk.rows:
                self._store(chunk.rows)
            if self.on_progress is not None and position is not None:
                self.on_progress(chunk.position)

    def _store(self, rows: list[Prepared]) -> None:
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
            for row in rows:
                single = (ImportCounts(**self.counts.as_dict()), self.contacts, self.signs)
                try:
                    with transaction.atomic():
                        self._lock()
                        self._store_locked([row])
                except DatabaseError:
                    self.counts, self.contacts, self.signs = single
                    self.counts.rejected += 1
                    self.on_error(
                        RowError(
                            row.row, "", f"row {row.row} could not be stored; tell the hub's support team"
                        )
                    )

    def _lock(self) -> None:
        # Versions and identities of one agency are numbered and created by one writer at a time.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"openmash-feed:{self.agency.pk}"])

    def _store_locked(self, rows: list[Prepared]) -> None:
        spec, agency, batch = self.spec, self.agency, self.batch
        held: dict[str, dict[str, tuple[int, uuid.UUID]]] = {}
        latest: dict[str, int] = {}
        for source_id, version, digest, batch_id in _held(
            agency.pk, spec.code, {row.source_id for row in rows}
        ):
            held.setdefault(source_id, {})[digest] = (version, batch_id)
            latest[source_id] = max(latest.get(source_id, 0), version)

        to_store: list[tuple[Prepared, int]] = []
        for row in rows:
            digest = row.digest
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
            to_store.append((row, version))
            self._count_stored(version)
        if not to_store:
            return

        links = identities_link(
            agency=agency,
            incoming=self._identities(row for row, _ in to_store),
            process=spec.code,
            needs_child={
                row.person_id for row, version in to_store if version == 1 and row.contact is not None
            },
        )
        now = timezone.now()
        tail = f"\t{now.isoformat()}" * 3 + "\n"
        ids = [uuid.uuid4() for _ in to_store]
        lines: list[str] = []
        stored: list[StoredRecord] = []
        contact_items: list[FeedContact] = []
        every_record = spec.code in _WINDOW_FEEDS
        for (row, version), record_id in zip(to_store, ids, strict=True):
            link = links[row.person_id]
            lines.append(f"{row.copy_head}\t{record_id}\t{version}\t{link.identity_id}{tail}")
            if version == 1 and row.contact is not None:
                contact_items.append(
                    FeedContact(
                        feed_record_id=record_id,
                        summary=row.contact[0],
                        urgency=row.contact[1],
                        child_id=link.child_id,
                        identity_id=link.identity_id,
                    )
                )
            # Only records that can raise a sign need to reach sign derivation (which skips
            # records no child is linked to yet: linking them later catches their signs up).
            if link.child_id is not None and (row.sign_payload is not None or every_record):
                stored.append(
                    StoredRecord(
                        id=record_id, agency_id=agency.pk, feed=spec.code, source_id=row.source_id,
                        version=version, event_type=row.event_type, event_date=row.event_date,
                        child_id=link.child_id, payload=row.sign_payload or {},
                    )
                )  # fmt: skip
        _copy_records("".join(lines))

        contacts = contacts_open_for_feed(
            actor=self.actor,
            items=contact_items,
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

    def _identities(self, rows: Iterable[Prepared]) -> list[IncomingIdentity]:
        found: dict[str, IncomingIdentity] = {}
        for row in rows:
            if row.person_id in found:
                continue
            forename, surname, born, sex, nhs_number, upn, address, postcode = row.identity
            found[row.person_id] = IncomingIdentity(
                agency_record_id=row.person_id,
                forename=forename,
                surname=surname,
                date_of_birth=born,
                sex=sex,
                nhs_number=nhs_number,
                unique_pupil_number=upn,
                address=address,
                postcode=postcode,
                recorded_on=row.event_date,
            )
        return list(found.values())


def _held(agency_id: uuid.UUID, feed: str, source_ids: set[str]) -> list[tuple[str, int, str, uuid.UUID]]:
    """The versions already held of these records (one array parameter, not one per record)."""
    table = connection.ops.quote_name(FeedRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_id, version, content_hash, batch_id FROM {table} "  # noqa: S608
            "WHERE agency_id = %s AND feed = %s AND source_id = ANY(%s::text[])",
            [agency_id, feed, list(source_ids)],
        )
        return cursor.fetchall()


def _copy_records(lines: str) -> None:
    """Insert feed records with COPY (text format, lines already escaped), in the caller's transaction."""
    table = connection.ops.quote_name(FeedRecord._meta.db_table)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({COPY_COLUMNS_PREPARED}, {COPY_COLUMNS_STORED}) FROM STDIN") as copy,
    ):
        copy.write(lines)


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
    if agency.feeds and spec.code not in agency.feeds:
        return (
            f"{agency.name} was onboarded to send {', '.join(agency.feeds)}, not {spec.code}. "
            "A system administrator can change that on the Agencies page."
        )
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
    worker: bool = True,
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
        # Progress is the bytes read: reported by the reader here, or with each chunk from the worker.
        counter_raw = _CountingReader(raw, None if worker and worker_available() else on_progress)
        counter = io.BufferedReader(counter_raw, buffer_size=1 << 16)
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
            spec=spec, agency=agency, batch=batch, actor=actor, chunk_size=chunk_size, on_error=record_error,
            on_progress=on_progress,
        )  # fmt: skip
        engine.run(items, worker=worker, position=lambda: counter_raw.position)
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
