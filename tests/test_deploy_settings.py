"""Production settings pass Django's deployment checks with nothing to report."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow


def check_deploy(**overrides: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy --fail-level WARNING` as the Makefile's check-deploy target runs it."""
    # The test run's own allowance for Playwright's event loop is not something production sets.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "check-deploy-" + secrets.token_urlsafe(48),
        "DATABASE_URL": "postgresql://openmash@localhost/openmash",
        "OPENMASH_DEMO": "0",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks_with_nothing_reported():
    result = check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_would_catch_https_redirects_being_switched_off():
    """Shows the check above is live: weaken one setting and it fails."""
    result = check_deploy(OPENMASH_SSL_REDIRECT="0")

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
