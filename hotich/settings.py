"""Settings: one file, read from environment variables only (see docs/configuration.md)."""

from __future__ import annotations

import os
import secrets
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _refuse(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"Cấu hình sai / invalid setting: {name}={value!r}; cần / expected {expected} "
        "(docs/configuration.md)."
    )


def env_bool(name: str, default: bool = False) -> bool:
    """Only the words below: a typo such as "ture" stops the start instead of meaning "no"."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"0", "false", "no", "off"}:
        return False
    raise _refuse(name, value, "true/false, yes/no, on/off or 1/0")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise _refuse(name, value, f"a whole number ≥ {minimum}") from None
    if number < minimum:
        raise _refuse(name, value, f"a whole number ≥ {minimum}")
    return number


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return float(value.strip())
    except ValueError:
        raise _refuse(name, value, "a number") from None


def env_choice(name: str, default: str, choices: dict[str, str]) -> str:
    """One of `choices` (keys; each maps to the value used, so old names can stay valid)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word not in choices:
        raise _refuse(name, value, "one of " + ", ".join(sorted(choices)))
    return choices[word]


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("HOTICH_DATA_DIR", str(Path.cwd() / "hotich-data"))).resolve()
# Everything the application writes — the SQLite database, scans, packages, backups — holds
# citizens' records: readable by the account that runs it, nobody else (0600 files, 0700
# folders), whatever the system's default umask.
os.umask(0o077)
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env_str("HOTICH_SECRET_KEY")
    if configured:
        return configured
    # The embedded default keeps one generated key per data directory, so sessions
    # survive restarts without anybody having to invent a secret on first run.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("HOTICH_DEBUG", False)
ALLOWED_HOSTS = env_list("HOTICH_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("HOTICH_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "hotich.core",
    "hotich.units",
    "hotich.accounts",
    "hotich.registers",
    "hotich.records",
    "hotich.scans",
    "hotich.keying",
    "hotich.transfer",
    "hotich.review",
    "hotich.acceptance",
    "hotich.search",
    "hotich.people",
    "hotich.reports",
]

MIDDLEWARE = [
    "hotich.core.timing.ServerTimingMiddleware",
    # Before the session and account middlewares: it sees their lost connections too.
    "hotich.core.middleware.FaultMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hotich.core.middleware.SessionMiddleware",  # Django's, telling a lost database apart
    "hotich.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hotich.accounts.middleware.AccountStateMiddleware",
]

ROOT_URLCONF = "hotich.urls"
WSGI_APPLICATION = "hotich.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotich.core.context_processors.navigation",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'hotich.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE avoids
        # "database is locked" upgrades inside write transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["hotich.accounts.backends.LockoutBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("HOTICH_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "hotich.accounts.validators.LettersAndDigitsValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
LOGIN_MAX_FAILURES = env_int("HOTICH_LOGIN_MAX_FAILURES", 5, minimum=1)

# Idle sessions end: every request pushes the expiry forward by this many seconds.
SESSION_COOKIE_AGE = env_int("HOTICH_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("HOTICH_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over HTTPS (what HOTICH_SECURE_COOKIES says): browsers are told to use nothing else
# for a year (SecurityMiddleware sends Strict-Transport-Security on HTTPS responses).
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # the province's other sites are not ours to bind
X_FRAME_OPTIONS = "SAMEORIGIN"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("HOTICH_TIME_ZONE", "Asia/Ho_Chi_Minh").strip()
if TIME_ZONE not in zoneinfo.available_timezones():
    raise _refuse("HOTICH_TIME_ZONE", TIME_ZONE, "an IANA time zone such as Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["hotich.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

S3_BUCKET = env_str("HOTICH_S3_BUCKET")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("HOTICH_S3_ENDPOINT_URL") or None,
            "access_key": env_str("HOTICH_S3_ACCESS_KEY") or None,
            "secret_key": env_str("HOTICH_S3_SECRET_KEY") or None,
            "region_name": env_str("HOTICH_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "hotich.core.storage.LocalStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files"), "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Scans are never served as public media: every file goes through a permission-checked view.
MEDIA_URL = None
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
#: The largest single file accepted as a scan (PDF, image or zip), in MB.
HOTICH_SCAN_MAX_MB = env_int("HOTICH_SCAN_MAX_MB", 2048, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Acceptance by sampling (docs/configuration.md, decision 0012): a round samples
# max(minimum, percent of the register's keyed records) and accepts at most this error rate,
# in percent of the checked fields.
ACCEPTANCE_SAMPLE_PERCENT = env_float("HOTICH_ACCEPTANCE_SAMPLE_PERCENT", 5.0)
ACCEPTANCE_SAMPLE_MIN = env_int("HOTICH_ACCEPTANCE_SAMPLE_MIN", 20, minimum=1)
ACCEPTANCE_MAX_ERROR_RATE = env_float("HOTICH_ACCEPTANCE_MAX_ERROR_RATE", 0.5)

# Background jobs (decision 0001): "builtin" (the default) means `hotich serve` and `hotich demo`
# start one worker process of their own and restart it if it dies; "external" leaves jobs to
# `hotich worker` processes; "immediate" runs them inline (tests). "thread" is the old name of
# "builtin". Jobs never run inside the web server's own process.
HOTICH_JOBS = env_choice(
    "HOTICH_JOBS",
    "builtin",
    {"builtin": "builtin", "thread": "builtin", "external": "external", "immediate": "immediate"},
)
#: A worker renews its job's lease every third of this; a job whose lease ran out is claimed
#: again by any live worker.
HOTICH_JOB_LEASE_SECONDS = env_int("HOTICH_JOB_LEASE_SECONDS", 30, minimum=3)
HOTICH_JOB_TIMEOUT_SECONDS = env_int("HOTICH_JOB_TIMEOUT_MINUTES", 120, minimum=1) * 60
#: Claimed this many times without finishing (crashes, time-outs): failed and quarantined.
HOTICH_JOB_MAX_ATTEMPTS = env_int("HOTICH_JOB_MAX_ATTEMPTS", 3, minimum=1)
#: Address space of a worker process, in MB (0: no limit). Every upload is checked against its
#: declared sizes first; this is the second line: a reader that still runs away fails its job
#: (or ends its worker, which is restarted and the attempt counted) instead of taking the
#: machine's memory from the web pages.
HOTICH_WORKER_MEMORY_MB = env_int("HOTICH_WORKER_MEMORY_MB", 4096, minimum=0)
#: A large import on SQLite prepares part of its rows in a second process (records.bulk_helper).
IMPORT_HELPER = env_bool("HOTICH_IMPORT_HELPER", True)

LOG_LEVEL = env_choice(
    "HOTICH_LOG_LEVEL",
    "INFO",
    {level.lower(): level for level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")},
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
