"""`POST /api/v1/intelligence/{feed}`: an agency system sends entities or links (JSON or CSV).

The same answers as the other feeds (docs/feeds/README.md): 200 when every record was stored
or already held, 422 listing each refused record's row, field and reason (the rest kept),
401/403/404/413/415 with a detail, never a 5xx for anything a client can send.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status
from pydantic import WithJsonSchema

from openmash.accounts.actor import Actor
from openmash.intake.api import (
    _REQUEST_BODY,
    MAX_RECORDS,
    FeedToken,
    ImportOut,
    Problem,
    _finite,
    _no_constants,
)
from openmash.intake.models import FeedClient

from .feeds.importer import IntelImportResult, intelligence_records_import
from .feeds.spec import FEEDS

router = Router(tags=["intelligence"], auth=FeedToken())

FeedCode = Annotated[
    str,
    WithJsonSchema({"type": "string", "enum": sorted(FEEDS), "description": "The intelligence feed's code."}),
]


def _summary(feed: str, result: IntelImportResult) -> dict[str, Any]:
    errors = [error.as_dict() for error in result.errors]
    if result.file_problem:
        errors.insert(0, {"row": 0, "field": "", "reason": result.file_problem})
    return {
        "batch": str(result.batch.pk) if result.batch else None,
        "feed": feed,
        **result.counts.as_dict(),
        "contacts": 0,
        "signs": 0,
        "errors": errors,
        "warnings": [],
    }


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
    summary="Send intelligence entities or links",
    description=(
        "Send up to 5,000 records of `intelligence_entities` or `intelligence_links` (docs/feeds/), as JSON "
        '(`{"records": [...]}`) or CSV. Records already held are not stored again; changed ones are stored '
        "as corrections of what was sent before. 422 lists each refused record's row, field and reason; "
        "every other record was stored."
    ),
    openapi_extra={"requestBody": _REQUEST_BODY},
)
def intelligence_feed_post(request: HttpRequest, feed: FeedCode) -> Status:
    client: FeedClient = request.auth  # type: ignore[attr-defined]
    spec = FEEDS.get(feed)
    if spec is None:
        return Status(
            404, {"detail": f"There is no intelligence feed called '{feed[:60]}'. Feeds: {', '.join(FEEDS)}."}
        )
    if feed not in client.feeds:
        return Status(403, {"detail": f"This system's token may not send the {feed} feed."})
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return Status(
            413, {"detail": f"The body is larger than {limit:,} bytes. Send fewer records per request."}
        )
    actor = Actor.system(f"api:{client.agency.code}:{client.name}"[:60])
    content_type = (request.content_type or "").lower()
    if content_type == "text/csv":
        result = intelligence_records_import(actor=actor, spec=spec, client=client, csv_body=request.body)
        return Status(422 if result.errors or result.file_problem else 200, _summary(feed, result))
    if content_type not in {"application/json", ""}:
        return Status(415, {"detail": "Send application/json or text/csv."})
    try:
        document = json.loads(request.body.decode("utf-8"), parse_constant=_no_constants, parse_float=_finite)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        return _unreadable(feed, f"The body is not valid JSON: {str(error)[:200]}")
    records = document.get("records") if isinstance(document, dict) else None
    if not isinstance(records, list):
        return _unreadable(feed, 'The body must be a JSON object with a "records" list.')
    if len(records) > MAX_RECORDS:
        return Status(
            413, {"detail": f"{len(records):,} records is more than {MAX_RECORDS:,}. Send them in parts."}
        )
    result = intelligence_records_import(actor=actor, spec=spec, client=client, records=records)
    return Status(422 if result.errors else 200, _summary(feed, result))
