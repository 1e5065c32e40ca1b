import ipaddress
from contextvars import ContextVar

from django.conf import settings

_request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)


def current_ip() -> str | None:
    return _request_ip.get()


def _valid_ip(value: str | None) -> str | None:
    """The address in canonical form, or None: PostgreSQL's inet column refuses anything else (R3)."""
    try:
        ip = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    return None if getattr(ip, "scope_id", None) else str(ip)


def client_ip(request) -> str | None:
    """The client's address for the audit trail (R3).

    Each trusted proxy appends the address it saw to X-Forwarded-For, so with N trusted proxies the client is the
    N-th entry from the right; anything further left was written by the client and is not believed. With no
    trusted proxy (the default) the header is ignored. A missing or malformed entry falls back to REMOTE_ADDR.
    """
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    if trusted <= 0:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < trusted:
        return remote
    return _valid_ip(hops[-trusted]) or remote


class RequestContextMiddleware:
    """Makes the request's IP available to services for the audit trail (R3)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _request_ip.reset(token)


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


class RefuseNulCharactersMiddleware:
    """No genuine input holds a NUL character, and PostgreSQL text cannot store one: a request carrying one in a
    query or form value (a reason, a survey comment, a certificate number) is answered with 400 in the user's
    language instead of failing with a 500 deep in a service."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or "\x00" in request.path or (request.method == "POST" and _has_nul(request.POST)):
            from django.shortcuts import render
            from django.utils.translation import gettext as _

            if request.path.startswith("/api/"):  # machines get problem details (issue 15)
                from django.http import JsonResponse

                return JsonResponse({"type": "https://guopei.example.cn/problems/invalid", "title": "请求有误",
                                     "status": 400, "code": "invalid", "detail": _(
                                         "The request contains a null character (NUL), which is not allowed. Remove "
                                         "it and try again.")}, status=400, content_type="application/problem+json",
                                    json_dumps_params={"ensure_ascii": False})
            return render(request, "backoffice/error.html", {
                "title": _("Invalid input"),
                "message": _("The request contains a null character (NUL), which is not allowed. Remove it and try "
                             "again."),
            }, status=400)
        return self.get_response(request)


class QueryStatsHeadersMiddleware:
    """Bench settings only (bench/load): reports the request's SQL statements and their time in the response
    headers X-SQL-Queries and X-SQL-Time-Ms, so the load harness can show what each page costs the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.db import connection

        stats = {"n": 0, "seconds": 0.0}

        def timed(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                stats["n"] += 1
                stats["seconds"] += time.perf_counter() - start

        with connection.execute_wrapper(timed):
            response = self.get_response(request)
        response["X-SQL-Queries"] = str(stats["n"])
        response["X-SQL-Time-Ms"] = f"{stats['seconds'] * 1000:.1f}"
        return response
