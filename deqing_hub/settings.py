"""Settings for the Deqing GIS Town party-and-services portal.

One module, read from the environment (and a local `.env` file if present). Defaults are safe
for a developer machine; production secrets that are missing stop start-up with one sentence.
Every variable is listed in `.env.example` and the README.
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# `make run` writes a `.env` with generated local secrets; real deployments set the environment.
env.read_env(BASE_DIR / ".env", overwrite=False)


def _required(name: str) -> str:
    """Return a production secret or stop with a sentence that names the variable."""
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set when DJANGO_DEBUG is off "
            f"(see .env.example)."
        )
    return value


DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Tests run with DEBUG off (as in production) but must not need real secrets.
TESTING = env.bool("DJANGO_TESTING", default=False)
RELAXED_SECRETS = DEBUG or TESTING
# `make bench` only: routes the reference view /_bench/bare/ (never set in production).
BENCH = env.bool("DJANGO_BENCH", default=False)

SECRET_KEY = (
    env.str("DJANGO_SECRET_KEY", default="insecure-local-only-key-do-not-deploy")
    if RELAXED_SECRETS
    else _required("DJANGO_SECRET_KEY")
)
# Fernet key (urlsafe base64, 32 bytes) for encrypted personal data such as ID numbers.
FIELD_ENCRYPTION_KEY = (
    env.str("FIELD_ENCRYPTION_KEY", default="bG9jYWwtb25seS1rZXktZG8tbm90LWRlcGxveS0wMDA=")
    if RELAXED_SECRETS
    else _required("FIELD_ENCRYPTION_KEY")
)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Name of the header a trusted reverse proxy sets to the client address (e.g. X-Real-IP).
# Empty: the socket's REMOTE_ADDR is used and forwarded headers are ignored.
TRUSTED_PROXY_IP_HEADER = env.str("TRUSTED_PROXY_IP_HEADER", default="")

INSTALLED_APPS = [
    # django.contrib.admin, with the portal's admin site (login form, hostile-input guards).
    "deqing_hub.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own form templates, found by the project's engine (FORM_RENDERER below).
    "django.forms",
    "allauth",
    "allauth.account",
    "axes",
    "csp",
    "import_export",
    "django_celery_beat",
    # The portal's apps, lowest layer first (see pyproject.toml [tool.importlinter]).
    "members",
    # Notifications: the outbox and the in-site inbox, in the members layer (label "notices").
    "members.notices",
    "rota",
    "points",
    "services",
    "services.projects",
    "wishes",
    "deqing_hub",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "deqing_hub.middleware.AbsoluteSessionLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # NUL in a path, query or form is a 400 before any view runs (PostgreSQL refuses NUL);
    # after locale, authentication, clickjacking and CSP so the 400 page is like the others.
    "deqing_hub.middleware.RejectNulMiddleware",
    # Axes after every middleware that authenticates, as its documentation asks, so it sees the
    # final authentication result.
    "axes.middleware.AxesMiddleware",
    # Makes the current request known to the audit trail (user and address of logins, admin saves).
    "members.audit.AuditRequestMiddleware",
]

ROOT_URLCONF = "deqing_hub.urls"
WSGI_APPLICATION = "deqing_hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Forms render through the project's template engine, so every page draws a field the same
# way: `{{ field.as_field_group }}` uses templates/forms/field.html.
FORM_RENDERER = "deqing_hub.forms.PortalFormRenderer"

# --- Database -------------------------------------------------------------------------------
# Unset: a SQLite file in WAL mode, enough for one office. Production: PostgreSQL.
_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_SUPPORTED_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
try:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # django-environ only warns about an unknown scheme
        DATABASES = {"default": env.db_url("DATABASE_URL", default=_default_db)}
except Exception as exc:  # django-environ raises several types for a malformed URL
    raise ImproperlyConfigured(
        "The environment variable DATABASE_URL is malformed; expected e.g. "
        "postgres://user@127.0.0.1:5432/deqing_hub or sqlite:////path/to/db.sqlite3."
    ) from exc
if DATABASES["default"].get("ENGINE") not in _SUPPORTED_ENGINES:
    raise ImproperlyConfigured(
        "The environment variable DATABASE_URL must name PostgreSQL (postgres://) or SQLite "
        "(sqlite:///)."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers and one writer work at once; IMMEDIATE avoids
            # "database is locked" when two requests upgrade read locks to write locks.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # No JIT compilation: this is an OLTP portal of short queries. At county scale a wall page's
    # plan crossed PostgreSQL's jit_above_cost and spent ~21 ms compiling for a query that then
    # ran in a few; JIT pays off only for long analytical scans, which run in Celery or `psql`.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, cache and rate-limit store ---------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "deqing_hub.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Short timeouts: a Redis outage must degrade pages, never hang them.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            "KEY_PREFIX": "dq",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None  # tasks record their outcome in the database, not in results
# Without Redis, tasks run in-process so a single `make run` works with nothing else running.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
# Tasks are idempotent, so redelivery after a crash is safe and nothing is lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Asia/Shanghai"
# Queue name for the portal's tasks (a separate name lets test workers share one Redis).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The admin's login form sends a typed mobile as `username` (allauth's pages send `phone`).
    "members.backends.MobileBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/me/"
ACCOUNT_ADAPTER = "members.accounts.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "members.accounts.PortalLoginForm",
    "signup": "members.accounts.PortalSignupForm",
    "request_login_code": "members.accounts.PortalRequestLoginCodeForm",
}
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
# Sign up with a mobile (verified by an SMS code) or an e-mail address (verified by a link),
# or both. The e-mail is marked required for allauth (mandatory verification needs it so);
# PortalSignupForm makes it optional and asks for the mobile or the e-mail instead.
ACCOUNT_SIGNUP_FIELDS = ["phone", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# A mobile typed in at sign-up is verified by an SMS code before the account is used; once it
# is, an account whose mobile matches a member on the roll is linked to that member
# (members.actions.link_member_by_verified_mobile). Mobiles staff enter from the roll count as
# verified; a login by SMS code proves the phone on the way as well.
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 5 * 60
# Login by a one-time code, sent by SMS to the mobile (or by e-mail), beside the password. The
# code lives 5 minutes and allows 3 tries; each wrong code counts as a failed login for Axes.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# Six digits, as every mainland SMS code is (gateways' code templates accept digits only).
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
# Password reset and sign-up never reveal whether an account exists.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# allauth's default rate limits stay on (they use the shared cache), keyed on the same client
# address as everything else.
# Asking for a login code sends a paid SMS: at most 3 per number (or address) in 10 minutes
# and 20 per client address an hour; the other limits are allauth's defaults.
ACCOUNT_RATE_LIMITS = {"request_login_code": "20/h/ip,3/10m/key"}
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = TRUSTED_PROXY_IP_HEADER or None

# Lockout for both the admin login and the member login (allauth authenticates through
# the same backends, so Axes sees every attempt).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "deqing_hub.security.axes_username"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "deqing_hub.security.client_ip"
AXES_VERBOSE = False  # its log lines would carry login names (personal data)

# Database sessions that look up only keys Django could have issued (a forged cookie with
# NUL characters made every page a 500 on PostgreSQL) and that write an unchanged session at
# most once a minute (deqing_hub/sessions.py: RENEW_AFTER_SECONDS).
SESSION_ENGINE = "deqing_hub.sessions"
# Sessions: 30 idle minutes (renewed by the requests, stored at most a minute late), never more
# than 12 hours in all.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_LIMIT_SECONDS = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# In development and tests WhiteNoise serves straight from the app and project folders, and
# looks each file up when asked (autorefresh): no collectstatic, so no STATIC_ROOT to scan (it
# would warn "No directory at" for every test client) and no walk of every folder per client.
WHITENOISE_USE_FINDERS = RELAXED_SECRETS
WHITENOISE_AUTOREFRESH = RELAXED_SECRETS
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if RELAXED_SECRETS
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail and SMS -------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    # Local: mail is written as files to a folder (and can be read there).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
# Seconds each wait on the mail server may take (Django's default is to wait for ever). Kept far
# below NOTICE_SENDING_LEASE_SECONDS: a hung send must fail, not outlive its lease and overlap
# the resend of the same notice.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="德清地信小镇党群服务中心 <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Dotted path of the SMS backend (members/sms.py); the default writes messages to var/sms/.
SMS_BACKEND = env.str("SMS_BACKEND", default="members.sms.FileBackend")
# Where the default SMS backend (members.sms.FileBackend) writes messages.
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=BASE_DIR / "var" / "sms")
# The real gateways (members/sms_gateways.py: AlibabaBackend, TencentBackend): credentials,
# the sign name registered with the gateway, and the gateway's id of each template the portal
# sends (notice: {content}; code: {code}; invitation: {name}, {link}). SMS_ENDPOINT and
# SMS_REGION default to the gateway's own; SMS_APP_ID is Tencent's SmsSdkAppId.
SMS_ACCESS_KEY_ID = env.str("SMS_ACCESS_KEY_ID", default="")
SMS_ACCESS_KEY_SECRET = env.str("SMS_ACCESS_KEY_SECRET", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
SMS_APP_ID = env.str("SMS_APP_ID", default="")
SMS_ENDPOINT = env.str("SMS_ENDPOINT", default="")
SMS_REGION = env.str("SMS_REGION", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=5.0)
SMS_TEMPLATES = {
    "notice": env.str("SMS_TEMPLATE_NOTICE", default=""),
    "code": env.str("SMS_TEMPLATE_CODE", default=""),
    "invitation": env.str("SMS_TEMPLATE_INVITATION", default=""),
}
# Absolute address of the portal, for links in e-mails, SMS and reminders (acknowledge, feeds).
PORTAL_SITE_URL = env.str("PORTAL_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not TESTING)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not TESTING)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if TESTING else 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    # nginx terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a choice for the operator

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging: structured, no personal data --------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"mask_personal_data": {"()": "deqing_hub.logging.MaskPersonalDataFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}


# --- services ---
# Days staff have to dispatch a new service request, and an organisation to accept or decline it,
# before the request is flagged overdue.
SERVICES_REQUEST_ANSWER_DAYS = env.int("SERVICES_REQUEST_ANSWER_DAYS", default=3)
# The venue's check-in QR code changes every ROTATE seconds; a scanned code stays valid for MAX_AGE.
SERVICES_CHECKIN_ROTATE_SECONDS = env.int("SERVICES_CHECKIN_ROTATE_SECONDS", default=60)
SERVICES_CHECKIN_MAX_AGE_SECONDS = env.int("SERVICES_CHECKIN_MAX_AGE_SECONDS", default=300)

# --- wishes ---
# Days a fulfilled wish waits for the wisher before it is confirmed automatically.
WISHES_AUTO_CONFIRM_DAYS = env.int("WISHES_AUTO_CONFIRM_DAYS", default=14)
# Days on the wall without a claim before a wish is flagged overdue.
WISHES_UNCLAIMED_OVERDUE_DAYS = env.int("WISHES_UNCLAIMED_OVERDUE_DAYS", default=14)
# Anti-spam for /wishes/new/: form posts per hour per account and per client address,
# and the fewest seconds a person needs to fill in the form.
WISHES_RATE_PER_USER_HOUR = env.int("WISHES_RATE_PER_USER_HOUR", default=5)
WISHES_RATE_PER_IP_HOUR = env.int("WISHES_RATE_PER_IP_HOUR", default=20)
WISHES_MIN_FILL_SECONDS = env.int("WISHES_MIN_FILL_SECONDS", default=5)
# Photos: bytes and pixels accepted per photo.
WISHES_PHOTO_MAX_BYTES = 5 * 1024 * 1024
WISHES_PHOTO_MAX_PIXELS = 40_000_000

# --- rota: duty reminders (sent through the notices outbox below) ---
# Local hour at which reminders fall due.
ROTA_REMINDER_HOUR = env.int("ROTA_REMINDER_HOUR", default=9)

# --- notifications (members.notices): the outbox every app tells people through ---
# Domain part of the e-mails' Message-ID (the outbox row's idempotency key goes before it).
NOTICE_MESSAGE_ID_DOMAIN = env.str("NOTICE_MESSAGE_ID_DOMAIN", default="deqing-hub.local")
# The staff's group robots; empty means the channel is off. With NOTICE_DINGTALK_SECRET set
# the DingTalk robot is in signed mode (加签): every post carries a timestamp and signature.
NOTICE_WECOM_WEBHOOK_URL = env.str("NOTICE_WECOM_WEBHOOK_URL", default="")
NOTICE_DINGTALK_WEBHOOK_URL = env.str("NOTICE_DINGTALK_WEBHOOK_URL", default="")
NOTICE_DINGTALK_SECRET = env.str("NOTICE_DINGTALK_SECRET", default="")
# Outbox timings: attempts before a row fails, first retry delay (doubling), re-queueing a
# pending row whose message may be lost, and the lease of a claimed row (all seconds).
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=6)
NOTICE_RETRY_BASE_SECONDS = env.int("NOTICE_RETRY_BASE_SECONDS", default=60)
NOTICE_REQUEUE_AFTER_SECONDS = env.int("NOTICE_REQUEUE_AFTER_SECONDS", default=600)
NOTICE_SENDING_LEASE_SECONDS = env.int("NOTICE_SENDING_LEASE_SECONDS", default=600)

# --- members: audit, accounts, admin spreadsheets ---
# Days audit records are kept; MLPS 2.0 and the Cybersecurity Law (art. 21) ask for six months,
# so purge_audit refuses anything below 183.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=183)
# Days without a login after which list_inactive_accounts reports an account.
INACTIVE_ACCOUNT_DAYS = env.int("INACTIVE_ACCOUNT_DAYS", default=90)
# Days an invitation link to open an account stays valid (staff can re-send it).
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# Spreadsheet export needs the model's view permission (import-export's default lets any staff
# account export every admin list); import needs the add permission. Apps may ask for more.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
# Sheets with more rows than this are checked and imported by a worker (members.sheet_jobs),
# not in the request: 10,000 rows take longer than a web worker may run.
SHEET_BACKGROUND_ROWS = env.int("SHEET_BACKGROUND_ROWS", default=1000)
# How long a worker may hold a sheet job before another takes it over (it presumably died).
SHEET_JOB_LEASE_SECONDS = env.int("SHEET_JOB_LEASE_SECONDS", default=900)
# Hours an unfinished sheet job (and the file it holds) is kept before it is removed.
SHEET_JOB_KEEP_HOURS = env.int("SHEET_JOB_KEEP_HOURS", default=24)
