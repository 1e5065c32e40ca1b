from django.contrib import admin

from backoffice.admin import AuditedAdminMixin, ScopedAdminMixin, SpreadsheetImportExportMixin
from projects.models import AnnualPlan, InspectionVisit, Project
from projects.resources import ProjectResource


@admin.register(AnnualPlan)
class AnnualPlanAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "province", "year", "central_subsidy", "status")
    list_filter = ("year", "status")
    readonly_fields = ("status", "submitted_at", "approved_at", "filed_at", "return_reason")
    scope_region_path = "province"


class InspectionInline(admin.TabularInline):
    model = InspectionVisit
    extra = 0
    readonly_fields = ("created_by", "created_at")


@admin.register(Project)
class ProjectAdmin(AuditedAdminMixin, SpreadsheetImportExportMixin, ScopedAdminMixin, admin.ModelAdmin):
    resource_classes = [ProjectResource]
    list_display = ("code", "name", "plan", "project_type", "mode", "hours", "quota", "budget", "status")
    list_filter = ("status", "project_type", "category", "mode")
    search_fields = ("code", "name")
    list_select_related = ("plan",)
    readonly_fields = ("status", "institution", "unit_price", "contract_reference", "grade", "return_reason",
                       "cancel_reason")
    raw_id_fields = ("plan", "owner", "office", "created_by")
    filter_horizontal = ("regions",)
    inlines = [InspectionInline]
    scope_region_path = "plan__province"
