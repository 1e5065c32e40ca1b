from django.utils.translation import gettext_lazy as _
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from backoffice.admin import AuditedAdminMixin, ReadOnlyAdmin, ScopedAdminMixin, SpreadsheetImportExportMixin
from backoffice.scoping import scope_for

from .models import BulkActionJob, Certificate, CreditRecord, Enrolment, Exemption, ImportJob, RegistryTeacher
from .resources import TeacherResource
from .selectors import certificate_list_visible_to, credit_list_visible_to, enrolment_list_visible_to, exemption_list_visible_to


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("teacher_name", "masked_id", "project", "status", "submitted_at")
    list_filter = ("status",)
    search_fields = ("teacher__name", "=teacher__id_number", "project__code")

    def get_queryset(self, request):
        return enrolment_list_visible_to(user=request.user)

    @admin.display(description=_("Full name"))
    def teacher_name(self, obj):
        return obj.teacher.name

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.teacher.masked_id_number


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "ground", "status", "applied_at")
    list_filter = ("status", "ground")
    # The stored file's own URL serves nothing (issue 11 #3): link the scoped download instead.
    exclude = ("evidence",)
    readonly_fields = ("download",)

    @admin.display(description=_("evidence"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("enrolment:exemption_evidence", args=[obj.pk]),
                           obj.evidence_name or _("Download"))

    def get_queryset(self, request):
        return exemption_list_visible_to(user=request.user)


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "year", "hours", "status")
    list_filter = ("status", "year")

    def get_queryset(self, request):
        return credit_list_visible_to(user=request.user)


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("number", "enrolment", "hours", "issued_on", "status")
    list_filter = ("status",)
    search_fields = ("number",)

    def get_queryset(self, request):
        return certificate_list_visible_to(user=request.user)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "kind", "status", "rows_total", "created_by", "created_at")
    exclude = ("file",)  # only its uploader downloads it, from the job's page


@admin.register(BulkActionJob)
class BulkActionJobAdmin(ReadOnlyAdmin):
    list_display = ("label", "action", "status", "matched", "moved", "refused", "created_by", "created_at")
    exclude = ("report",)  # it names trainees: only whoever started the action downloads it, from the job's page


@admin.register(RegistryTeacher)
class RegistryTeacherAdmin(AuditedAdminMixin, ScopedAdminMixin, SpreadsheetImportExportMixin, admin.ModelAdmin):
    """django-import-export's import with preview and row errors, for small files."""

    resource_classes = [TeacherResource]
    list_display = ("name", "masked_id", "school", "region", "stage", "subject")
    list_select_related = ("school", "region")
    search_fields = ("name", "=id_number")

    def get_queryset(self, request):
        return scope_for(request.user).teachers(admin.ModelAdmin.get_queryset(self, request))

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.masked_id_number
