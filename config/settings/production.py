"""Production: everything from the environment; refuses to start without what it needs."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, DEMO_MODE, SECRET_KEY, env_bool

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to at least 50 random characters")
if not DATABASES:
    raise ImproperlyConfigured("DATABASE_URL must point at the production PostgreSQL")
if DEMO_MODE:
    raise ImproperlyConfigured("OPENMASH_DEMO must not be set in production")

DEBUG = False
OTP_REQUIRED = True

SECURE_SSL_REDIRECT = env_bool("OPENMASH_SSL_REDIRECT", True)
if os.environ.get("OPENMASH_TLS_AT_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-openmash-session"
CSRF_COOKIE_NAME = "__Host-openmash-csrf"
