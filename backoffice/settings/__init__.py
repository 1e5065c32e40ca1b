"""Settings read from the environment; the defaults are the embedded set-up (SQLite, eager tasks)."""
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from .seal import parse_seal_secrets

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Issue 11 #3: the debug page leaks settings and code to anonymous visitors; on only with an explicit DEBUG=1.
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="embedded-default-not-for-production-0b6f2f1c9e")
# R23: the secrets that wrap each tender's sealing key, never SECRET_KEY ("v2:<secret>,v1:<old secret>", the first
# seals new tenders). Unset in the embedded set-up: a secret generated once per machine into var/seal.key (0600).
TENDER_SEAL_SECRETS = parse_seal_secrets(env("TENDER_SEAL_SECRETS", default=""))
TENDER_SEAL_KEY_FILE = VAR_DIR / "seal.key"
# `manage.py demo 0.0.0.0:8080` adds the machine's own names and addresses when it serves beyond loopback.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "0.0.0.0", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies in front of the app whose X-Forwarded-For entries are believed (R3 audit IP); 0 ignores the header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "import_export",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "backoffice",
    "projects",
    "projects.enrolment",
    "projects.evaluation",
    "tendering",
    "finance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "backoffice.middleware.RefuseNulCharactersMiddleware",
    "backoffice.middleware.RequestContextMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"

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
                "backoffice.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A kept connection (CONN_MAX_AGE > 0) may have died with a database restart: check it before reuse.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL keeps the embedded server responsive while a background import writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 30}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "backoffice.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Lock-outs key on the same client address the audit trail records (TRUSTED_PROXY_COUNT), not the proxy's.
AXES_CLIENT_IP_CALLABLE = "backoffice.middleware.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# With DEBUG off runserver serves no static files: WhiteNoise serves them straight from the apps and static/,
# so the embedded default needs no collectstatic (production collects and turns both off).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Uploaded files are never served from MEDIA_URL: scoped views stream them (backoffice.files). Behind nginx,
# set this to an `internal` location that aliases MEDIA_ROOT and the views answer with X-Accel-Redirect.
PROTECTED_MEDIA_ACCEL_PREFIX = env("PROTECTED_MEDIA_ACCEL_PREFIX", default="")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Uploaded workbooks (backoffice.spreadsheets): refused above these, with a message naming the limit.
SPREADSHEET_MAX_UPLOAD_BYTES = env.int("SPREADSHEET_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
SPREADSHEET_MAX_ROWS = env.int("SPREADSHEET_MAX_ROWS", default=200_000)
SPREADSHEET_MAX_COLUMNS = env.int("SPREADSHEET_MAX_COLUMNS", default=60)
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = env.int("SPREADSHEET_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)

# Celery: no broker means tasks run in-process (embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://")
}

REST_FRAMEWORK = {
    # Issue 15: machines send an API key (R5), browsers use their session.
    "DEFAULT_AUTHENTICATION_CLASSES": ["backoffice.api.authentication.ApiKeyAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["backoffice.api.permissions.HasScope"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "backoffice.api.pagination.UpdatedCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backoffice.api.problems.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["backoffice.api.throttling.ApiKeyRateThrottle",
                                 "backoffice.api.throttling.SessionUserRateThrottle",
                                 "backoffice.api.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env("API_KEY_THROTTLE_RATE", default="600/min"),
        "user": env("API_USER_THROTTLE_RATE", default="600/min"),
        "anon": env("API_ANON_THROTTLE_RATE", default="120/min"),
    },
    "PAGE_SIZE": 100,
}
API_PAGE_SIZE = 100
SPECTACULAR_SETTINGS = {
    "TITLE": "国培计划管理平台 API",
    "DESCRIPTION": "REST API of the national teacher-training programme back-office (issue 15). Machines send "
                   "`Authorization: Api-Key gp_…` (keys are issued on the API keys page, R5); errors are RFC 9457 "
                   "problem details with a `code` and a Chinese `detail`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {"OutcomeChoiceEnum": "projects.enrolment.outcomes.models.Proposed"},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "backoffice.api.schema.problem_responses_hook",
                             "backoffice.api.schema.vendor_neutral_hook"],
}
# OCDS (issue 15): the publisher's OCID prefix (registered with the Open Contracting Partnership).
OCDS_OCID_PREFIX = env("OCDS_OCID_PREFIX", default="ocds-gp2026")
OCDS_PUBLISHER_URI = env("OCDS_PUBLISHER_URI", default="https://guopei.example.cn")

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# PDF font: a TrueType CJK font shipped in static/ so PDFs render on any viewer.
PDF_FONT_PATH = BASE_DIR / "static" / "fonts" / "wqy-microhei.ttc"

LIST_PAGE_SIZE = 50

# Issue 11 #12: only our own scripts, styles, images and fonts; no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

SITE_TITLE = _("National Teacher Training Programme back-office")
# Links in e-mails (R4 reminders) point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# E-mail: the embedded default writes each message to a file under var/mail; production reads EMAIL_URL
# (smtp+tls://user:password@host:587).
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="guopei-noreply@localhost")
