from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from backoffice import views
from backoffice.api import pages as api_pages

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("registry/organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("registry/teachers/", views.TeacherListView.as_view(), name="teacher_list"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/status/", views.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/file/", views.export_job_file, name="export_job_file"),
    path("batches/<int:pk>/", views.batch_job, name="batch_job"),
    path("batches/<int:pk>/status/", views.batch_job_status, name="batch_job_status"),
    path("batches/<int:pk>/file/", views.batch_job_file, name="batch_job_file"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/read/", views.notices_read, name="notices_read"),
    path("deadlines/overdue/", views.overdue_list, name="overdue_list"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("backoffice.api.urls")),
    path("api-keys/", api_pages.api_key_list, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", api_pages.api_key_revoke, name="api_key_revoke"),
]

# Each workflow app mounts its own URLs under its prefix, the same way.
urlpatterns += [path(prefix, include(f"{app}.urls")) for app, prefix in (
    ("projects", "projects/"), ("projects.enrolment", "enrolment/"), ("projects.evaluation", "evaluation/"),
    ("tendering", "tendering/"), ("finance", "finance/"),
)]

handler403 = "backoffice.views.permission_denied"
handler404 = "backoffice.views.page_not_found"
handler500 = "backoffice.views.server_error"
