"""Admin: indicator systems and evaluations are read here; changes go through the services (pages and the
systems form). Survey responses are deliberately not in the admin (R61)."""
from django.contrib import admin

from backoffice.admin import ReadOnlyAdmin, ScopedAdminMixin

from .models import Assignment, Evaluation, EvaluationResult, Indicator, IndicatorSystem


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ("source", "weight")


@admin.register(IndicatorSystem)
class IndicatorSystemAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    scope_region_path = "province"
    list_display = ("province", "project_type", "version", "created_by", "created_at")
    list_filter = ("project_type",)
    inlines = [IndicatorInline]


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ("user", "kind", "assigned_by", "assigned_at")


class ResultInline(ReadOnlyInline):
    model = EvaluationResult
    fields = ("total", "grade", "published_by", "published_at", "superseded_at", "reopen_reason")


@admin.register(Evaluation)
class EvaluationAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    scope_region_path = "project__plan__province"
    list_display = ("project", "system", "status", "total", "grade", "published_at")
    list_filter = ("status", "grade")
    list_select_related = ("project", "system")
    search_fields = ("project__name", "project__code")
    inlines = [AssignmentInline, ResultInline]
    readonly_fields = ("project", "system", "status", "opened_by", "opened_at", "tokens_issued", "total", "grade",
                       "breakdown", "graded_at", "published_at", "reopen_reason")
