"""Django settings. Everything a deployment changes comes from the environment.

- DATABASE_URL: any database dj-database-url understands (postgres://...);
  unset, Gentling uses SQLite (WAL mode, with a busy timeout) in GENTLING_HOME
  or the user's data directory.
- GENTLING_TIME_ZONE: the default time zone for new households (UTC).
- GENTLING_PRODUCTION=true: the hosted mode. It refuses to start without
  GENTLING_SECRET_KEY and GENTLING_ALLOWED_HOSTS, and turns on HTTPS-only
  cookies, HSTS and the proxy's X-Forwarded-Proto header.
- GENTLING_SECRET_KEY: a local install without one keeps its own random key
  file next to its database, never a shared dummy.
- GENTLING_TRUSTED_PROXY_COUNT: how many reverse proxies stand in front of the
  app (0 by default). Only then is the client's address, which failed logins
  count against, read from X-Forwarded-For.
"""

from __future__ import annotations

import secrets

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .config import data_dir, env_bool, env_choice, env_int, env_str, env_time_zone

DEBUG = env_bool("GENTLING_DEBUG", default=False)
PRODUCTION = env_bool("GENTLING_PRODUCTION", default=False)


def _secret_key() -> str:
    key = env_str("GENTLING_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("GENTLING_PRODUCTION is on: set GENTLING_SECRET_KEY to a long random value.")
    # A local install keeps its own random key next to its database.
    path = data_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in env_str("GENTLING_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1").split(",")
    if h.strip()
]
if PRODUCTION:
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("GENTLING_PRODUCTION is on: set GENTLING_ALLOWED_HOSTS, e.g. gentling.example.org.")
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("GENTLING_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

INSTALLED_APPS = [
    "gentling",  # first, so its templates override Django's (e.g. the password reset subject)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # serves the API docs' Swagger UI from the package (no CDN)
]

MIDDLEWARE = [
    "gentling.failures.RequestIdMiddleware",  # first: every log line and answer carries the request id
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: an API write with an Idempotency-Key counts once (api/idempotency.py).
    "gentling.api.idempotency.IdempotencyMiddleware",
    "gentling.web.once.OnceMiddleware",  # a web form sent twice with its one-time token counts once (web/once.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database that cannot answer is a 503 with Retry-After, not "Something went wrong" (failures.py).
    "gentling.failures.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it throttles failed logins.
    "axes.middleware.AxesMiddleware",
]

# Logs to stderr, each line with the request id; errors with their traceback (django.request
# logs every 5xx). GENTLING_LOG_LEVEL: DEBUG, INFO, WARNING (the default) or ERROR.
LOG_LEVEL = env_choice("GENTLING_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "gentling.failures.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"}},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "gentling": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "waitress": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
    },
}

# Errors also go to Sentry when SENTRY_DSN is set (an optional extra: sentry.py).
if env_str("SENTRY_DSN"):
    from .sentry import start as _start_sentry

    _start_sentry(env_str("SENTRY_DSN"))

ROOT_URLCONF = "gentling.urls"
WSGI_APPLICATION = "gentling.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gentling.web.context.running_timers",
            ],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gentling.keepers.KeeperBackend",  # Django's login, its keeper read prepared (gentling/keepers.py)
    "django.contrib.auth.backends.ModelBackend",  # only for sessions logged in before KeeperBackend
]
# Failed logins (gentling/web/throttle.py): five for one username lock that username for 15 minutes
# from any address; twenty from one address lock that address, whatever the usernames.
AXES_HANDLER = "gentling.web.throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]  # LoginThrottle reads the counts in this order
AXES_FAILURE_LIMIT = 5
GENTLING_ADDRESS_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "gentling.web.throttle.client_address"
GENTLING_TRUSTED_PROXY_COUNT = env_int("GENTLING_TRUSTED_PROXY_COUNT", default=0, maximum=10)
GENTLING_TRUSTED_PROXY_COUNT_GIVEN = bool(env_str("GENTLING_TRUSTED_PROXY_COUNT"))  # `check --deploy` asks for it
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "/static/"
STATIC_ROOT = str(data_dir() / "static")
(data_dir() / "static").mkdir(exist_ok=True)  # WhiteNoise warns at every start when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = str(data_dir() / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Served straight from the package in development and tests, no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Reminder emails: GENTLING_EMAIL_HOST set sends by SMTP (port, user, password, TLS alongside);
# unset, they are printed to the console (a local install has no mail server).
EMAIL_HOST = env_str("GENTLING_EMAIL_HOST")
EMAIL_PORT = env_int("GENTLING_EMAIL_PORT", default=25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("GENTLING_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("GENTLING_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("GENTLING_EMAIL_TLS", default=False)
EMAIL_TIMEOUT = 30
EMAIL_BACKEND = env_str(
    "GENTLING_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("GENTLING_FROM_EMAIL", "gentling@localhost")
# Where links in reminders point: the address keepers open Gentling at.
GENTLING_BASE_URL = env_str("GENTLING_BASE_URL", "http://localhost:8000").rstrip("/")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "gentling.sessions"  # Django's database sessions, read with a prepared statement
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from a meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response: scripts and styles only from our own static
# files, so an injected <script> or onclick= does not run. Pages keep no inline script or style
# (tests/web/test_content_security_policy.py checks). The narrow exceptions are per view, with reasons:
# the handover report page (web/views/reports.py) and the chart images (web/views/animals.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: for the photo the handover report embeds
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

_url = env_str("DATABASE_URL")
if _url:
    DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, without the health check's round trip on a connection in steady use (gentling/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "gentling.postgresql"
else:
    DATABASES = {
        "default": {
            # Django's SQLite, with a bound on the requests waiting for the write lock (gentling/sqlite/base.py).
            "ENGINE": "gentling.sqlite",
            "NAME": str(data_dir() / "gentling.sqlite3"),
            # WAL lets readers work while one writer commits; IMMEDIATE takes the write
            # lock at the start of a transaction, so concurrent writers wait (for as long
            # as gentling/sqlite/base.py says) instead of failing half-way.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
            # Kept open across requests, as for PostgreSQL: opening one (Django registers its SQL
            # functions, then the PRAGMA) took about 5% of an API request's time.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }

# The cache (services/animal_charts.py keeps each chart's SVG in it, by the animal's records'
# revision): this process's memory by default; Redis, shared by every process and machine, when
# GENTLING_CACHE_URL is set (redis://host:6379/0, with the redis extra); "none" turns it off.
_cache_url = env_str("GENTLING_CACHE_URL")
if _cache_url == "none":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif _cache_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "gentling",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "gentling",
            "OPTIONS": {"MAX_ENTRIES": 1000},  # charts are 20-100 KB each
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
GENTLING_DEFAULT_TIME_ZONE = env_time_zone("GENTLING_TIME_ZONE", "UTC")
LANGUAGE_CODE = "en"
USE_I18N = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
