"""Pages for enrolment. Views read through selectors, write through services and ask the `enrolment.*`
permissions (projects/enrolment/permissions.py); transitions go through the door (backoffice.transitions)."""
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.audit import timeline
from backoffice.exceptions import DomainError
from backoffice.files import protected_download, protected_file_response
from backoffice.pagination import CappedPaginator
from backoffice.transitions import TransitionView, page_actions
from backoffice.views import ScopedListView

from . import actions, selectors, services
from .eligibility import integrity_record
from .filters import CertificateFilter, CreditFilter, EnrolmentFilter, ExemptionFilter
from .forms import ApplyForm, ExemptionForm, ImportForm
from .imports import template_workbook
from .models import ImportKind

VIEW = "enrolment.view_enrolment"


def perm_required(perm):
    """Login, then the permission (no object): 403 for a role that has no business here."""
    def deco(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return deco


class PermListView(PermissionRequiredMixin, ScopedListView):
    permission_required = VIEW


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    # The name carries the project code, which is typed by users: quoted and RFC 5987-encoded when not ASCII.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _project(request, pk):
    try:
        return selectors.project_list_for_enrolment(user=request.user).get(pk=pk)
    except Exception as exc:
        raise Http404 from exc


def _job_queued_message(request, job):
    if job.queued is False:  # issue 11 #6: the broker was unreachable; the sweep queues the job again
        messages.warning(request, job.message)


# -- projects and selection ----------------------------------------------------------------------------
@perm_required(VIEW)
def project_list(request):
    # Paginated: a decade of a province's projects is a thousand rows (issue 13).
    page = CappedPaginator(selectors.project_list_for_enrolment(user=request.user).order_by("start_date", "code"),
                           settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enrolment/project_list.html", {"projects": page.object_list, "page_obj": page,
                                                           "title": _("Enrolment")})


@perm_required(VIEW)
def project_detail(request, pk):
    project = _project(request, pk)
    user = request.user
    qs = selectors.enrolment_list_visible_to(user=user).filter(project=project).order_by("submitted_at", "pk")
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    summary = selectors.project_enrolment_summary(user=user, project=project)
    return render(request, "enrolment/project_detail.html", {
        "project": project, "page_obj": page, "summary": summary, "status": status, "taken": summary["taken"],
        "title": project.name, "import_form": ImportForm(), "apply_form": ApplyForm(),
        "bulk_actions": actions.bulk_actions_for(project, user),
    })


