from django.urls import path

from . import views

urlpatterns = [
    path("projects/<int:pk>/outcomes/", views.outcomes_page, name="outcomes"),
    path("projects/<int:pk>/outcomes/compute/", views.outcomes_compute, name="outcomes_compute"),
    path("projects/<int:pk>/outcomes/confirm/", views.outcomes_confirm, name="outcomes_confirm"),
    path("projects/<int:pk>/outcomes/audit/", views.outcomes_audit, name="outcomes_audit"),
    path("projects/<int:pk>/records/upload/", views.records_upload, name="records_upload"),
    path("projects/<int:pk>/records/template.<str:fmt>", views.records_template, name="records_template"),
    path("projects/<int:pk>/scheme/", views.scheme_current, name="scheme_current"),
    path("schemes/<int:pk>/", views.SchemeView.as_view(), name="scheme"),
    path("record-jobs/<int:pk>/", views.records_job, name="records_job"),
    path("record-jobs/<int:pk>/status/", views.records_job_status, name="records_job_status"),
    path("record-jobs/<int:pk>/file/", views.records_job_file, name="records_job_file"),
    path("trainees/<int:pk>/override/", views.outcome_override, name="outcome_override"),
    path("trainees/<int:pk>/return/", views.outcome_return, name="outcome_return"),
]
