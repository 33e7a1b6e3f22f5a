"""The retention job for the public form's rate-limit rows (`openmash intake_retention`)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from openmash.intake.models import PublicReportAttempt
from openmash.intake.services import public_client_hash, public_report_allowed, public_report_attempts_purge

pytestmark = pytest.mark.django_db


def _attempt(hours_ago: float, client: str = "198.51.100.7", accepted: bool = False) -> PublicReportAttempt:
    return PublicReportAttempt.objects.create(
        client_hash=public_client_hash(client),
        attempted_at=timezone.now() - timedelta(hours=hours_ago),
        accepted=accepted,
        reason="" if accepted else "honeypot",
    )


def test_rows_older_than_the_window_are_deleted_and_recent_ones_kept(settings):
    settings.OPENMASH_PUBLIC_ATTEMPT_RETENTION_HOURS = 24
    old = [_attempt(25), _attempt(24 * 40, accepted=True)]
    recent = [_attempt(0.1), _attempt(23)]
    output = StringIO()
    call_command("intake_retention", stdout=output)
    assert "Deleted 2 public-report rate-limit rows older than 24 hours" in output.getvalue()
    remaining = set(PublicReportAttempt.objects.values_list("pk", flat=True))
    assert remaining == {row.pk for row in recent}
    assert not remaining & {row.pk for row in old}


def test_a_dry_run_deletes_nothing_and_the_window_never_drops_below_the_rate_limit_hour():
    _attempt(3)
    output = StringIO()
    call_command("intake_retention", "--hours", "2", "--dry-run", stdout=output)
    assert "Would delete 1" in output.getvalue() and PublicReportAttempt.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("intake_retention", "--hours", "0.5")
    # Even asked for less, the service keeps the last hour, so rate limiting is unchanged by it.
    for _ in range(5):
        _attempt(0.5, client="203.0.113.9", accepted=True)
    assert public_report_attempts_purge(older_than=timedelta(minutes=1)) == 1
    assert not public_report_allowed(client_hash=public_client_hash("203.0.113.9"))
