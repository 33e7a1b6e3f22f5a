"""Laptop and demo: an embedded PostgreSQL in .data/, demo mode on unless said otherwise."""

from __future__ import annotations

import os

os.environ.setdefault("OPENMASH_DEMO", "1")

from .base import *  # noqa: F403
from .base import DATABASES, STATIC_ROOT, database_from_url, env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)
# A fixed key is acceptable only here: local and demo data is synthetic.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "local-demo-only-key-never-used-in-production-2f9c1e"

if not DATABASES:
    from openmash.dbserver import ensure_running

    DATABASES = {"default": database_from_url(ensure_running())}

# WhiteNoise warns on every request when STATIC_ROOT is missing; assets come from the finders here.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
