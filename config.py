"""Configuration. Every setting can come from an `OUTREACH_*` environment variable.

Secrets (`OUTREACH_SECRET_KEY`, `OUTREACH_CLIENT_KEY`) have no default outside tests: `make run`
writes them once into `instance/config.py`, which `create_app` reads after this module. The
seal keys (`OUTREACH_SEAL_KEY`, or the PEM files of `OUTREACH_SEAL_KEY_DIR`) likewise: `make run`
makes the first one under `instance/seal-keys/`.
"""

import os
from datetime import timedelta

_HERE = os.path.dirname(os.path.abspath(__file__))


def _env(name, default=None):
    return os.environ.get(f"OUTREACH_{name}", default)


def _env_bool(name, default=False):
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = _env("SECRET_KEY")
    # The server's private keys that open the records phones seal (outreach/sealing/): PEM text,
    # and the PEM files of a folder. The newest is handed out; every one still opens.
    OUTREACH_SEAL_KEY = _env("SEAL_KEY")
    OUTREACH_SEAL_KEY_DIR = _env(
        "SEAL_KEY_DIR",
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance", "seal-keys"),
    )
    # Key of the HMAC that turns client codes into pseudonyms. Losing it only breaks linking.
    OUTREACH_CLIENT_KEY = _env("CLIENT_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", "sqlite:///outreach.db")
    # hide_parameters: a database error in the log never shows the values of a record.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    OUTREACH_TIMEZONE = _env("TIMEZONE", "Europe/Amsterdam")
    OUTREACH_MAX_BACKDATE_DAYS = int(_env("MAX_BACKDATE_DAYS", "90"))
    OUTREACH_FUTURE_SKEW_MINUTES = 10
    # A phone's clock that is off by at least this many seconds (measured at each sync) has the
    # times of its records corrected, up to this many hours off; see outreach.timekeeping.
    OUTREACH_CLOCK_TOLERANCE_SECONDS = 120
    OUTREACH_MAX_CLOCK_CORRECTION_HOURS = int(_env("MAX_CLOCK_CORRECTION_HOURS", "24"))
    OUTREACH_SUPPRESSION_THRESHOLD = int(_env("SUPPRESSION_THRESHOLD", "10"))
    # `flask purge` keeps the records of this many whole months before the current one.
    OUTREACH_RETENTION_MONTHS = int(_env("RETENTION_MONTHS", "24"))
    # /supplies shows lots expiring within this many days (default for /admin/settings).
    OUTREACH_EXPIRY_WARNING_DAYS = int(_env("EXPIRY_WARNING_DAYS", "60"))
    OUTREACH_DEMO_PASSWORD = _env("DEMO_PASSWORD")
    OUTREACH_SYNC_MAX_RECORDS = 500

    # A sync batch of 500 records fits comfortably; anything bigger is refused with 413.
    MAX_CONTENT_LENGTH = 1024 * 1024

    BABEL_DEFAULT_LOCALE = _env("DEFAULT_LANGUAGE", "nl")
    BABEL_DEFAULT_TIMEZONE = OUTREACH_TIMEZONE
    OUTREACH_LANGUAGES = ("en", "nl")

    # Sign-in limits (outreach.auth.limits): attempts per address, failures per account name.
    OUTREACH_LOGIN_LIMIT = _env("LOGIN_LIMIT", "20 per minute")
    OUTREACH_LOGIN_FAILURE_LIMIT = _env("LOGIN_FAILURE_LIMIT", "5 per 15 minutes")
    # memory:// is one process's; with several gunicorn workers or hosts use redis://host:6379.
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True

    # Served over HTTPS (usually by a proxy in front): cookies go over HTTPS only, and every
    # answer carries Strict-Transport-Security.
    OUTREACH_TLS = _env_bool("TLS")
    # How many proxies in front set X-Forwarded-For and X-Forwarded-Proto (0: none, trust none);
    # the per-address sign-in limit needs the real address.
    OUTREACH_PROXIES = int(_env("PROXIES", "0"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Field phones stay signed in for a fortnight when "remember me" is ticked.
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # CSRF is checked by outreach.auth.csrf (after sign-in, so the API can answer 401 first).
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT = None

    API_TITLE = "Outreach API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    OUTREACH_CLIENT_KEY = "test-client-key"
    # A seal key for tests only (never one an organisation uses), and no folder of keys.
    OUTREACH_SEAL_KEY = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg93Cj09A7EM4F9MlY
BDLF6/zo1n2VGO1x4GUxk+5mJNehRANCAAQcjGm0WKpa2u3EEfkWcAEIWuRXCH4H
9WrMR2DfMHNIqygodsU9AUJW7btuC+T+S0jaJt4/TOHq4oaz30J7qww9
-----END PRIVATE KEY-----
"""
    OUTREACH_SEAL_KEY_DIR = None
    SQLALCHEMY_DATABASE_URI = os.environ.get("OUTREACH_TEST_DATABASE_URL", "sqlite://")
    BABEL_DEFAULT_LOCALE = "en"
