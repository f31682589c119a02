"""Accueil settings, read from the environment (see docs/operations.md for every variable)."""

import base64
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accueil.core.i18n import extend_lang_info
from accueil.env import env_bool, env_int, env_list, env_str, read_or_create_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ACCUEIL_VAR_DIR", str(BASE_DIR / "var")))

ENV = env_str("ACCUEIL_ENV", "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"ACCUEIL_ENV must be development, test or production, not {ENV!r}")
PRODUCTION = ENV == "production"
TESTING = ENV == "test" or "pytest" in sys.modules

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

# Secrets. Outside production they are generated once and kept under var/ (never committed).
_DEFAULT_SECRET = "insecure-default-do-not-use"  # noqa: S105 - a sentinel that production refuses
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", _DEFAULT_SECRET)
    FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
    if SECRET_KEY == _DEFAULT_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production needs SECRET_KEY (50 characters or more).")
    if DEBUG:
        raise ImproperlyConfigured("Production refuses to start with DEBUG on.")
    if not FIELD_ENCRYPTION_KEY:
        raise ImproperlyConfigured("Production needs FIELD_ENCRYPTION_KEY (a Fernet key).")
    FIELD_HASH_KEY = env_str("FIELD_HASH_KEY")
    if len(FIELD_HASH_KEY) < 32:
        raise ImproperlyConfigured("Production needs FIELD_HASH_KEY (32 characters or more).")
else:
    FIELD_HASH_KEY = env_str("FIELD_HASH_KEY") or read_or_create_key(
        VAR_DIR / "field_hash_key", lambda: secrets.token_urlsafe(48)
    )
    SECRET_KEY = env_str("SECRET_KEY") or read_or_create_key(
        VAR_DIR / "secret_key", lambda: secrets.token_urlsafe(64)
    )
    FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY") or read_or_create_key(
        VAR_DIR / "field_encryption_key",
        lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    )

for _key in FIELD_ENCRYPTION_KEY.split(","):
    try:
        Fernet(_key.strip())
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY holds a value that is not a Fernet key."
        ) from None

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "csp",
    "auditlog",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "accueil.core",
    "accueil.accounts",
    "accueil.messaging",
    "accueil.volunteers",
    "accueil.newcomers",
    "accueil.matches",
    "accueil.matching",
    "accueil.surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accueil.core.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accueil.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accueil.core.audit_middleware.AuditMiddleware",
    "accueil.accounts.middleware.IdleSessionMiddleware",
    "accueil.accounts.middleware.RequireMFAMiddleware",
    "accueil.core.middleware.NoStoreForSignedInMiddleware",
    # Axes last, as its documentation asks, so it sees the final response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accueil.urls"
WSGI_APPLICATION = "accueil.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "accueil" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accueil.core.context_processors.layout",
            ],
        },
    }
]

# Database: SQLite under var/ by default (WAL, see core.apps), PostgreSQL through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'accueil.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids "database is locked" upgrades when web and worker write together.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache shared by every process on every machine: allauth rate limits live here.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "accueil_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: email login only; accounts are created by invitation (and, later, by the
# public volunteer application), never by open sign-up.
ACCOUNT_ADAPTER = "accueil.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Accueil] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
}
MFA_ADAPTER = "accueil.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Accueil"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_PASSKEY_LOGIN_ENABLED = False

# Roles that must enrol a second factor before any page but the enrolment opens.
# Partner referrers see sensitive referral data, so they count as staff here.
MFA_REQUIRED_ROLES = env_list(
    "MFA_REQUIRED_ROLES", ["admin", "program_manager", "coordinator", "partner_referrer"]
)

# Behind a reverse proxy, how many proxies of ours add to X-Forwarded-For (0: no proxy, and the
# header is ignored because clients could forge it). Used for rate limits, lockouts and audit.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = PROXY_COUNT

