"""Cursor pagination in update order, so a client syncs by following `next` and, next time, `updated_since`."""
from django.conf import settings
from rest_framework.pagination import CursorPagination


class UpdatedCursorPagination(CursorPagination):
    ordering = ("updated_at", "pk")
    page_size = getattr(settings, "API_PAGE_SIZE", 100)
    page_size_query_param = "page_size"
    max_page_size = 1000


class IdCursorPagination(UpdatedCursorPagination):
    ordering = ("pk",)
