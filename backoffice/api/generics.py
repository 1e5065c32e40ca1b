"""Base views: every read goes through the app's selector for the caller (R2)."""
from rest_framework import generics


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
    pass
