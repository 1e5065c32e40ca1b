"""django-import-export resources for the admin (read and written through backoffice.spreadsheets by
backoffice.admin.SpreadsheetImportExportMixin)."""
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from backoffice.models import Organisation
from projects.models import AnnualPlan, Project


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
