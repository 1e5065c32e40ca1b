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
