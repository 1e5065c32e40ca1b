"""Admin pages read through the same scope and the same seal as every page (R2, R23).

`Bid.sealed` is never shown, and the readable bid columns stay empty until the opening writes them."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backoffice.admin import AuditedAdminMixin, ReadOnlyAdmin, ScopedAdminMixin
from tendering import selectors
from tendering.models import (
    Bid, Contract, ExpertProfile, Holiday, InstitutionProfile, Lot, Qualification, Question, Tender,
)


@admin.register(Tender)
class TenderAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("reference", "title", "status", "bid_deadline", "opening_at")
    list_filter = ("status",)
    search_fields = ("reference", "title")
    exclude = ("wrapped_key",)
    selector = selectors.tender_list_visible_to


@admin.register(Lot)
class LotAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("tender", "number", "name", "budget", "status")
    scope_region_path = "tender__province"


@admin.register(Bid)
class BidAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("institution", "lot", "status", "received_at", "receipt_sha256", "price")
    list_filter = ("status",)
    exclude = ("sealed",)
    selector = selectors.bid_list_visible_to


@admin.register(Question)
class QuestionAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("lot", "institution", "lodged_at", "answered_at")
    selector = selectors.question_list_visible_to


@admin.register(Contract)
class ContractAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("reference", "institution", "unit_price", "amount", "signed_at")
    selector = selectors.contract_list_visible_to


@admin.register(InstitutionProfile)
class InstitutionProfileAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("institution", "contact_name", "staff_count")
    scope_region_path = "institution__region"
    scope_organisation_path = "institution"


@admin.register(Qualification)
class QualificationAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("institution", "kind", "valid_until", "uploaded_at")
    selector = selectors.qualification_list_visible_to
    # The stored file's own URL serves nothing (issue 11 #3): link the scoped download instead.
    exclude = ("document",)
    readonly_fields = ("download",)

    @admin.display(description=_("document"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("tendering:qualification_document", args=[obj.pk]),
                           obj.document_name or _("Download"))


@admin.register(ExpertProfile)
class ExpertProfileAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "employer", "speciality", "is_active")
    filter_horizontal = ("declared_relations",)
    scope_region_path = "employer__region"
    audit_region_path = "employer.region"


@admin.register(Holiday)
class HolidayAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "name", "is_working_day")
