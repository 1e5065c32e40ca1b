from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import render
from django.contrib.auth.decorators import login_required
from django_filters.views import FilterView

from backoffice import audit, selectors
from backoffice.filters import AuditFilter, OrganisationFilter, TeacherFilter
from backoffice.navigation import panels_for


class ScopedListView(LoginRequiredMixin, FilterView):
    """List page convention: a selector gives the user's rows, django-filter narrows them, 50 a page."""

    paginate_by = settings.LIST_PAGE_SIZE
    selector = None
    title = ""

    def get_queryset(self):
        return type(self).selector(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["querystring"] = query.urlencode()
        return ctx


@login_required
def dashboard(request):
    return render(request, "backoffice/dashboard.html", {"panels": panels_for(request.user)})


class OrganisationListView(PermissionRequiredMixin, ScopedListView):
    permission_required = "backoffice.view_organisations"
    template_name = "backoffice/organisation_list.html"
    filterset_class = OrganisationFilter
    selector = selectors.organisation_list_visible_to


class TeacherListView(PermissionRequiredMixin, ScopedListView):
    permission_required = "backoffice.view_teacher_registry"
    template_name = "backoffice/teacher_list.html"
    filterset_class = TeacherFilter
    selector = selectors.teacher_list_visible_to


class AuditListView(PermissionRequiredMixin, ScopedListView):
    permission_required = "backoffice.view_audit"
    template_name = "backoffice/audit_list.html"
    filterset_class = AuditFilter
    selector = selectors.audit_list_visible_to

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object_list"] = audit.with_labels(ctx["object_list"])
        return ctx
