"""`updated_since`: only rows changed at or after an ISO 8601 time, for incremental sync."""
import django_filters
from django.utils.translation import gettext_lazy as _


class UpdatedSinceFilterSet(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte",
        help_text=_("Only rows changed at or after this time (ISO 8601, e.g. 2026-03-01T00:00:00+08:00)."))
