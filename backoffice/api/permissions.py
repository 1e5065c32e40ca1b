"""Scopes (R5): a key may use an endpoint only with the scope the endpoint names; a session user only as far as
the role allows (the selectors and services decide R2 either way)."""
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from backoffice.models import ApiKey


def request_key(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


class HasScope(BasePermission):
    """Signed in (session or key) and, for a key, holding the view's `required_scope` (or `write_scope` for writes)."""

    message = _("This API key does not carry the scope this endpoint needs.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        key = request_key(request)
        if key is None:
            return True
        needed = getattr(view, "required_scope", None)
        if request.method not in SAFE_METHODS:
            needed = getattr(view, "write_scope", needed)
        self.code = "api_scope_missing"
        return bool(needed) and needed in key.scopes