# django-axes: lock an account after repeated failures, whatever address they come from.
# allauth stops checking passwords after 5 failures per account in 5 minutes (the throttle)
# and throttles each address (10 a minute); axes turns the same 5 failures into a recorded
# lockout of the account for an hour. Locking by address is left out on purpose: staff
# share office and proxy addresses, and one person's typos must not lock out a whole office.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "accueil.core.client_ip.axes_client_ip"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # per-address lockout left out on purpose (see above)
AXES_USERNAME_CALLABLE = "accueil.accounts.adapter.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# Sessions end after a period of inactivity (everyone's); the page warns before.
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_IDLE_WARNING_SECONDS = env_int("SESSION_IDLE_WARNING_SECONDS", 2 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Internationalisation. English and French everywhere; Arabic and Spanish in the shell;
# Farsi, Dari and Tigrinya come with the newcomer-facing pages.
extend_lang_info()
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("es", _("Spanish")),
]
LANGUAGE_COOKIE_NAME = "accueil_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "accueil" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "America/Toronto")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "private"
# Outside production WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Background work: django-tasks with the database backend on SQLite and PostgreSQL alike.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "outbox"],
    }
}
SCHEDULER_TICK_SECONDS = env_int("SCHEDULER_TICK_SECONDS", 30)

# Email. The demo prints mail to the console; production sets EMAIL_BACKEND to SMTP or an
# anymail backend. Every message is written to the outbox first (messaging app).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Accueil <no-reply@accueil.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# django-anymail: every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], e.g.
# ANYMAIL_POSTMARK_SERVER_TOKEN, with EMAIL_BACKEND=anymail.backends.postmark.EmailBackend.
ANYMAIL = {
    name: env_str(f"ANYMAIL_{name}")
    for name in {
        key[len("ANYMAIL_") :].removesuffix("_FILE")
        for key in os.environ
        if key.startswith("ANYMAIL_")
    }
}

# SMS: console (demo), file (tests, audits) or an HTTP provider.
SMS_BACKEND = env_str("SMS_BACKEND", "accueil.messaging.channels.sms.ConsoleBackend")
SMS_FILE_DIR = Path(env_str("SMS_FILE_DIR", str(VAR_DIR / "sms")))
SMS_FROM_NUMBER = env_str("SMS_FROM_NUMBER", "+15550100000")
SMS_HTTP_URL = env_str("SMS_HTTP_URL")
SMS_HTTP_ACCOUNT = env_str("SMS_HTTP_ACCOUNT")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN")
# 20 attempts with backoff doubling from 30 s to a 6-hour cap keep trying for about 3 days:
# a provider outage of that length delays messages without anyone pressing "retry".
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 20)
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", 30)
# Video meetings: rooms are "<base>accueil-<128 random bits>" (any Jitsi-style server).
MEETING_VIDEO_BASE_URL = env_str("MEETING_VIDEO_BASE_URL", "https://meet.jit.si/")

INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)

# Volunteers: the emailed link to confirm an application and choose a password lasts a week
# (people apply on a Friday and look at their mail the next week); new applications per hour
# from one address; the largest private document (police checks).
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", 7)
VOLUNTEER_APPLICATIONS_PER_HOUR = env_int("VOLUNTEER_APPLICATIONS_PER_HOUR", 10)
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)

# Security headers. A strict Content-Security-Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Audit: one table for field changes (auditlog) and our dotted action codes.
AUDITLOG_LOGENTRY_MODEL = "core.AuditEntry"
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_MASK_CALLABLE = "accueil.core.audit.mask"

# Logs are structured (JSON lines) and carry no personal data: ids, never names or contacts.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "accueil.core.logging.JsonFormatter"}},
    "filters": {"no_paths": {"()": "accueil.core.logging.DropRequestPaths"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["no_paths"]}
    },
    "root": {
        "handlers": ["console"],
        "level": env_str("LOG_LEVEL", "WARNING" if TESTING else "INFO"),
    },
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

HEALTH_MAX_QUEUE_LAG_SECONDS = env_int("HEALTH_MAX_QUEUE_LAG_SECONDS", 300)
PAGE_SIZE = 25
