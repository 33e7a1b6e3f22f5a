"""Public reports ("it's not okay"): rate limits, refusals and retention of the attempts (ADR
0024).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmash.accounts.actor import Actor
from openmash.intake.models import (
    Contact,
    ContactSource,
    PublicReport,
    PublicReportAttempt,
    Urgency,
)
from openmash.intake.services._common import _logger
from openmash.intake.services.contacts import contact_open

# --- Public reports ---------------------------------------------------------------------------

PUBLIC_LIMIT_PER_HOUR = 5
PUBLIC_ATTEMPTS_PER_HOUR = 20


def public_client_hash(address: str) -> str:
    """A keyed hash of the client address: enough to count attempts, useless to identify anyone."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"public-report:{address}".encode(), hashlib.sha256).hexdigest()


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def public_report_allowed(*, client_hash: str, now: datetime | None = None) -> bool:
    """At most 5 accepted reports and 20 attempts an hour from one address (settings can change both)."""
    since = (now or timezone.now()) - PUBLIC_RATE_WINDOW
    attempts = PublicReportAttempt.objects.filter(client_hash=client_hash, attempted_at__gte=since)
    accepted = attempts.filter(accepted=True).count()
    return accepted < _limit(
        "OPENMASH_PUBLIC_REPORTS_PER_HOUR", PUBLIC_LIMIT_PER_HOUR
    ) and attempts.count() < _limit("OPENMASH_PUBLIC_ATTEMPTS_PER_HOUR", PUBLIC_ATTEMPTS_PER_HOUR)


PUBLIC_RATE_WINDOW = timedelta(hours=1)  # the window public_report_allowed counts over
PUBLIC_ATTEMPT_RETENTION_HOURS = 24


def public_attempt_retention() -> timedelta:
    """How long rate-limit rows are kept: OPENMASH_PUBLIC_ATTEMPT_RETENTION_HOURS (environment or
    settings), default 24 hours, never less than the rate-limit window itself."""
    name = "OPENMASH_PUBLIC_ATTEMPT_RETENTION_HOURS"
    configured: Any = os.environ.get(name) or getattr(settings, name, None) or PUBLIC_ATTEMPT_RETENTION_HOURS
    return max(timedelta(hours=float(configured)), PUBLIC_RATE_WINDOW)


@transaction.atomic
def public_report_attempts_purge(
    *, older_than: timedelta | None = None, now: datetime | None = None, dry_run: bool = False
) -> int:
    """Delete public-report rate-limit rows (keyed address hashes) older than the retention window.

    A scheduled retention job (``openmash intake_retention``): the rows exist only to rate-limit
    the anonymous form, so once outside the window they serve no purpose and are deleted.
    Never deletes inside the rate-limit window, so limiting is unchanged. Returns how many.
    """
    keep = max(older_than or public_attempt_retention(), PUBLIC_RATE_WINDOW)
    cutoff = (now or timezone.now()) - keep
    old = PublicReportAttempt.objects.filter(attempted_at__lt=cutoff)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    _logger.info(
        "Retention: deleted %s public-report rate-limit rows from before %s", deleted, cutoff.isoformat()
    )
    return deleted


@transaction.atomic
def public_report_refusal_record(*, client_hash: str, reason: str) -> None:
    PublicReportAttempt.objects.create(
        client_hash=client_hash, attempted_at=timezone.now(), accepted=False, reason=reason[:30]
    )


@transaction.atomic
def public_report_submit(
    *,
    client_hash: str,
    worry: str,
    child_description: str = "",
    location: str = "",
    when: str = "",
    reporter_contact: str = "",
) -> Contact:
    """Accept an anonymous report: a public contact in the hub's queue (its reference is all we show)."""
    worry = worry.strip()
    if not worry:
        raise ValidationError({"worry": "Tell us what you are worried about."})
    PublicReportAttempt.objects.create(client_hash=client_hash, attempted_at=timezone.now(), accepted=True)
    contact = contact_open(
        actor=Actor.system("public-report"),
        source=ContactSource.PUBLIC,
        summary="Report from a member of the public",
        urgency=Urgency.SAME_DAY,
    )
    report = PublicReport(
        contact=contact,
        worry=worry,
        child_description=child_description.strip(),
        location=location.strip(),
        when=when.strip(),
        reporter_contact=reporter_contact.strip(),
    )
    report.full_clean(exclude=["contact"])
    report.save()
    return contact
