import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.identity import normalise_id_number
from backoffice.models import (
    AuditAction,
    AuditEvent,
    Organisation,
    OrganisationKind,
    SchoolStage,
    Subject,
    Teacher,
)
from backoffice.search import name_q
from backoffice.selectors import audit_object_types

DATE_PICKER = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrganisationKind.choices)
    region = django_filters.CharFilter(label=_("Region code"), method="in_region")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "region"]

    def search(self, qs, name, value):
        return qs.filter(name_q("name", value) | Q(code__iexact=value))

    def in_region(self, qs, name, value):
        return qs.filter(region__code__startswith=value.rstrip("0") or value)


class TeacherFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or full ID number"), method="search")
    stage = django_filters.ChoiceFilter(label=_("School stage"), choices=SchoolStage.choices)
    subject = django_filters.ChoiceFilter(label=_("Subject"), choices=Subject.choices)
    is_rural = django_filters.BooleanFilter(label=_("Rural teacher"))

    class Meta:
        model = Teacher
        fields = ["q", "stage", "subject", "is_rural"]

    def search(self, qs, name, value):
        # Searching by a full ID number finds the teacher without ever displaying the number.
        return qs.filter(name_q("name", value) | Q(id_number=normalise_id_number(value)))


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Object, person or reason"), method="search")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    # Dates become a range of instants on the indexed `at` column (a cast to date would read every row).
    since = django_filters.DateFilter(label=_("From date"), method="from_date", widget=DATE_PICKER)
    until = django_filters.DateFilter(label=_("To date"), method="to_date", widget=DATE_PICKER)
    # Only the kinds of objects the trail records, not every table of the framework and its libraries.
    content_type = django_filters.ModelChoiceFilter(label=_("object type"), queryset=lambda request: audit_object_types())

    class Meta:
        model = AuditEvent
        fields = ["q", "action", "since", "until", "content_type"]

    def search(self, qs, name, value):
        return qs.filter(Q(object_repr__icontains=value) | Q(actor_name__icontains=value) | Q(reason__icontains=value))

    def from_date(self, qs, name, value):
        return qs.filter(at__gte=_day_start(value))

    def to_date(self, qs, name, value):
        return qs.filter(at__lt=_day_start(value + dt.timedelta(days=1)))


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of the day in the programme's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering, with its choices built when the form is shown: django-filter builds them once,
    at import, which froze the labels ("Full name (descending)") in the language of the first import."""

    descending_fmt = _("%s (descending)")

    def build_choices(self, fields, labels):
        build = super().build_choices
        return lambda: build(fields, labels)
