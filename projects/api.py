"""API: plans, projects and their states (read, for the ministry and the province's systems), through the
same scoped selectors as the pages (R2)."""
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from backoffice.api.filters import UpdatedSinceFilterSet, id_filter, year_filter
from backoffice.api.generics import SelectorDetailView, SelectorListView
from backoffice.api.problems import problem_responses
from backoffice.api.scopes import PLANS_READ
from projects import selectors
from projects.models import AnnualPlan, Project


class PlanSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")
    province_name = serializers.CharField(source="province.name")
    status_label = serializers.CharField(source="get_status_display")
    project_count = serializers.IntegerField()
    budget_total = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)

    class Meta:
        model = AnnualPlan
        fields = ["id", "year", "title", "province", "province_name", "central_subsidy", "status", "status_label",
                  "project_count", "budget_total", "submitted_at", "approved_at", "filed_at", "updated_at"]


class ProjectSerializer(serializers.ModelSerializer):
    plan_year = serializers.IntegerField(source="plan.year")
    province = serializers.CharField(source="plan.province.code")
    owner = serializers.CharField(source="owner.name")
    office = serializers.CharField(source="office.name")
    institution = serializers.CharField(source="institution.name", allow_null=True, default=None)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Project
        fields = ["id", "code", "name", "plan", "plan_year", "province", "project_type", "category", "mode",
                  "hours", "quota", "priority_quota", "start_date", "end_date", "budget", "owner", "office",
                  "institution", "unit_price", "status", "status_label", "grade", "updated_at"]


class PlanFilter(UpdatedSinceFilterSet):
    year = year_filter("year")

    class Meta:
        model = AnnualPlan
        fields = ["year", "status"]


class ProjectFilter(UpdatedSinceFilterSet):
    plan = id_filter("plan_id")

    class Meta:
        model = Project
        fields = ["plan", "status", "category", "mode"]


class _Reads:
    required_scope = PLANS_READ


@extend_schema(tags=["plans"], responses={200: PlanSerializer, **problem_responses(401, 403)})
class PlanList(_Reads, SelectorListView):
    """Annual plans the caller may read (R2), in update order; `updated_since` for incremental sync."""
    model, selector = AnnualPlan, selectors.plan_list_visible_to
    serializer_class = PlanSerializer
    filterset_class = PlanFilter


@extend_schema(tags=["plans"], responses={200: PlanSerializer, **problem_responses(401, 403, 404)})
class PlanDetail(_Reads, SelectorDetailView):
    model, selector = AnnualPlan, selectors.plan_list_visible_to
    serializer_class = PlanSerializer


@extend_schema(tags=["plans"], responses={200: ProjectSerializer, **problem_responses(401, 403)})
class ProjectList(_Reads, SelectorListView):
    """Projects the caller may read (R2) with their states."""
    model, selector = Project, selectors.project_list_visible_to
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter


@extend_schema(tags=["plans"], responses={200: ProjectSerializer, **problem_responses(401, 403, 404)})
class ProjectDetail(_Reads, SelectorDetailView):
    model, selector = Project, selectors.project_list_visible_to
    serializer_class = ProjectSerializer


urlpatterns = [
    path("plans/", PlanList.as_view(), name="plan-list"),
    path("plans/<int:pk>/", PlanDetail.as_view(), name="plan-detail"),
    path("projects/", ProjectList.as_view(), name="project-list"),
    path("projects/<int:pk>/", ProjectDetail.as_view(), name="project-detail"),
]
