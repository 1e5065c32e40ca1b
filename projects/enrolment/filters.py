import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backoffice.identity import normalise_id_number
from backoffice.models import Organisation, Teacher
from backoffice.filters import OrderingFilter
from backoffice.search import name_q

from .models import Certificate, CertificateStatus, CreditRecord, CreditStatus, Enrolment, EnrolmentStatus, Exemption, ExemptionStatus


def _teacher_search(prefix):
    def search(self, qs, name, value):
        return qs.filter(name_q(f"{prefix}teacher__name", value)
                         | Q(**{f"{prefix}teacher__id_number": normalise_id_number(value)}))

    return search


ID_TAIL = re.compile(r"[0-9X]{3,17}")
SEARCH_IDS_MAX = 5000


class EnrolmentFilter(django_filters.FilterSet):
    """The trainee list's filter; the same filter is the selection of a bulk action ("all N that match")."""

    q = django_filters.CharFilter(label=_("Name, school or last digits of the ID number"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EnrolmentStatus.choices)
    project = django_filters.CharFilter(label=_("Project code"), field_name="project__code")
    ordering = OrderingFilter(
        label=_("Sort by"),
        fields=(("teacher__name", "name"), ("teacher__id_number", "id_number"), ("teacher__school__name", "school"),
                ("project__name", "project"), ("project__institution__name", "institution"), ("status", "status"),
                ("submitted_at", "submitted"), ("ranking_score", "score")),
        field_labels={"teacher__name": _("Full name"), "teacher__id_number": _("ID number"),
                      "teacher__school__name": _("School"), "project__name": _("Project"),
                      "project__institution__name": _("Training institution"), "status": _("Status"),
                      "submitted_at": _("Submitted at"), "ranking_score": _("Ranking score")},
    )

    class Meta:
        model = Enrolment
        fields = ["q", "status", "project"]

    def search(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        number = normalise_id_number(value)
        found = name_q("name", value)
        # Schools are a small table: their ids, read first, keep the planner's estimate of matching teachers honest.
        schools = list(Organisation.objects.filter(name__icontains=value).values_list("pk", flat=True)[:2000])
        if schools:
            found |= Q(school__in=schools)
        if len(number) == 18:
            found |= Q(id_number=number)
        elif ID_TAIL.fullmatch(number):
            found |= Q(id_number__endswith=number)
        # Teachers first, then their enrolments. Searched in one join, the planner guesses thousands of matches
        # and walks the province's enrolments in list order to find fifty (9 s at 1,000,000 enrolments); given
        # the matching teachers' ids it fetches just their enrolments. A search matching very many teachers
        # (a common surname) keeps the subquery: the walk then finds its fifty at once.
        teachers = Teacher.objects.filter(found).order_by().values_list("pk", flat=True)
        ids = list(teachers[:SEARCH_IDS_MAX + 1])
        return qs.filter(teacher__in=ids if len(ids) <= SEARCH_IDS_MAX else teachers)


class ExemptionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ExemptionStatus.choices)

    class Meta:
        model = Exemption
        fields = ["status"]


class CreditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or full ID number"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CreditStatus.choices)
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = CreditRecord
        fields = ["q", "status", "year"]

    search = _teacher_search("enrolment__")


class CertificateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or full ID number"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CertificateStatus.choices)

    class Meta:
        model = Certificate
        fields = ["q", "status"]

    search = _teacher_search("enrolment__")
