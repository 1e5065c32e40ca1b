from django.urls import path

from . import views, views_public, views_records
from .outcomes import urls as outcome_urls

app_name = "enrolment"
urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/bulk/", views.project_bulk, name="project_bulk"),
    path("projects/<int:pk>/whole-staff/", views.whole_staff, name="whole_staff"),
    path("projects/<int:pk>/ranking/", views.project_ranking, name="project_ranking"),
    path("projects/<int:pk>/import/", views.project_import, name="project_import"),
    path("projects/<int:pk>/apply/", views.project_apply, name="project_apply"),
    path("projects/<int:pk>/export.xlsx", views.project_export, name="project_export"),
    path("projects/<int:pk>/certificates/", views_records.certificate_batch, name="certificate_batch"),
    path("projects/<int:pk>/admission-notices.pdf", views.admission_notices, name="admission_notices"),
    path("template/<str:kind>.xlsx", views.import_template, name="import_template"),
    path("teachers/import/", views.teacher_import, name="teacher_import"),
    path("teachers/<int:pk>/", views.teacher_detail, name="teacher_detail"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/status/", views.import_job_status, name="import_job_status"),
    path("imports/<int:pk>/file/", views.import_job_file, name="import_job_file"),
    path("trainees/", views.EnrolmentListView.as_view(), name="enrolment_list"),
    path("trainees/export/", views.trainee_export, name="trainee_export"),
    path("trainees/bulk/", views.enrolment_bulk, name="enrolment_bulk"),
    path("trainees/bulk/<int:pk>/", views.bulk_job, name="bulk_job"),
    path("trainees/bulk/<int:pk>/status/", views.bulk_job_status, name="bulk_job_status"),
    path("trainees/bulk/<int:pk>/report/", views.bulk_job_report, name="bulk_job_report"),
    path("trainees/<int:pk>/", views.EnrolmentDetailView.as_view(), name="enrolment_detail"),
    path("trainees/<int:pk>/ranking/", views.enrolment_ranking, name="enrolment_ranking"),
    path("trainees/<int:pk>/admission-notice.pdf", views.admission_notice, name="admission_notice"),
    path("trainees/<int:pk>/exemption/", views_records.exemption_apply, name="exemption_apply"),
    path("exemptions/", views_records.ExemptionListView.as_view(), name="exemption_list"),
    path("exemptions/<int:pk>/", views_records.ExemptionDetailView.as_view(), name="exemption_detail"),
    path("exemptions/<int:pk>/evidence/", views_records.exemption_evidence, name="exemption_evidence"),
    path("credits/", views_records.CreditListView.as_view(), name="credit_list"),
    path("credits/<int:pk>/", views_records.CreditTransitionView.as_view(), name="credit_move"),
    path("credits/export.xlsx", views_records.credit_export, name="credit_export"),
    path("certificates/", views_records.CertificateListView.as_view(), name="certificate_list"),
    path("certificates/<int:pk>.pdf", views_records.certificate_pdf, name="certificate_pdf"),
    path("certificate-jobs/<int:pk>/", views_records.certificate_job, name="certificate_job"),
    path("certificate-jobs/<int:pk>/status/", views_records.certificate_job_status, name="certificate_job_status"),
    path("certificate-jobs/<int:pk>/file/", views_records.certificate_job_file, name="certificate_job_file"),
    path("verify/", views_public.certificate_verify, name="certificate_verify"),
    path("publicity/", views_public.publicity_list, name="publicity_list"),
    path("publicity/<int:pk>/", views_public.publicity_detail, name="publicity_detail"),
]
urlpatterns += outcome_urls.urlpatterns  # R46-R48: schemes, learning records, outcomes