@require_POST
@perm_required(VIEW)
def project_bulk(request, pk):
    project = _project(request, pk)
    bulk = actions.BULK_ACTIONS.get(request.POST.get("action", ""))
    if bulk is None:
        raise Http404
    if not request.user.has_perm(bulk.permission, project):
        raise PermissionDenied
    try:
        messages.success(request, bulk.run(project, request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("enrolment:project_detail", pk=project.pk)


@perm_required(VIEW)
def project_export(request, pk):
    project = _project(request, pk)
    return _xlsx(services.enrolments_export(actor=request.user, project=project), f"trainees-{project.code}.xlsx")


@require_POST
@perm_required("enrolment.apply_enrolment")
def project_apply(request, pk):
    """One application entered by the school or county (the teacher must be in the registry, in their area)."""
    project = _project(request, pk)
    form = ApplyForm(request.POST)
    if form.is_valid():
        teacher = selectors.teacher_by_id_number(user=request.user, id_number=form.cleaned_data["id_number"])
        if teacher is None:
            messages.error(request, _("No teacher with this ID number in your area; import them first."))
        else:
            try:
                services.enrolment_apply(actor=request.user, project=project, teacher=teacher,
                                         nominated_by=form.cleaned_data["nominated_by"])
                messages.success(request, _("%(name)s applied.") % {"name": teacher.name})
            except DomainError as exc:
                messages.error(request, exc.message)
    return redirect("enrolment:project_detail", pk=project.pk)


# -- imports ------------------------------------------------------------------------------------------
@perm_required("enrolment.import_teacher")
def import_template(request, kind):
    if kind not in ImportKind.values:
        raise Http404
    return _xlsx(template_workbook(kind), f"template-{kind}.xlsx")


def _start_import(request, *, kind, project=None):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        # The size limit's own message when that is why; otherwise no file was chosen.
        errors = form.errors.get("file")
        messages.error(request, errors[0] if errors and request.FILES else _("Choose an .xlsx file."))
        return None
    try:
        job = services.import_job_start(actor=request.user, kind=kind, upload=form.cleaned_data["file"],
                                        project=project)
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    _job_queued_message(request, job)
    return job


@require_POST
@perm_required("enrolment.apply_enrolment")
def project_import(request, pk):
    project = _project(request, pk)
    job = _start_import(request, kind=ImportKind.APPLICANTS, project=project)
    if job is None:
        return redirect("enrolment:project_detail", pk=project.pk)
    return redirect("enrolment:import_job", pk=job.pk)


@perm_required("enrolment.import_teacher")
def teacher_import(request):
    if request.method == "POST":
        job = _start_import(request, kind=ImportKind.TEACHERS)
        if job is not None:
            return redirect("enrolment:import_job", pk=job.pk)
    jobs = selectors.import_jobs_visible_to(user=request.user)[:20]
    return render(request, "enrolment/teacher_import.html", {"form": ImportForm(), "jobs": jobs,
                                                             "title": _("Import teachers")})


def _job_status(job):
    """What the job page polls for its progress bar (static/js/job-progress.js)."""
    return JsonResponse({"status": job.status, "progress": job.progress, "message": job.message,
                         "done": job.status in {"succeeded", "failed"}})


@login_required
def import_job(request, pk):
    job = get_object_or_404(selectors.import_jobs_visible_to(user=request.user), pk=pk)
    return render(request, "enrolment/import_job.html", {"job": job, "title": _("Import")})


@login_required
def import_job_status(request, pk):
    return _job_status(get_object_or_404(selectors.import_jobs_visible_to(user=request.user), pk=pk))


@protected_download
def import_job_file(request, pk):
    """The uploaded workbook, back to the person who uploaded it (it holds ID numbers)."""
    job = get_object_or_404(selectors.import_jobs_visible_to(user=request.user), pk=pk)
    return protected_file_response(job.file, filename=job.original_name or job.file.name.rsplit("/", 1)[-1])


from .outcomes.views import outcome_context  # noqa: E402 (the outcomes pages import this module)


# -- enrolments ---------------------------------------------------------------------------------------
class EnrolmentListView(PermListView):
    template_name = "enrolment/enrolment_list.html"
    filterset_class = EnrolmentFilter
    selector = selectors.trainee_list_visible_to
    title = _("Trainee outcomes")


class EnrolmentDetailView(PermissionRequiredMixin, TransitionView):
    """The trainee's page (GET) and its transition door (POST, same URL)."""

    http_method_names = ["get", "post"]
    permission_required = VIEW
    doors = actions.ENROLMENT_DOORS
    detail_url_name = "enrolment:enrolment_detail"

    selector = selectors.enrolment_get

    def get(self, request, pk):
        enrolment = self.get_object()
        return render(request, "enrolment/enrolment_detail.html", {
            "e": enrolment, "actions": page_actions(enrolment, request.user, self.doors),
            "events": timeline(enrolment), "refusals": selectors.enrolment_refusals(enrolment=enrolment),
            "title": str(enrolment), "exemptions": selectors.enrolment_exemptions(enrolment=enrolment),
            **outcome_context(enrolment, request.user),
        })


@perm_required("enrolment.view_teacher")
def teacher_detail(request, pk):
    try:
        teacher = selectors.teacher_get(user=request.user, pk=pk)
    except Exception as exc:
        raise Http404 from exc
    today = timezone.localdate()
    return render(request, "enrolment/teacher_detail.html", {
        "teacher": teacher, "record": integrity_record(teacher, today=today),
        "enrolments": selectors.teacher_enrolments(teacher=teacher),
        "credits": selectors.teacher_credit_totals(teacher=teacher, year=today.year), "title": teacher.name,
    })


# -- exemptions (R35) ---------------------------------------------------------------------------------
class ExemptionListView(PermListView):
    permission_required = "enrolment.view_exemption"
    template_name = "enrolment/exemption_list.html"
    filterset_class = ExemptionFilter
    selector = selectors.exemption_list_visible_to
    title = _("Exemptions")


@perm_required("enrolment.apply_enrolment")
def exemption_apply(request, pk):
    try:
        enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    except Exception as exc:
        raise Http404 from exc
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
    title = _("Credit hours")

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


@perm_required(VIEW)
def credit_export(request):
    year = request.GET.get("year")
    year = int(year) if year and year.isdecimal() else None
    return _xlsx(services.credits_export(actor=request.user, year=year), f"credit-hours-{year or 'all'}.xlsx")


# -- certificates (R43-R45) ---------------------------------------------------------------------------
class CertificateListView(PermListView):
    template_name = "enrolment/certificate_list.html"
    filterset_class = CertificateFilter
    selector = selectors.certificate_list_visible_to
    title = _("Certificates")


@require_POST
@perm_required(VIEW)
def certificate_batch(request, pk):
    project = _project(request, pk)
    if not request.user.has_perm("enrolment.certify_project", project):
        raise PermissionDenied
    job = services.certificate_job_start(actor=request.user, project=project)
    _job_queued_message(request, job)
    return redirect("enrolment:certificate_job", pk=job.pk)


@login_required
def certificate_job(request, pk):
    job = get_object_or_404(selectors.certificate_jobs_visible_to(user=request.user), pk=pk)
    return render(request, "enrolment/certificate_job.html", {"job": job, "title": _("Certificates")})


@login_required
def certificate_job_status(request, pk):
    return _job_status(get_object_or_404(selectors.certificate_jobs_visible_to(user=request.user), pk=pk))


@protected_download
def certificate_job_file(request, pk):
    job = get_object_or_404(selectors.certificate_jobs_visible_to(user=request.user), pk=pk)
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


def certificate_verify(request):
    """R44: public, no login; name, project, hours and validity - never the full ID number."""
    number, code = request.GET.get("number", ""), request.GET.get("code", "")
    cert = selectors.certificate_verify(number=number, code=code) if number or code else None
    return render(request, "enrolment/verify.html", {
        "cert": cert, "searched": bool(number or code), "number": number, "code": code,
        "title": _("Verify a certificate")})
