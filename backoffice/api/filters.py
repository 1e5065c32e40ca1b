"""`updated_since`: only rows changed at or after an ISO 8601 time, for incremental sync."""
import django_filters
from django.utils.translation import gettext_lazy as _


class UpdatedSinceFilterSet(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte",
        help_text=_("Only rows changed at or after this time (ISO 8601, e.g. 2026-03-01T00:00:00+08:00)."))


def id_filter(field_name: str, **kwargs):
    """A row id filter that refuses (400) numbers no row can have, instead of overflowing the database."""
    return django_filters.NumberFilter(field_name=field_name, min_value=1, max_value=2**63 - 1, **kwargs)


def year_filter(field_name: str, **kwargs):
    return django_filters.NumberFilter(field_name=field_name, min_value=1900, max_value=2999, **kwargs)
