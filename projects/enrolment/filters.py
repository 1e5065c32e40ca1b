import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backoffice.identity import normalise_id_number
from backoffice.search import name_q

from .models import Certificate, CertificateStatus, CreditRecord, CreditStatus, Enrolment, EnrolmentStatus, Exemption, ExemptionStatus


def _teacher_search(prefix):
    def search(self, qs, name, value):
        return qs.filter(name_q(f"{prefix}teacher__name", value)
                         | Q(**{f"{prefix}teacher__id_number": normalise_id_number(value)}))

    return search


class EnrolmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or full ID number"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EnrolmentStatus.choices)
    project = django_filters.CharFilter(label=_("Project code"), field_name="project__code")

    class Meta:
        model = Enrolment
        fields = ["q", "status", "project"]

    search = _teacher_search("")


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
