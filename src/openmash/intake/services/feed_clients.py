"""Feed clients: the agency systems that post to the API, their tokens and revocation."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency
from openmash.intake.models import (
    FeedClient,
)

# --- Feed clients (agency systems posting to the API) -----------------------------------------

TOKEN_PREFIX = "omf_"  # noqa: S105 - a prefix that marks OpenMASH feed tokens, not a secret

# Feeds another app takes through its own endpoint with these same tokens (the intelligence
# feeds): code -> the kinds of agency that may send it. Apps register them in ready().
OTHER_FEEDS: dict[str, tuple[str, ...]] = {}


def feed_register_other(code: str, agency_kinds: tuple[str, ...]) -> None:
    OTHER_FEEDS[code] = agency_kinds


def feed_token_hash(token: str) -> str:
    # Tokens are 256-bit random values, so a plain SHA-256 is enough (no dictionary to attack).
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def feed_client_create(
    *, actor: Actor, agency: Agency, name: str, feeds: list[str]
) -> tuple[FeedClient, str]:
    """Register an agency system. Returns the client and its token, which is shown once and never stored."""
    from openmash.intake.feeds.catalogue import FEEDS

    kinds = {code: spec.agency_kinds for code, spec in FEEDS.items()} | OTHER_FEEDS
    unknown = [feed for feed in feeds if feed not in kinds]
    if unknown:
        raise ValidationError({"feeds": f"Unknown feeds: {', '.join(unknown)}"})
    wrong_kind = [feed for feed in feeds if agency.kind not in kinds[feed]]
    if wrong_kind:
        raise ValidationError(
            {"feeds": f"A {agency.get_kind_display()} cannot send: {', '.join(wrong_kind)}"}
        )
    if not feeds:
        raise ValidationError({"feeds": "Name at least one feed."})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = FeedClient(
        agency=agency,
        name=name.strip(),
        token_hash=feed_token_hash(token),
        token_hint=token[:10],
        feeds=feeds,
    )
    client.full_clean()
    client.save()
    return client, token


@transaction.atomic
def feed_client_revoke(*, actor: Actor, client: FeedClient) -> FeedClient:
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at", "updated_at"])
    return client
