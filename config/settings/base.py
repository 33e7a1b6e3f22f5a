"""Settings shared by every environment. Everything that differs comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parents[2]
SRC_DIR = BASE_DIR / "src" / "openmash"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Turn postgresql://user:pass@host:port/name?host=/socket/dir into Django's dict."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError("DATABASE_URL must be a postgresql:// URL: OpenMASH runs on PostgreSQL only")
    query: dict[str, object] = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    host = str(query.pop("host", "") or unquote(parsed.hostname or ""))
    app_role = os.environ.get("OPENMASH_DB_APP_ROLE", "openmash_app")
    # The web application acts as a role that does not own the tables, so revoked privileges
    # and row-level security apply to it. Migrations and bulk generation run as the owner.
    if app_role and not env_bool("OPENMASH_DB_OWNER"):
        query["assume_role"] = app_role
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "openmash",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "OPTIONS": query,
        "ATOMIC_REQUESTS": True,
        "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        "TEST": {"NAME": "test_openmash"},
        "APP_ROLE": app_role,
    }


# Demo mode: the synthetic borough on a laptop. Skips the second factor and says so in a banner.
DEMO_MODE = env_bool("OPENMASH_DEMO", False)
SERVICE_NAME = "OpenMASH"
SERVICE_PHASE = os.environ.get("OPENMASH_PHASE", "beta")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "pgtrigger",
    "pghistory",
    "openmash.core",
    "openmash.accounts",
    "openmash.people",
    "openmash.access",
    "openmash.audit",
    "openmash.synthetic",
    "openmash.timescales",
    "openmash.notifications",
    "openmash.intake",
    "openmash.exploitation",
    "openmash.matching",
    "openmash.mash",
    "openmash.casework",
    "openmash.intelligence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openmash.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "openmash.accounts.middleware.IdleTimeoutMiddleware",
    "openmash.accounts.middleware.SecondFactorRequiredMiddleware",
    "openmash.accounts.middleware.ActingAsMiddleware",
    "openmash.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Axes must be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "openmash.core.jinja2env.environment",
            "autoescape": True,
            "context_processors": ["openmash.accounts.context.navigation"],
        },
    },
    {
        # Only for third-party pages that ship Django templates; OpenMASH's own pages are Jinja2.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {}  # filled in by local.py / test.py from the embedded server

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out username+address never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "people:my-children"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Sessions: 15 minutes idle (enforced by IdleTimeoutMiddleware), 12 hours absolute.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("OPENMASH_IDLE_MINUTES", "15")))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)

# Second factor: required unless demo mode says otherwise.
OTP_REQUIRED = not DEMO_MODE
OTP_TOTP_ISSUER = "OpenMASH"

# django-axes: lock on username AND address so a shared council or NHS office is never locked out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("OPENMASH_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "openmash.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("OPENMASH_PROXY_COUNT", "0")) or None
AXES_VERBOSE = False

# Where `openmash audit anchor` copies the read log's chain heads. In production, storage the
# database's administrators cannot rewrite (a write-once bucket mount, or the SIEM's inbox).
OPENMASH_AUDIT_ANCHOR_DIR = os.environ.get(
    "OPENMASH_AUDIT_ANCHOR_DIR", str(BASE_DIR / ".data" / "audit-anchors")
)

# The hub team, where the local authority has more than one team of kind "mash" (usually unset).
OPENMASH_HUB_TEAM_ID = os.environ.get("OPENMASH_HUB_TEAM_ID", "")

# Break-glass access lasts this long unless the grant says less.
BREAK_GLASS_HOURS = int(os.environ.get("OPENMASH_BREAK_GLASS_HOURS", "4"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
# Front-end assets are built from package-lock.json at install time into static_build/.
STATICFILES_DIRS = [BASE_DIR / "static_build"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
from csp.constants import NONCE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENMASH_LOG_LEVEL", "WARNING")},
    "loggers": {
        "openmash.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
