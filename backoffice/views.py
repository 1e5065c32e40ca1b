from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponseServerError, JsonResponse
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.contrib.auth.decorators import login_required
from django_filters.views import FilterView

from backoffice import audit, deadlines, selectors
from backoffice.files import protected_download, protected_file_response
from backoffice.filters import AuditFilter, OrganisationFilter, TeacherFilter
from backoffice.navigation import panels_for
from backoffice.pagination import CappedPaginator


def next_or(request, url_name: str) -> str:
    """The page the form came from, only if it is on this site (no open redirect through `next`)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse(url_name)


class ScopedListView(LoginRequiredMixin, FilterView):
    """List page convention: a selector gives the user's rows, django-filter narrows them, 50 a page, the count
    capped (backoffice.pagination)."""

    paginate_by = settings.LIST_PAGE_SIZE
    paginator_class = CappedPaginator
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
    selector = selectors.audit_page_visible_to

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object_list"] = audit.with_labels(ctx["object_list"])
        return ctx


AUDIT_FILTERS = ("q", "action", "since", "until", "content_type")


@require_POST
@login_required
def audit_export(request):
    """The audit page's events, with its filters, as a workbook written by a background job."""
    if not request.user.has_perm("backoffice.view_audit"):
        raise PermissionDenied
    return start_export(request, kind="backoffice.audit",
                        params={k: request.POST.get(k, "").strip() for k in AUDIT_FILTERS})


@login_required
def notice_list(request):
    """R4: the person's reminders, newest first; opening the page does not mark them read, the button does."""
    page = Paginator(deadlines.notice_list_for(user=request.user), settings.LIST_PAGE_SIZE).get_page(
        request.GET.get("page"))
    for notice in page:
        kind = deadlines.DEADLINES.get(notice.kind)
        notice.label, notice.all_day = (kind.label, kind.all_day) if kind else (notice.kind, False)
    return render(request, "backoffice/notice_list.html", {
        "title": _("Notices"), "page_obj": page, "is_paginated": page.has_other_pages()})


@login_required
@require_POST
def notices_read(request):
    deadlines.notices_mark_read(actor=request.user)
    return redirect("notice_list")


@login_required
@permission_required("backoffice.view_overdue", raise_exception=True)
def overdue_list(request):
    """R4: everything overdue in the user's region, whoever must act."""
    page = Paginator(deadlines.overdue_in(user=request.user), settings.LIST_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "backoffice/overdue_list.html", {
        "title": _("Overdue in my region"), "page_obj": page, "items": page.object_list,
        "is_paginated": page.has_other_pages()})


def permission_denied(request, exception=None):
    """403 in the user's language (Django's default page is an English one-liner)."""
    return render(request, "backoffice/error.html", {
        "title": _("Access denied"),
        "message": _("Your role or region does not allow you to open this page."),
    }, status=403)


def page_not_found(request, exception=None):
    return render(request, "backoffice/error.html", {
        "title": _("Page not found"),
        "message": _("This page does not exist, or it is outside what your role and region may see."),
    }, status=404)


def server_error(request):
    # No request context: the database or a context processor may be what failed.
    return HttpResponseServerError(loader.get_template("backoffice/error_500.html").render())


def job_status(job):
    """What a job page polls for its progress bar (static/js/job-progress.js)."""
    return JsonResponse({"status": job.status, "progress": job.progress, "message": job.message,
                         "done": job.status in {"succeeded", "failed"}})


def job_pages(selector, template: str, title, *, guard=login_required, context=None):
    """A job's page and the JSON its progress bar polls, for the jobs `selector` shows the user (their own).
    The page is titled with the job's own title where it has one, else `title`; `context(job)` adds what the
    page needs besides."""

    @guard
    def page(request, pk):
        job = get_object_or_404(selector(user=request.user), pk=pk)
        return render(request, template, {"job": job, "title": getattr(job, "title", "") or title,
                                          **(context(job) if context else {})})

    @guard
    def status(request, pk):
        return job_status(get_object_or_404(selector(user=request.user), pk=pk))

    return page, status


export_job, export_job_status = job_pages(selectors.export_jobs_visible_to, "backoffice/export_job.html",
                                          gettext_lazy("Export"))


@protected_download
def export_job_file(request, pk):
    job = get_object_or_404(selectors.export_jobs_visible_to(user=request.user), pk=pk)
    return protected_file_response(
        job.file, filename=job.filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


batch_job, batch_job_status = job_pages(selectors.batch_jobs_visible_to, "backoffice/batch_job.html",
                                        gettext_lazy("Documents"))


@protected_download
def batch_job_file(request, pk):
    job = get_object_or_404(selectors.batch_jobs_visible_to(user=request.user), pk=pk)
    return protected_file_response(job.file, filename=job.filename, content_type="application/zip")


def start_batch(request, *, kind: str, params: dict | None = None):
    """The answer to a batch button: the job's page, or back with the Chinese reason it was refused."""
    from django.contrib import messages

    from backoffice.batches import batch_job_start
    from backoffice.exceptions import DomainError

    try:
        job = batch_job_start(actor=request.user, kind=kind, params=params)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(next_or(request, "dashboard"))
    if job.queued is False:  # the broker was unreachable; the sweep queues the job again
        messages.warning(request, job.message or _("The documents will be drawn when the background service is "
                                                   "back."))
    return redirect("batch_job", pk=job.pk)


def start_export(request, *, kind: str, params: dict | None = None):
    """The answer to an export button: the job's page, or back with the Chinese reason it was refused."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from backoffice.exceptions import DomainError
    from backoffice.exports import export_job_start

    try:
        job = export_job_start(actor=request.user, kind=kind, params=params)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(next_or(request, "dashboard"))
    if job.queued is False:  # the broker was unreachable; the sweep queues the job again
        messages.warning(request, job.message or _("The export will start when the background service is back."))
    return redirect("export_job", pk=job.pk)
