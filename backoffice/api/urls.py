"""/api/v1/: the schema, its documentation pages (local files, no CDN) and each app's endpoints."""
from csp.decorators import csp_update
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

app_name = "api"

# Swagger UI and Redoc style their widgets inline and Redoc renders in a blob: worker: allowed on these two
# pages only; scripts still come from this site alone.
DOCS_CSP = csp_update({"style-src": ["'self'", "'unsafe-inline'"], "img-src": ["'self'", "data:"],
                       "worker-src": ["'self'", "blob:"]})

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DOCS_CSP(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", DOCS_CSP(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
]
# Each app mounts its endpoints the same way (by name: the core imports no app).
urlpatterns += [path("", include(f"{app}.api")) for app in (
    "projects", "projects.enrolment", "projects.enrolment.outcomes", "tendering", "finance",
)]



def not_found(request, *args, **kwargs):
    """Any other address under /api/v1/: a problem, not the site's HTML page."""
    return JsonResponse({"type": "https://guopei.example.cn/problems/not_found", "title": "未找到", "status": 404,
                         "code": "not_found", "detail": _("Not found.")}, status=404,
                        content_type="application/problem+json", json_dumps_params={"ensure_ascii": False})


urlpatterns.append(re_path(r"", not_found))
