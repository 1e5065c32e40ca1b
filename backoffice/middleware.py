from contextvars import ContextVar

_request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)


def current_ip() -> str | None:
    return _request_ip.get()


def client_ip(request) -> str | None:
    # Behind the production proxy the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR") or None


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
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            from django.shortcuts import render
            from django.utils.translation import gettext as _

            return render(request, "backoffice/error.html", {
                "title": _("Invalid input"),
                "message": _("The request contains a null character (NUL), which is not allowed. Remove it and try "
                             "again."),
            }, status=400)
        return self.get_response(request)
