from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from backoffice import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("registry/organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("registry/teachers/", views.TeacherListView.as_view(), name="teacher_list"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/status/", views.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/file/", views.export_job_file, name="export_job_file"),
    path("admin/", admin.site.urls),
]

# Each workflow app mounts its own URLs under its prefix, the same way.
urlpatterns += [path(prefix, include(f"{app}.urls")) for app, prefix in (
    ("projects", "projects/"), ("projects.enrolment", "enrolment/"), ("projects.evaluation", "evaluation/"),
    ("tendering", "tendering/"), ("finance", "finance/"),
)]

handler403 = "backoffice.views.permission_denied"
handler404 = "backoffice.views.page_not_found"
handler500 = "backoffice.views.server_error"
