"""/api/v1/: the schema, its documentation pages (local files, no CDN) and each app's endpoints."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
# Each app mounts its endpoints the same way (by name: the core imports no app).
urlpatterns += [path("", include(f"{app}.api")) for app in (
    "projects", "projects.enrolment", "tendering", "finance",
)]
