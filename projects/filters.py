import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import AnnualPlan, PlanStatus, Project, ProjectCategory, ProjectMode, ProjectStatus, ProjectType


class PlanFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PlanStatus.choices)

    class Meta:
        model = AnnualPlan
        fields = ["year", "status"]


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="search")
    year = django_filters.NumberFilter(label=_("Year"), field_name="plan_year")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices)
    project_type = django_filters.ChoiceFilter(label=_("Project type"), choices=ProjectType.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=ProjectCategory.choices)
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=ProjectMode.choices)

    class Meta:
        model = Project
        fields = ["q", "year", "status", "project_type", "category", "mode"]

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value))
