"""Admin pages look at finance rows through the same scope as every page (R2); money changes go through services."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from backoffice.admin import ReadOnlyAdmin, ScopedAdminMixin
from finance.models import (
    Adjustment, BudgetLine, Commitment, Expenditure, Invoice, LectureFee, Payment, SettlementStatement,
)


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Read-only, with the row history (who changed which amount when) one click away."""


@admin.register(SettlementStatement)
class StatementAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ("contract", "project", "county", "school_year", "trainees", "amount", "status")
    list_filter = ("status", "school_year")
    search_fields = ("contract__reference",)
    scope_region_path = "county"


@admin.register(Adjustment)
class AdjustmentAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ("statement", "trainees_delta", "amount", "created_at")
    scope_region_path = "statement__county"


@admin.register(Invoice)
class InvoiceAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ("institution", "number", "contract", "county", "amount", "issued_on")
    search_fields = ("number",)
    scope_region_path = "county"
    scope_organisation_path = "institution"


@admin.register(Payment)
class PaymentAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ("contract", "statement", "tranche", "amount", "paid_on")
    list_filter = ("tranche",)
    scope_region_path = "contract__lot__tender__province"


@admin.register(BudgetLine)
class BudgetLineAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ("project", "category", "amount", "payer")
    scope_region_path = "project__plan__province"


for model, path in ((LectureFee, "project__plan__province"), (Commitment, "project__plan__province"),
                    (Expenditure, "project__plan__province")):
    admin.site.register(model, type(f"{model.__name__}Admin", (ScopedAdminMixin, ReadOnlyHistoryAdmin),
                                    {"scope_region_path": path}))
