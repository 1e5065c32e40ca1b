from django.urls import path

from finance import views

app_name = "finance"

urlpatterns = [
    path("", views.budget_overview, name="budget_overview"),
    path("projects/<int:pk>/budget/", views.project_budget, name="project_budget"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/advance/", views.contract_advance, name="contract_advance"),
    path("contracts/<int:pk>/commit/", views.contract_commit, name="contract_commit"),
    path("settle/", views.settle, name="settle"),
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/action/", views.statement_action, name="statement_action"),
    path("statements/<int:pk>/payments/", views.payment_create, name="payment_create"),
    path("statements/<int:pk>/statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/upload/", views.invoice_upload, name="invoice_upload"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation.xlsx", views.reconciliation_xlsx, name="reconciliation_xlsx"),
    path("statements/export/", views.statement_export, name="statement_export"),
    path("statements/pdfs/", views.statement_pdfs, name="statement_pdfs"),
    path("export/", views.budget_export, name="budget_export"),
]
