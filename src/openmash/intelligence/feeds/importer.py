"""Storing the intelligence feeds: idempotent, versioned by content, resumable, errors per row and field.

The same promises as the other feeds (docs/feeds/README.md), on the intelligence tables: a
record is keyed by (agency, feed, record_id) in ``feed_key``; content already held (any version)
is a repeat and is not stored; new content is a correction that points at what it corrects.
Rows are stored in chunks, each in one transaction under the agency's advisory lock, so an
import killed part-way has stored whole chunks, and running the file again stores the rest and
ends as one clean run would. Batches are recorded as intake ``FeedBatch`` rows.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency
from openmash.intake.feeds.importer import ImportCounts
from openmash.intake.feeds.prepare import content_hash
from openmash.intake.feeds.read import FileProblem, check_bytes, csv_rows, json_items, json_records
from openmash.intake.feeds.spec import FeedSpec, RowError
from openmash.intake.models import BatchStatus, Channel, FeedBatch, FeedClient
from openmash.intelligence.choices import Status
from openmash.intelligence.models import Entity, EntityVersion, Link
from openmash.intelligence.services import Grading, Provenance, entity_record, link_problems
from openmash.people.models import Child

from .spec import ENTITIES, LINKS, CleanIntelRow, validate

CHUNK = 500
MAX_FILE_BYTES = 200 * 1024**2


@dataclass
class IntelImportResult:
    batch: FeedBatch | None
    counts: ImportCounts
    errors: list[RowError] = field(default_factory=list)
    file_problem: str = ""


def feed_key(agency: Agency, feed: str, record_id: str) -> str:
    return f"{agency.code}:{feed}:{record_id}"[:200]


def _grading(values: Mapping[str, Any]) -> Grading:
    return Grading(values["source_evaluation"], values["intelligence_assessment"], values["handling_code"])


def _label(values: Mapping[str, Any]) -> str:
    kind = values["entity_type"]
    if kind == "vehicle":
        return " ".join(
            p for p in (values.get("registration"), values.get("colour"), values.get("make")) if p
        )
    if kind == "phone":
        return values["phone_number"]
    if kind == "account":
        return f"{values['platform']} {values['handle']}"
    return values.get("name") or values.get("address") or kind


def _attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    names = {
        "adult": ("date_of_birth",),
        "vehicle": ("registration", "make", "colour"),
        "phone": ("phone_number",),
        "account": ("platform", "handle"),
        "place": ("place_kind", "address", "postcode", "latitude", "longitude"),
        "group": ("group_kind",),
    }.get(values["entity_type"], ())
    found: dict[str, Any] = {name: values[name] for name in names if values.get(name) is not None}
    if "phone_number" in found:
        found["number"] = found.pop("phone_number")
    if "date_of_birth" in found:
        found["date_of_birth"] = found["date_of_birth"].isoformat()
    return found


class _Store:
    def __init__(self, *, spec: FeedSpec, agency: Agency, actor: Actor, batch: FeedBatch) -> None:
        self.spec, self.agency, self.actor, self.batch = spec, agency, actor, batch
        self.counts = ImportCounts()

    def chunk(self, rows: list[CleanIntelRow]) -> list[RowError]:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"openmash-intel-feed:{self.agency.pk}"]
                )
            errors: list[RowError] = []
            for row in rows:
                problems = self._entity(row) if self.spec is ENTITIES else self._link(row)
                if problems:
                    self.counts.rejected += 1
                    errors.extend(problems)
            return errors

    def _held(self, model: type[EntityVersion] | type[Link], key: str) -> tuple[set[str], Any]:
        rows: list[Any] = list(model.objects.filter(feed_key=key).order_by("recorded_at"))
        corrected = {row.corrects_id for row in rows if row.corrects_id}
        current = next((row for row in reversed(rows) if row.pk not in corrected), None)
        return {row.content_hash for row in rows}, current

    def _entity(self, row: CleanIntelRow) -> list[RowError]:
        values = row.values
        key = feed_key(self.agency, ENTITIES.code, values["record_id"])
        digest = content_hash(values)
        hashes, current = self._held(EntityVersion, key)
        if digest in hashes:
            self.counts.unchanged += 1
            return []
        kind = values["entity_type"]
        provenance = Provenance(
            agency_id=self.agency.pk, record=values["record_id"], feed_key=key, content_hash=digest
        )
        if current is not None:
            if current.entity.kind != kind:
                return [
                    RowError(
                        row.row,
                        "entity_type",
                        f"record {values['record_id']} was sent as a {current.entity.kind}; "
                        "send a new record_id for a different entity",
                    )
                ]
            EntityVersion.objects.create(
                entity=current.entity,
                label=_label(values)[:200],
                attributes=_attributes(values),
                corrects=current,
                source_agency_id=self.agency.pk,
                source_record=values["record_id"],
                feed_key=key,
                content_hash=digest,
                status=current.status,
                recorded_at=timezone.now(),
                recorded_by=self.actor.username[:150],
                reason=f"Sent again by {self.agency.name} with new content",
                **_grading(values).as_fields(),
            )
            self.counts.new_versions += 1
            return []
        child_id = None
        if kind == "child":
            found = _child(values)
            if found is None:
                name = "nhs_number" if values.get("nhs_number") else "upn"
                return [
                    RowError(
                        row.row,
                        name,
                        f"no single child on the hub's records has this {name.replace('_', ' ')}",
                    )
                ]
            child_id = found
        entity = entity_record(
            actor=self.actor,
            kind=kind,
            label=_label(values),
            grading=_grading(values),
            attributes=_attributes(values),
            child_id=child_id,
            provenance=provenance,
            process=f"feed:{self.agency.code}"[:60],
            reason=f"Sent by {self.agency.name}",
        )
        if not EntityVersion.objects.filter(entity=entity, feed_key=key).exists():
            # The entity was already known (the same registration, number or child): this agency's
            # report of it is a new version of its details, pointing at the one before.
            previous = (
                EntityVersion.objects.filter(entity=entity, corrected_by__isnull=True)
                .order_by("-recorded_at")
                .first()
            )
            EntityVersion.objects.create(
                entity=entity,
                label=_label(values)[:200],
                attributes=_attributes(values),
                corrects=previous,
                source_agency_id=self.agency.pk,
                source_record=values["record_id"],
                feed_key=key,
                content_hash=digest,
                status=previous.status if previous else Status.UNCONFIRMED,
                recorded_at=timezone.now(),
                recorded_by=self.actor.username[:150],
                reason=f"Also reported by {self.agency.name}",
                **_grading(values).as_fields(),
            )
        self.counts.created += 1
        return []

    def _link(self, row: CleanIntelRow) -> list[RowError]:
        values = row.values
        key = feed_key(self.agency, LINKS.code, values["record_id"])
        digest = content_hash(values)
        hashes, current = self._held(Link, key)
        if digest in hashes:
            self.counts.unchanged += 1
            return []
        ends = _entities_sent(self.agency, [values["from_entity"], values["to_entity"]])
        source, target = ends.get(values["from_entity"]), ends.get(values["to_entity"])
        grading = _grading(values)
        problems = link_problems(
            kind=values["link_type"],
            source=source,
            target=target,
            valid_from=values["valid_from"],
            valid_to=values.get("valid_to"),
            grading=grading,
        )
        if problems:
            rename = {"source": "from_entity", "target": "to_entity", "kind": "link_type"}
            reasons = {
                "source": f"from_entity: no entity with record_id '{values['from_entity'][:40]}' has "
                "been sent by your agency in intelligence_entities",
                "target": f"to_entity: no entity with record_id '{values['to_entity'][:40]}' has "
                "been sent by your agency in intelligence_entities",
            }
            errors = []
            for name, reason in problems.items():
                missing = (name == "source" and source is None) or (name == "target" and target is None)
                errors.append(RowError(row.row, rename.get(name, name), reasons[name] if missing else reason))
            return errors
        assert source is not None and target is not None
        Link.objects.create(
            kind=values["link_type"],
            source=source,
            target=target,
            valid_from=values["valid_from"],
            valid_to=values.get("valid_to"),
            source_agency_id=self.agency.pk,
            source_record=values.get("source_record") or values["record_id"],
            feed_key=key,
            content_hash=digest,
            status=Status.CONFIRMED if values.get("confirmed") else Status.UNCONFIRMED,
            recorded_at=timezone.now(),
            recorded_by=self.actor.username[:150],
            corrects=current,
            reason=f"Sent by {self.agency.name}" + (" with new content" if current is not None else ""),
            **grading.as_fields(),
        )
        if current is None:
            self.counts.created += 1
        else:
            self.counts.new_versions += 1
        return []


def _child(values: Mapping[str, Any]) -> uuid.UUID | None:
    if values.get("nhs_number"):
        found = list(Child.objects.filter(nhs_number=values["nhs_number"]).values_list("pk", flat=True)[:2])
    else:
        found = list(Child.objects.filter(unique_pupil_number=values["upn"]).values_list("pk", flat=True)[:2])
    return found[0] if len(found) == 1 else None


def _entities_sent(agency: Agency, record_ids: list[str]) -> dict[str, Entity]:
    keys = {feed_key(agency, ENTITIES.code, record_id): record_id for record_id in record_ids}
    found: dict[str, Entity] = {}
    for version in EntityVersion.objects.filter(feed_key__in=keys).select_related("entity"):
        found[keys[version.feed_key]] = version.entity
    return found


def _run(
    *,
    spec: FeedSpec,
    agency: Agency,
    actor: Actor,
    batch: FeedBatch,
    items: Iterable[tuple[int, Mapping[str, Any] | RowError]],
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IntelImportResult:
    store = _Store(spec=spec, agency=agency, actor=actor, batch=batch)
    errors: list[RowError] = []

    def report(found: list[RowError]) -> None:
        errors.extend(found)
        if on_error is not None:
            for error in found:
                on_error(error)

    today = timezone.localdate()
    pending: list[CleanIntelRow] = []
    for row_number, item in items:
        store.counts.rows += 1
        outcome = item if isinstance(item, RowError) else validate(spec, row_number, item, today=today)
        if isinstance(outcome, CleanIntelRow):
            pending.append(outcome)
        else:
            store.counts.rejected += 1
            report([outcome] if isinstance(outcome, RowError) else outcome)
        if len(pending) >= CHUNK:
            report(store.chunk(pending))
            pending = []
            if on_progress is not None:
                on_progress(store.counts.rows)
    if pending:
        report(store.chunk(pending))
    counts = store.counts
    batch.rows, batch.created, batch.new_versions = counts.rows, counts.created, counts.new_versions
    batch.unchanged, batch.rejected = counts.unchanged, counts.rejected
    batch.row_errors_sample = [error.as_dict() for error in errors[:100]]
    batch.status, batch.finished_at = BatchStatus.COMPLETED, timezone.now()
    batch.save()
    return IntelImportResult(batch=batch, counts=counts, errors=errors)


def _refused(
    spec: FeedSpec, agency: Agency, channel: str, reason: str, client: FeedClient | None = None
) -> IntelImportResult:
    batch = FeedBatch.objects.create(
        feed=spec.code,
        agency=agency,
        client=client,
        channel=channel,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status=BatchStatus.REFUSED,
        file_errors=[reason],
    )
    return IntelImportResult(batch=batch, counts=ImportCounts(), file_problem=reason)


def intelligence_file_import(
    *,
    actor: Actor,
    spec: FeedSpec,
    agency: Agency,
    path: Path,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IntelImportResult:
    """Import one CSV or JSON file of an intelligence feed. Running a file again stores only what
    is not held yet (so an interrupted import is resumed by running it again)."""
    if agency.kind not in spec.agency_kinds:
        return _refused(spec, agency, Channel.FILE, f"{agency.name} cannot send the {spec.code} feed.")
    kind = "json" if path.suffix.lower() == ".json" else "csv"
    data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else b""
    try:
        if not data:
            raise FileProblem(f"The file is empty or larger than the {MAX_FILE_BYTES:,}-byte limit.")
        check_bytes(io.BytesIO(data), max_bytes=MAX_FILE_BYTES, kind=kind)
        if kind == "json":
            _, items = json_records(data, spec)
        else:
            _, items = csv_rows(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), spec)
    except FileProblem as problem:
        return _refused(spec, agency, Channel.FILE, problem.reason)
    batch = FeedBatch.objects.create(
        feed=spec.code,
        agency=agency,
        channel=Channel.FILE,
        file_name=path.name[:300],
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_bytes=len(data),
        started_at=timezone.now(),
    )
    return _run(
        spec=spec,
        agency=agency,
        actor=actor,
        batch=batch,
        items=items,
        on_error=on_error,
        on_progress=on_progress,
    )


def intelligence_records_import(
    *,
    actor: Actor,
    spec: FeedSpec,
    client: FeedClient,
    records: list[Any] | None = None,
    csv_body: bytes | None = None,
) -> IntelImportResult:
    """The records of one API request (JSON records or a CSV body), as one batch."""
    agency = client.agency
    if csv_body is not None:
        try:
            check_bytes(io.BytesIO(csv_body), max_bytes=len(csv_body) + 1, kind="csv")
            _, items = csv_rows(
                io.TextIOWrapper(io.BytesIO(csv_body), encoding="utf-8-sig", newline=""), spec
            )
        except FileProblem as problem:
            return _refused(spec, agency, Channel.API, problem.reason, client)
    else:
        items = json_items(records or [], spec)
    batch = FeedBatch.objects.create(
        feed=spec.code, agency=agency, client=client, channel=Channel.API, started_at=timezone.now()
    )
    FeedClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return _run(spec=spec, agency=agency, actor=actor, batch=batch, items=items)
