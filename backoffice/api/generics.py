"""Base views: every read goes through the app's selector for the caller (R2)."""
from rest_framework import generics
from rest_framework.exceptions import NotFound

MAX_ID = 2**63 - 1  # a bigger number in a URL is no row of ours (and would overflow the database's integer)


def check_id(pk) -> None:
    if pk is not None and int(pk) > MAX_ID:
        raise NotFound


class SelectorMixin:
    """`selector(user=...)` gives the rows the caller may read; `model` lets the schema generator see them."""

    model = None
    selector = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return type(self).selector(user=self.request.user)


class SelectorListView(SelectorMixin, generics.ListAPIView):
    pass


class SelectorDetailView(SelectorMixin, generics.RetrieveAPIView):
    def get_object(self):
        check_id(self.kwargs.get("pk"))
        return super().get_object()
