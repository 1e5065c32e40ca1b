"""`updated_since`: only rows changed at or after an ISO 8601 time, for incremental sync."""
import datetime as dt

import django_filters
from django.utils.translation import gettext_lazy as _
from django import forms
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 accepts offsets PostgreSQL refuses (beyond ±15:59): the time is moved to UTC before any query,
    and one that leaves the calendar when moved is refused as bad input (400), not a database error."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(dt.timezone.utc)
            except (OverflowError, ValueError) as exc:
                raise forms.ValidationError(_("The time is out of range.")) from exc
        return value


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class UpdatedSinceFilterSet(django_filters.FilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte",
        help_text=_("Only rows changed at or after this time (ISO 8601, e.g. 2026-03-01T00:00:00+08:00)."))


def id_filter(field_name: str, **kwargs):
    """A row id filter that refuses (400) numbers no row can have, instead of overflowing the database."""
    return django_filters.NumberFilter(field_name=field_name, min_value=1, max_value=2**63 - 1, **kwargs)


def year_filter(field_name: str, **kwargs):
    return django_filters.NumberFilter(field_name=field_name, min_value=1900, max_value=2999, **kwargs)
