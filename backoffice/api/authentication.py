"""Key authentication for machines (R5); browsers use their session."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from backoffice.middleware import current_ip
from backoffice.models import ApiKey

from .keys import key_from_token, key_usable, principal_for

HEADER = "HTTP_AUTHORIZATION"
KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key gp_…`. A wrong, revoked or expired key is refused (401), never ignored."""

    def authenticate(self, request):
        header = request.META.get(HEADER, "")
        if not header.startswith(KEYWORD + " "):
            return None
        key = key_from_token(header[len(KEYWORD) + 1:].strip())
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown API key."), code="api_key_unknown")
        if not key_usable(key):
            raise exceptions.AuthenticationFailed(_("This API key is revoked or expired."), code="api_key_inactive")
        # Last use shown on the key's page; one UPDATE per call.
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now(), last_used_ip=current_ip())
        return principal_for(key), key

    def authenticate_header(self, request):
        return KEYWORD


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Api-Key gp_…` — issued on the API keys page (R5)."}
