"""`POST /api/v1/feeds/{feed}`: an agency system sends records (JSON or CSV) to the hub.

Every answer is JSON and none is a 5xx for anything a client can send: bad rows give a
422 listing each (row, field, reason) while the good rows are kept; a body that cannot
be read at all is a 422 with one error on row 0.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import WithJsonSchema

from openmash.accounts.actor import Actor
from openmash.intake.feeds.catalogue import FEEDS
from openmash.intake.feeds.importer import ImportResult, feed_records_import
from openmash.intake.models import FeedClient
from openmash.intake.services import feed_token_hash

MAX_RECORDS = 5000


class FeedToken(HttpBearer):
    """A bearer token issued to one agency system; only its SHA-256 is stored."""

    def authenticate(self, request: HttpRequest, token: str) -> FeedClient | None:
        if not token or len(token) > 200:
            return None
        return (
            FeedClient.objects.select_related("agency")
            .filter(token_hash=feed_token_hash(token), revoked_at__isnull=True)
            .first()
        )


class RowErrorOut(Schema):
    row: int
    field: str
    reason: str


class ImportOut(Schema):
    batch: str | None
    feed: str
    rows: int
    created: int
    new_versions: int
    unchanged: int
    rejected: int
    contacts: int
    signs: int
    errors: list[RowErrorOut]
    held_back: list[RowErrorOut] = []
    warnings: list[str]


class Problem(Schema):
    detail: str


router = Router(tags=["feeds"], auth=FeedToken())

_RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One record: the feed's columns as keys (docs/feeds/<feed>.md).",
    "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
}
_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["records"],
                "properties": {
                    "records": {"type": "array", "maxItems": MAX_RECORDS, "items": _RECORD_SCHEMA},
                },
            }
        },
        "text/csv": {
            "schema": {
                "type": "string",
                "description": "UTF-8 CSV with a header row naming the feed's columns.",
            }
        },
    },
}


# Documented (so clients and the fuzzer know the codes) but checked in the view, so an unknown
# feed is a plain 404 rather than a validation error in another shape.
FeedCode = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "enum": sorted(FEEDS), "description": "The feed's code (docs/feeds/)."}
    ),
]


def _summary(feed: str, result: ImportResult) -> dict[str, Any]:
    counts = result.counts
    errors = [error.as_dict() for error in result.errors if not error.kept]
    held = [error.as_dict() for error in result.errors if error.kept]
    if result.file_problem:
        errors.insert(0, {"row": 0, "field": "", "reason": result.file_problem})
    return {
        "batch": str(result.batch.pk) if result.batch else None,
        "feed": feed,
        **counts.as_dict(),
        "contacts": result.contacts,
        "signs": result.signs,
        "errors": errors,
        "held_back": held,
        "warnings": result.warnings,
    }


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text[:20]} is too large")
    return value


def _unreadable(feed: str, reason: str) -> Status:
    return Status(
        422,
        {
            "batch": None,
            "feed": feed,
            "rows": 0,
            "created": 0,
            "new_versions": 0,
            "unchanged": 0,
            "rejected": 0,
            "contacts": 0,
            "signs": 0,
            "errors": [{"row": 0, "field": "", "reason": reason}],
            "warnings": [],
        },
    )


@router.post(
    "/{feed}",
    response={200: ImportOut, 403: Problem, 404: Problem, 413: Problem, 415: Problem, 422: ImportOut},
    summary="Send records of one feed",
    description=(
        'Send up to 5,000 records of one feed, as JSON (`{"records": [...]}`) or as CSV '
        "(`Content-Type: text/csv`). Records already held are not stored again; changed ones "
        "are stored as new versions. 200: every record was stored or already held. 422: some "
        "records (or the whole body) were refused; `errors` lists each with its row number "
        "(the JSON record's position from 1, or the CSV line), field and reason, and every "
        "other record was stored."
    ),
    openapi_extra={"requestBody": _REQUEST_BODY},
)
def feed_post(
    request: HttpRequest,
    feed: FeedCode,
) -> Status:
    client: FeedClient = request.auth  # type: ignore[attr-defined]
    spec = FEEDS.get(feed)
    if spec is None:
        return Status(404, {"detail": f"There is no feed called '{feed[:60]}'. Feeds: {', '.join(FEEDS)}."})
    if feed not in client.feeds:
        return Status(403, {"detail": f"This system's token may not send the {feed} feed."})
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        return Status(
            413, {"detail": f"The body is larger than {limit:,} bytes. Send fewer records per request."}
        )
    content_type = (request.content_type or "").lower()
    body = request.body
    actor = Actor.system(f"api:{client.agency.code}:{client.name}"[:60])
    if content_type == "text/csv":
        result = feed_records_import(actor=actor, spec=spec, client=client, csv_body=body)
        return Status(422 if _refused(result) or result.file_problem else 200, _summary(feed, result))
    if content_type not in {"application/json", ""}:
        return Status(415, {"detail": "Send application/json or text/csv."})
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_no_constants, parse_float=_finite)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        return _unreadable(feed, f"The body is not valid JSON: {str(error)[:200]}")
    records = document.get("records") if isinstance(document, dict) else None
    if not isinstance(records, list):
        return _unreadable(feed, 'The body must be a JSON object with a "records" list.')
    if len(records) > MAX_RECORDS:
        return Status(
            413, {"detail": f"{len(records):,} records is more than {MAX_RECORDS:,}. Send them in parts."}
        )
    result = feed_records_import(actor=actor, spec=spec, client=client, records=records)
    return Status(422 if _refused(result) else 200, _summary(feed, result))


def _refused(result: ImportResult) -> bool:
    return any(not error.kept for error in result.errors)
