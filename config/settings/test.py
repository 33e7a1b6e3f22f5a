"""Tests: a throwaway embedded PostgreSQL (or DATABASE_URL), fast hashing.

Loading these settings starts nothing (mypy's Django plugin loads them too). Without
DATABASE_URL the database's socket folder is a placeholder until the test session's
`django_db_setup` (conftest.py) starts a throwaway server and fills it in; the server and
its `openmash-test-*` folder go away when that process ends, even if it is killed.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENMASH_DEMO", "1")

from .base import *  # noqa: F403
from .base import DATABASES, STATIC_ROOT, database_from_url

SECRET_KEY = "test-only-key-not-secret-7d1a0c"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]

# Where a throwaway server's socket will be: filled in when a test first needs the database.
THROWAWAY_SOCKET_PLACEHOLDER = "/nonexistent/openmash-test-server-is-started-by-the-test-session"
if not DATABASES:
    DATABASES = {
        "default": database_from_url(f"postgresql://openmash@/openmash?host={THROWAWAY_SOCKET_PLACEHOLDER}")
    }

# Argon2 is deliberately slow; tests check behaviour, not the hash cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5

# WhiteNoise warns on every request when STATIC_ROOT is missing; assets come from the finders here.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
