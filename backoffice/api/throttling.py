"""Throttling per key (R5): each key has its own budget (`API_KEY_THROTTLE_RATE`); session users and anonymous
readers have theirs per user and per address."""
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from .permissions import request_key


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        key = request_key(request)
        return None if key is None else self.cache_format % {"scope": self.scope, "ident": key.pk}


class SessionUserRateThrottle(UserRateThrottle):
    def get_cache_key(self, request, view):
        return None if request_key(request) is not None else super().get_cache_key(request, view)


__all__ = ["AnonRateThrottle", "ApiKeyRateThrottle", "SessionUserRateThrottle"]
