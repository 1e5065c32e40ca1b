"""Production: PostgreSQL, Redis broker, secure cookies. Every secret comes from the environment."""
from . import *  # noqa: F401,F403
from . import env, parse_seal_secrets

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
# R23: required; `check --deploy` fails without it (tendering.checks). No generated file in production: the
# secret must be kept and backed up apart from the database (README, Production).
TENDER_SEAL_SECRETS = parse_seal_secrets(env("TENDER_SEAL_SECRETS", default=""))
TENDER_SEAL_KEY_FILE = None
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A persistent connection outlives a database restart: check it before reusing it (issue 11 #12).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {"default": env.cache("CACHE_URL", default="redis://127.0.0.1:6379/1")}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# collectstatic has run: serve the manifest's hashed files, never look in the source folders.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# R4 reminders go out by SMTP: EMAIL_URL such as smtp+tls://user:password@mail.example.gov.cn:587.
globals().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
SITE_URL = env("SITE_URL", default="https://" + (ALLOWED_HOSTS[0] if ALLOWED_HOSTS else "localhost"))
