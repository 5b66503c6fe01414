"""TQR settings: one module, driven by the environment (see README "配置 / Configuration").

Parsers are strict: a boolean is exactly "true" or "false" (any case), anything else stops the start-up,
so that a typo in production never silently turns DEBUG on or secure cookies off.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TQR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, file_default: Path | None) -> str:
    """A secret from NAME, or NAME_FILE (a path, for container secrets), or a generated dev file."""
    if os.environ.get(name):
        return os.environ[name]
    if os.environ.get(f"{name}_FILE"):
        return Path(os.environ[f"{name}_FILE"]).read_text().strip()
    if file_default is None:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set in production")
    # Development and tests: a random secret kept under var/, never in the repository.
    file_default.parent.mkdir(parents=True, exist_ok=True)
    if not file_default.exists():
        file_default.write_text(secrets.token_urlsafe(50))
        file_default.chmod(0o600)
    return file_default.read_text().strip()


DEBUG = env_bool("TQR_DEBUG", False)
# Production is DEBUG off with TQR_PRODUCTION=true: then secrets must come from the environment.
PRODUCTION = env_bool("TQR_PRODUCTION", False)

SECRET_KEY = env_secret("TQR_SECRET_KEY", file_default=None if PRODUCTION else VAR_DIR / "secret_key")
# Key for encrypting personal data at rest (resident ID numbers) and the HMAC used to look them up.
FIELD_ENCRYPTION_KEY = env_secret(
    "TQR_FIELD_KEY", file_default=None if PRODUCTION else VAR_DIR / "field_key"
)

ALLOWED_HOSTS = env_list("TQR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("TQR_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tqr.core",
    "tqr.accounts",
    "tqr.audit",
    "tqr.campaigns",
    "tqr.teachers",
    "tqr.applications",
    "tqr.visits",
    "tqr.reviews",
    "tqr.city",
    "tqr.notifications",
    "tqr.exchange",
    "tqr.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tqr.core.middleware.RequestIdMiddleware",
    "tqr.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tqr.accounts.middleware.SessionRenewMiddleware",
    "tqr.core.middleware.ChosenLanguageMiddleware",  # the switch's choice, else zh-hans (never Accept-Language)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tqr.accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tqr.accounts.middleware.LoginThrottleMiddleware",
    "tqr.accounts.middleware.RequireTwoFactorMiddleware",
    "tqr.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tqr.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "tqr.urls"
# Django's, with selects and text inputs written in Python rather than one template include per <option>.
FORM_RENDERER = "tqr.core.form_renderer.FastRenderer"
WSGI_APPLICATION = "tqr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# SQLite in WAL mode is the embedded default; PostgreSQL in production via DATABASE_URL.
# Persistent connections (CONN_MAX_AGE) matter: without them pages ran 7x slower here.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tqr.sqlite3'}"
# Behind PgBouncer in transaction pooling (docs/deployment.md) a connection is the pooler's, not ours: no
# persistent connections by default, and no server-side cursors (a cursor outlives the transaction that
# PgBouncer may hand to another client).
PGBOUNCER = env_bool("TQR_PGBOUNCER", False)
_db = dj_database_url.parse(
    DATABASE_URL, conn_max_age=env_int("TQR_CONN_MAX_AGE", 0 if PGBOUNCER else 600), conn_health_checks=True
)
if PGBOUNCER:
    _db["DISABLE_SERVER_SIDE_CURSORS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tqr.accounts.backends.LoginBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保: a new password is none of the last N (the current one included).
TQR_PASSWORD_HISTORY = env_int("TQR_PASSWORD_HISTORY", 5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "tqr.accounts.passwords.ChineseMinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tqr.accounts.passwords.CharacterClassValidator"},
    {"NAME": "tqr.accounts.passwords.PersonalDataValidator"},
    {"NAME": "tqr.accounts.passwords.HistoryValidator", "OPTIONS": {"count": TQR_PASSWORD_HISTORY}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = env_int("TQR_SESSION_IDLE_MINUTES", 30) * 60
# The idle timeout: activity pushes the expiry forward, written at most once per TQR_SESSION_RENEW_SECONDS
# (tqr.accounts.middleware.SessionRenewMiddleware; a write per request was the largest cost of a page view).
SESSION_SAVE_EVERY_REQUEST = False
TQR_SESSION_RENEW_SECONDS = env_int("TQR_SESSION_RENEW_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# With Redis (TQR_REDIS_URL, shared by every app server) sessions are read from it and written through to the
# database (cached_db): no session query per request, and a Redis restart logs nobody out. Without Redis the
# cache is per process, so sessions stay in the database alone.
SESSION_ENGINE = os.environ.get("TQR_SESSION_ENGINE") or (
    "django.contrib.sessions.backends.cached_db" if os.environ.get("TQR_REDIS_URL")
    else "django.contrib.sessions.backends.db")
# Absolute session limit, whatever the activity: log in again after this many hours (ASVS 7.3.2).
TQR_SESSION_ABSOLUTE_HOURS = env_int("TQR_SESSION_ABSOLUTE_HOURS", 12)

# 等保 8.1.4.1 b (登录失败处理): consecutive wrong passwords lock that account, never an address.
TQR_LOCKOUT_FAILURES = env_int("TQR_LOCKOUT_FAILURES", 5)
TQR_LOCKOUT_MINUTES = env_int("TQR_LOCKOUT_MINUTES", 30)
# Failed logins from one address across accounts (password spraying) → 429 for that address for an hour.
# Generous: a whole school logs in from one address on the last day of the application window.
TQR_LOGIN_IP_FAILURES_PER_HOUR = env_int("TQR_LOGIN_IP_FAILURES_PER_HOUR", 100)
# The JSON API: requests per minute per user (a token counts as its user), then 429 with Retry-After.
TQR_API_REQUESTS_PER_MINUTE = env_int("TQR_API_REQUESTS_PER_MINUTE", 300)
# 等保 定期更换: a password older than this is changed before anything else (0 = no maximum age).
TQR_PASSWORD_MAX_AGE_DAYS = env_int("TQR_PASSWORD_MAX_AGE_DAYS", 90)
# 等保 8.1.4.1 d: reviewers, approvers and administrators confirm a TOTP code after the password.
TQR_REQUIRE_2FA = env_bool("TQR_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "TQR 教师资格定期注册"
# The system administrator resets a lost device (deletes it; the user enrols again) but never sees a secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Security headers and cookies -----------------------------------------------------------------
SECURE_COOKIES = env_bool("TQR_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SECURE_SSL_REDIRECT = env_bool("TQR_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TQR_BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("TQR_HSTS_SECONDS", 31536000 if not DEBUG else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("TQR_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# W021: an intranet host name is never submitted to the browsers' HSTS preload list.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if not SECURE_SSL_REDIRECT:
    # TLS ends at the reverse proxy in our deployment (README "Running it in production"); it redirects.
    SILENCED_SYSTEM_CHECKS.append("security.W008")

# Uploads: refuse large bodies early (413 from Django; nginx does the same in production).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TQR_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 100
TQR_MAX_REQUEST_BYTES = env_int("TQR_MAX_REQUEST_BYTES", 12 * 1024 * 1024)  # a 10 MB file plus the form

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch (set_language) remembers the choice in this cookie, read by LocaleMiddleware.
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = os.environ.get("TQR_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and stored files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("TQR_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic target; whitenoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and generated files are never served from a public URL: only through authorised views.
MEDIA_ROOT = Path(os.environ.get("TQR_MEDIA_ROOT", VAR_DIR / "files"))
MEDIA_URL = "/nonexistent-media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # also serves static files in tests and `make run` without collectstatic

# --- E-mail ---------------------------------------------------------------------------------------
# Development writes mail to the console; set TQR_EMAIL_HOST for a real SMTP server.
if os.environ.get("TQR_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["TQR_EMAIL_HOST"]
    EMAIL_PORT = env_int("TQR_EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("TQR_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TQR_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("TQR_EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("TQR_EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = os.environ.get("TQR_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("TQR_EMAIL_FROM", "TQR 教师资格定期注册 <noreply@tqr.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Notifications (tqr.notifications): links in mail, retries of a failed send, the digest's hour.
TQR_SITE_URL = os.environ.get("TQR_SITE_URL", "http://localhost:8000")
TQR_NOTIFY_MAX_ATTEMPTS = env_int("TQR_NOTIFY_MAX_ATTEMPTS", 3)
TQR_NOTIFY_RETRY_MINUTES = env_int("TQR_NOTIFY_RETRY_MINUTES", 5)
TQR_NOTIFY_DIGEST_HOUR = env_int("TQR_NOTIFY_DIGEST_HOUR", 7)

# --- Background tasks -----------------------------------------------------------------------------
# `database` (default): the task queue is a table, `manage.py db_worker` runs it, nothing else to install.
# `redis`: RQ over TQR_REDIS_URL, for several machines; `manage.py rqworker --job-class django_tasks_rq.Job`.
# A dotted backend path is still accepted (tests use the immediate backend).
TASK_BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "redis": "django_tasks_rq.RQBackend"}
TASKS_BACKEND = os.environ.get("TQR_TASKS_BACKEND", "database")
if TASKS_BACKEND not in TASK_BACKENDS and "." not in TASKS_BACKEND:
    raise ImproperlyConfigured(f"TQR_TASKS_BACKEND must be database, redis or a dotted path, not {TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND)}}
if TASKS["default"]["BACKEND"] == TASK_BACKENDS["redis"]:
    if not os.environ.get("TQR_REDIS_URL"):
        raise ImproperlyConfigured("TQR_TASKS_BACKEND=redis needs TQR_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    INSTALLED_APPS.append("django_rq")  # its rqworker command and queues
RQ_QUEUES = {"default": {"URL": os.environ.get("TQR_REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 3600}}
TQR_JOB_STALE_MINUTES = env_int("TQR_JOB_STALE_MINUTES", 10)  # a RUNNING job silent this long is re-queued
TQR_EXPORT_SYNC_ROWS = env_int("TQR_EXPORT_SYNC_ROWS", 2000)  # larger list exports run as background jobs
TQR_IMPORT_SYNC_ROWS = env_int("TQR_IMPORT_SYNC_ROWS", 3000)  # larger import commits run as background jobs
# Dashboards: a school is at risk when the confirmation window closes within this many working days and it still
# has applications to confirm.
TQR_DASHBOARD_RISK_WORKDAYS = env_int("TQR_DASHBOARD_RISK_WORKDAYS", 2)

# --- Cache ----------------------------------------------------------------------------------------
if os.environ.get("TQR_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "tqr.core.cache.RedisCache",  # Django's, one client per pool (tqr/core/cache.py)
            "LOCATION": os.environ["TQR_REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each process's own memory: for what is the same for everyone and may be a minute old (the public notice
# page); shared state (sessions, rate limits) stays in "default".
CACHES["local"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tqr-local",
                   "OPTIONS": {"MAX_ENTRIES": 2000}}

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TQR_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Product settings -----------------------------------------------------------------------------
TQR_ADMIN_PATH = os.environ.get("TQR_ADMIN_PATH", "sysadmin/")  # never /admin/ (等保 8.1.4.2 b)

# --- Retention ------------------------------------------------------------------------------------
# The audit log is kept at least this long (网络安全法 Art. 21(3): not less than six months). Nothing in
# the app deletes it; the value tells the log server (export_audit) how long it must keep what it receives.
TQR_AUDIT_RETENTION_DAYS = env_int("TQR_AUDIT_RETENTION_DAYS", 186)
if TQR_AUDIT_RETENTION_DAYS < 186:
    raise ImproperlyConfigured(f"TQR_AUDIT_RETENTION_DAYS must be at least 186, got {TQR_AUDIT_RETENTION_DAYS}")
# Teachers' photos are deleted this many years after their round's archiving began (apply_retention).
TQR_PHOTO_RETENTION_YEARS = env_int("TQR_PHOTO_RETENTION_YEARS", 3)
if TQR_PHOTO_RETENTION_YEARS < 1:
    raise ImproperlyConfigured(f"TQR_PHOTO_RETENTION_YEARS must be at least 1, got {TQR_PHOTO_RETENTION_YEARS}")
