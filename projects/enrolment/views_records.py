"""Enrolment pages for the records kept after selection: exemptions (R35), credit hours (R40-R42) and certificates
(R43-R45). Same rules as views.py: selectors to read, services to write, the door for transitions."""
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.audit import timeline
from backoffice.exceptions import DomainError
from backoffice.files import protected_download, protected_file_response
from backoffice.selectors import visible_or_404
from backoffice.transitions import TransitionView, page_actions
from backoffice.views import job_pages, start_export

from . import actions, selectors, services
from .filters import CertificateFilter, CreditFilter, ExemptionFilter
from .forms import ExemptionForm
from .views import VIEW, PermListView, _job_queued_message, _project, perm_required


# -- exemptions (R35) ---------------------------------------------------------------------------------
class ExemptionListView(PermListView):
    permission_required = "enrolment.view_exemption"
    template_name = "enrolment/exemption_list.html"
    filterset_class = ExemptionFilter
    selector = selectors.exemption_list_visible_to
    title = gettext_lazy("Exemptions")


@perm_required("enrolment.apply_enrolment")
def exemption_apply(request, pk):
    enrolment = visible_or_404(selectors.enrolment_get, user=request.user, pk=pk)
    form = ExemptionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            exemption = services.exemption_apply(actor=request.user, enrolment=enrolment, **form.cleaned_data)
            messages.success(request, _("Exemption applied for; the county recommends it and the province decides."))
            return redirect("enrolment:exemption_detail", pk=exemption.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "enrolment/exemption_form.html", {"form": form, "e": enrolment,
                                                             "title": _("Apply for an exemption")})


class ExemptionDetailView(PermissionRequiredMixin, TransitionView):
    """The exemption's page (GET) and its transition door (POST, same URL)."""

    http_method_names = ["get", "post"]
    permission_required = "enrolment.view_exemption"
    doors = actions.EXEMPTION_DOORS
    detail_url_name = "enrolment:exemption_detail"

    selector = selectors.exemption_list_visible_to

    def get(self, request, pk):
        exemption = self.get_object()
        return render(request, "enrolment/exemption_detail.html", {
            "x": exemption, "actions": page_actions(exemption, request.user, self.doors),
            "events": timeline(exemption), "title": str(exemption)})


@protected_download
@perm_required("enrolment.view_exemption")
def exemption_evidence(request, pk):
    exemption = get_object_or_404(selectors.exemption_list_visible_to(user=request.user), pk=pk)
    return protected_file_response(exemption.evidence,
                                   filename=exemption.evidence_name or exemption.evidence.name.rsplit("/", 1)[-1])


# -- credit hours (R40-R42) ---------------------------------------------------------------------------
class CreditListView(PermListView):
    template_name = "enrolment/credit_list.html"
    filterset_class = CreditFilter
    selector = selectors.credit_list_visible_to
    title = gettext_lazy("Credit hours")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [(c, page_actions(c, self.request.user, actions.CREDIT_DOORS)) for c in ctx["object_list"]]
        ctx["year"] = timezone.localdate().year
        return ctx


class CreditTransitionView(PermissionRequiredMixin, TransitionView):
    """A credit row's buttons on the list; back to the list (or the same-site page in `next`)."""

    permission_required = VIEW
    doors = actions.CREDIT_DOORS

    selector = selectors.credit_list_visible_to

    def get_success_url(self, obj) -> str:
        return reverse("enrolment:credit_list")


@require_POST
@perm_required(VIEW)
def credit_export(request):
    year = request.POST.get("year", "")
    return start_export(request, kind="enrolment.credits", params={"year": year if year.isdecimal() else ""})


# -- certificates (R43-R45) ---------------------------------------------------------------------------
class CertificateListView(PermListView):
    template_name = "enrolment/certificate_list.html"
    filterset_class = CertificateFilter
    selector = selectors.certificate_list_visible_to
    title = gettext_lazy("Certificates")


@require_POST
@perm_required(VIEW)
def certificate_batch(request, pk):
    project = _project(request, pk)
    if not request.user.has_perm("enrolment.certify_project", project):
        raise PermissionDenied
    try:
        job = services.certificate_job_start(actor=request.user, project=project,
                                             output=request.POST.get("output") or "pdf")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("enrolment:project_detail", pk=project.pk)
    _job_queued_message(request, job)
    return redirect("enrolment:certificate_job", pk=job.pk)


certificate_job, certificate_job_status = job_pages(
    selectors.certificate_jobs_visible_to, "enrolment/certificate_job.html", gettext_lazy("Certificates"))


@protected_download
def certificate_job_file(request, pk):
    job = get_object_or_404(selectors.certificate_jobs_visible_to(user=request.user), pk=pk)
    if job.output == "zip":
        return protected_file_response(job.file, filename=f"certificates-{job.project.code}.zip",
                                       content_type="application/zip")
    return protected_file_response(job.file, filename=f"certificates-{job.project.code}.pdf",
                                   content_type="application/pdf")


@perm_required(VIEW)
def certificate_pdf(request, pk):
    from .documents import certificates_pdf

    cert = get_object_or_404(selectors.certificate_list_visible_to(user=request.user)
                             .select_related("enrolment__project__plan"), pk=pk)
    response = HttpResponse(certificates_pdf([cert]), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{cert.number}.pdf"'
    return response
