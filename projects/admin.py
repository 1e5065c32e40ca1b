from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin

from backoffice.admin import AuditedAdminMixin, ScopedAdminMixin
from backoffice.models import Organisation
from projects.models import AnnualPlan, InspectionVisit, Project


class ProjectResource(resources.ModelResource):
    """Admin import/export of project lists with Chinese headers; IMPORT_EXPORT_USE_TRANSACTIONS makes it
    all-or-nothing. The product's own import (projects.imports) adds the rule checks and a row-by-row report."""

    plan = fields.Field(attribute="plan", column_name=_("Annual plan (id)"),
                        widget=widgets.ForeignKeyWidget(AnnualPlan, "pk"))
    code = fields.Field(attribute="code", column_name=_("Project code"))
    name = fields.Field(attribute="name", column_name=_("Project name"))
    project_type = fields.Field(attribute="project_type", column_name=_("Project type"))
    category = fields.Field(attribute="category", column_name=_("Category"))
    mode = fields.Field(attribute="mode", column_name=_("Mode"))
    hours = fields.Field(attribute="hours", column_name=_("Training hours"), widget=widgets.IntegerWidget())
    quota = fields.Field(attribute="quota", column_name=_("Quota"), widget=widgets.IntegerWidget())
    priority_quota = fields.Field(attribute="priority_quota", column_name=_("Quota reserved for key counties"),
                                  widget=widgets.IntegerWidget())
    start_date = fields.Field(attribute="start_date", column_name=_("Start date"), widget=widgets.DateWidget("%Y-%m-%d"))
    end_date = fields.Field(attribute="end_date", column_name=_("End date"), widget=widgets.DateWidget("%Y-%m-%d"))
    budget = fields.Field(attribute="budget", column_name=_("Budget (yuan)"), widget=widgets.DecimalWidget())
    office = fields.Field(attribute="office", column_name=_("Responsible project office"),
                          widget=widgets.ForeignKeyWidget(Organisation, "name"))
    owner = fields.Field(attribute="owner", column_name=_("Owning office"),
                         widget=widgets.ForeignKeyWidget(Organisation, "name"))

    class Meta:
        model = Project
        import_id_fields = ("code",)
        fields = ("plan", "code", "name", "project_type", "category", "mode", "hours", "quota", "priority_quota",
                  "start_date", "end_date", "budget", "office", "owner")
        skip_unchanged = True
        use_transactions = True

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None and not getattr(instance, "created_by_id", None):
            instance.created_by = kwargs.get("user")

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Only new drafts: the admin import never rewrites a proposal already in the workflow.
        if original is not None and original.pk and original.status != "draft":
            return True
        return super().skip_row(instance, original, row, import_validation_errors)


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
class ProjectAdmin(AuditedAdminMixin, ImportExportMixin, ScopedAdminMixin, admin.ModelAdmin):
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
