"""Tests: a throwaway embedded PostgreSQL (or DATABASE_URL), fast hashing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("OPENMASH_DEMO", "1")

from .base import *  # noqa: F403
from .base import DATABASES, STATIC_ROOT, database_from_url

SECRET_KEY = "test-only-key-not-secret-7d1a0c"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]

if not DATABASES:
    from openmash.dbserver import ensure_running

    _tmp = Path(tempfile.mkdtemp(prefix="openmash-test-"))
    DATABASES = {"default": database_from_url(ensure_running(_tmp / "pg", throwaway=True))}

# Argon2 is deliberately slow; tests check behaviour, not the hash cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5

# WhiteNoise warns on every request when STATIC_ROOT is missing; assets come from the finders here.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
