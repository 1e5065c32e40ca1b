"""Production settings for the load harness on 127.0.0.1 (bench/load/run.py): plain HTTP, no login lockout,
and every response reports its SQL statements and time (backoffice.middleware.QueryStatsHeadersMiddleware)."""
from .production import *  # noqa: F401,F403
from .production import MIDDLEWARE

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
AXES_ENABLED = False
MIDDLEWARE = ["backoffice.middleware.QueryStatsHeadersMiddleware", *MIDDLEWARE]
