"""Bounded work per web request (issue 13): PostgreSQL cancels any statement of a web request that runs longer
than WEB_STATEMENT_TIMEOUT_MS, and the user gets a page saying so in their language instead of a 500.

Only the web entry point (backoffice/wsgi.py) installs the timeout: Celery workers, migrations and management
commands run long statements on purpose and keep the server's default (none)."""
from django.conf import settings
from django.db import OperationalError
from django.db.backends.signals import connection_created
from django.shortcuts import render
from django.utils.translation import gettext as _

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout


def _set_statement_timeout(sender, connection, **kwargs):
    milliseconds = int(getattr(settings, "WEB_STATEMENT_TIMEOUT_MS", 0) or 0)
    if connection.vendor == "postgresql" and milliseconds > 0:
        with connection.cursor() as cursor:
            # Once per connection (connections are kept CONN_MAX_AGE seconds), not once per request.
            cursor.execute(f"SET statement_timeout = {milliseconds}")


def install_web_statement_timeout() -> None:
    connection_created.connect(_set_statement_timeout, dispatch_uid="web_statement_timeout")


def uninstall_web_statement_timeout() -> None:
    connection_created.disconnect(dispatch_uid="web_statement_timeout")


def is_statement_timeout(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    return isinstance(exc, OperationalError) and getattr(cause, "sqlstate", None) == QUERY_CANCELED


class StatementTimeoutMiddleware:
    """A statement cut off by the timeout answers 503 with a Chinese explanation (and no 500 page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not is_statement_timeout(exc):
            return None
        return render(request, "backoffice/error.html", {
            "title": _("This page took too long"),
            "message": _("The search behind this page ran longer than the server allows and was stopped, so other "
                         "users are not slowed down. Narrow the filter (a project, a status, a county or a date "
                         "range) and try again; exports of large lists run in the background."),
        }, status=503)
