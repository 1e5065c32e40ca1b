"""Pages for enrolment. Views read through selectors and write through services only."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.audit import audit_record, timeline
from backoffice.config import get_setting
from backoffice.exceptions import DomainError
from backoffice.models import Role
from backoffice.views import ScopedListView, next_or
from backoffice.workflow import actions_for

from . import selectors, services
from .eligibility import integrity_record, teacher_refusals
from .exports import credits_xlsx, enrolments_xlsx
from .filters import CertificateFilter, CreditFilter, EnrolmentFilter, ExemptionFilter
from .forms import ApplyForm, ExemptionForm, ImportForm
from .imports import template_workbook
from .models import CertificateJob, ImportJob, ImportKind
from .tasks import run_certificate_job, run_import_job

GOV = {Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.CITY_STAFF, Role.COUNTY_STAFF,
       Role.AUDITOR}
READERS = GOV | {Role.SCHOOL_ADMIN, Role.INSTITUTION_STAFF}
IMPORTERS = {Role.COUNTY_STAFF, Role.CITY_STAFF, Role.SCHOOL_ADMIN}
TEACHER_IMPORTERS = IMPORTERS | {Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF}


def roles_required(roles):
    def deco(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not (request.user.is_superuser or request.user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return deco


class RoleListView(UserPassesTestMixin, ScopedListView):
    roles = READERS

    def test_func(self):
        user = self.request.user
        return user.is_superuser or user.role in self.roles


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


# -- projects and selection ----------------------------------------------------------------------------
@roles_required(READERS)
def project_list(request):
    projects = selectors.project_list_for_enrolment(user=request.user).order_by("start_date", "code")
    return render(request, "enrolment/project_list.html", {"projects": projects, "title": _("Enrolment")})


@roles_required(READERS)
def project_detail(request, pk):
    project = _project(request, pk)
    user = request.user
    qs = selectors.enrolment_list_visible_to(user=user).filter(project=project).order_by("submitted_at", "pk")
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    summary = selectors.project_enrolment_summary(user=user, project=project)
    taken = sum(n for s, n in summary["counts"].items() if s in {"selected", "publicised", "enrolled", "in_training",
                                                                   "completed", "not_completed", "dismissed", "no_show"})
    return render(request, "enrolment/project_detail.html", {
        "project": project, "page_obj": page, "summary": summary, "status": status, "taken": taken,
        "title": project.name, "import_form": ImportForm(), "apply_form": ApplyForm(),
        "can_import": user.role in IMPORTERS and project.status == "contracted",
        "can_select": user.role == Role.INSTITUTION_STAFF and project.institution_id == user.organisation_id,
        "can_publicise": user.role in {Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF},
        "can_screen": user.role in services.SCREENING_ROLES,
        "can_certify": (user.role == Role.INSTITUTION_STAFF and project.institution_id == user.organisation_id)
        or user.role in {Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF},
    })


@require_POST
@roles_required(READERS)
def project_bulk(request, pk):
    project = _project(request, pk)
    action = request.POST.get("action")
    try:
        if action == "select_in_order":
            counts = services.project_select_in_order(actor=request.user, project=project)
            messages.success(request, _("%(s)s selected, %(r)s on the reserve list.") % {"s": counts["selected"], "r": counts["reserve"]})
        elif action == "publicise":
            n = services.project_publicise(actor=request.user, project=project)
            messages.success(request, _("%(n)s selected applicants publicised.") % {"n": n})
        elif action == "enrol":
            n = services.project_enrol_publicised(actor=request.user, project=project)
            messages.success(request, _("%(n)s trainees enrolled.") % {"n": n})
        elif action == "reject_ineligible":
            n = services.applicants_reject_ineligible(actor=request.user, project=project)
            messages.success(request, _("%(n)s ineligible applicants rejected, each with the rule that failed.") % {"n": n})
        else:
            raise DomainError("unknown_action", _("This action is not available here."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("enrolment:project_detail", pk=project.pk)


@roles_required(READERS)
def project_export(request, pk):
    project = _project(request, pk)
    qs = selectors.enrolment_list_visible_to(user=request.user).filter(project=project).order_by("submitted_at", "pk")
    with transaction.atomic():
        audit_record(obj=project, actor=request.user, action="export", changes={"rows": (None, qs.count())})
    return _xlsx(enrolments_xlsx(qs), f"trainees-{project.code}.xlsx")


@require_POST
@roles_required(IMPORTERS)
def project_apply(request, pk):
    """One application entered by the school or county (the teacher must be in the registry, in their area)."""
    project = _project(request, pk)
    form = ApplyForm(request.POST)
    if form.is_valid():
        from backoffice.identity import normalise_id_number

        from backoffice.scoping import scope_for

        teacher = scope_for(request.user).teachers().filter(
            id_number=normalise_id_number(form.cleaned_data["id_number"])).first()
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
@roles_required(TEACHER_IMPORTERS)
def import_template(request, kind):
    if kind not in ImportKind.values:
        raise Http404
    return _xlsx(template_workbook(kind), f"template-{kind}.xlsx")


def _start_import(request, *, kind, project=None):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an .xlsx file."))
        return None
    upload = form.cleaned_data["file"]
    with transaction.atomic():
        job = ImportJob.objects.create(kind=kind, project=project, file=upload, original_name=upload.name,
                                       created_by=request.user)
        run_import_job.delay_on_commit(job.pk)
    return job


@require_POST
@roles_required(IMPORTERS)
def project_import(request, pk):
    project = _project(request, pk)
    job = _start_import(request, kind=ImportKind.APPLICANTS, project=project)
    if job is None:
        return redirect("enrolment:project_detail", pk=project.pk)
    return redirect("enrolment:import_job", pk=job.pk)


@roles_required(TEACHER_IMPORTERS)
def teacher_import(request):
    if request.method == "POST":
        job = _start_import(request, kind=ImportKind.TEACHERS)
        if job is not None:
            return redirect("enrolment:import_job", pk=job.pk)
    jobs = selectors.import_jobs_visible_to(user=request.user)[:20]
    return render(request, "enrolment/teacher_import.html", {"form": ImportForm(), "jobs": jobs,
                                                             "title": _("Import teachers")})


@login_required
def import_job(request, pk):
    job = get_object_or_404(selectors.import_jobs_visible_to(user=request.user), pk=pk)
    return render(request, "enrolment/import_job.html", {"job": job, "title": _("Import")})


@login_required
def import_job_status(request, pk):
    job = get_object_or_404(selectors.import_jobs_visible_to(user=request.user), pk=pk)
    return JsonResponse({"status": job.status, "progress": job.progress, "message": job.message,
                         "done": job.status in {"succeeded", "failed"}})


# -- enrolments ---------------------------------------------------------------------------------------
class EnrolmentListView(RoleListView):
    template_name = "enrolment/enrolment_list.html"
    filterset_class = EnrolmentFilter
    selector = selectors.enrolment_list_visible_to
    title = _("Trainee outcomes")


@roles_required(READERS)
def enrolment_detail(request, pk):
    try:
        enrolment = selectors.enrolment_get(user=request.user, pk=pk)
    except Exception as exc:
        raise Http404 from exc
    if request.method == "POST":
        try:
            services.enrolment_move(actor=request.user, enrolment=enrolment, name=request.POST.get("transition", ""),
                                    reason=request.POST.get("reason", ""))
            messages.success(request, _("Done."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("enrolment:enrolment_detail", pk=pk)
    refusals = []
    if enrolment.status in {"applied", "recommended"}:
        refusals = teacher_refusals(enrolment.project, enrolment.teacher)
    return render(request, "enrolment/enrolment_detail.html", {
        "e": enrolment, "actions": actions_for(enrolment, request.user), "events": timeline(enrolment),
        "refusals": refusals, "title": str(enrolment),
        "can_apply_exemption": request.user.role in IMPORTERS and enrolment.status in {"no_show", "dismissed", "not_completed"},
        "exemptions": enrolment.exemptions.all(),
    })


@roles_required(READERS | {Role.FINANCE_OFFICER})
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
class ExemptionListView(RoleListView):
    roles = GOV | {Role.SCHOOL_ADMIN}
    template_name = "enrolment/exemption_list.html"
    filterset_class = ExemptionFilter
    selector = selectors.exemption_list_visible_to
    title = _("Exemptions")


@roles_required(IMPORTERS)
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


@roles_required(GOV | {Role.SCHOOL_ADMIN})
def exemption_detail(request, pk):
    exemption = get_object_or_404(selectors.exemption_list_visible_to(user=request.user), pk=pk)
    if request.method == "POST":
        try:
            services.exemption_move(actor=request.user, exemption=exemption, name=request.POST.get("transition", ""),
                                    reason=request.POST.get("reason", ""))
            messages.success(request, _("Done."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("enrolment:exemption_detail", pk=pk)
    return render(request, "enrolment/exemption_detail.html", {
        "x": exemption, "actions": actions_for(exemption, request.user), "events": timeline(exemption),
        "title": str(exemption)})


@roles_required(GOV | {Role.SCHOOL_ADMIN})
def exemption_evidence(request, pk):
    exemption = get_object_or_404(selectors.exemption_list_visible_to(user=request.user), pk=pk)
    return FileResponse(exemption.evidence.open("rb"), as_attachment=True,
                        filename=exemption.evidence.name.rsplit("/", 1)[-1])


# -- credit hours (R40-R42) ---------------------------------------------------------------------------
class CreditListView(RoleListView):
    template_name = "enrolment/credit_list.html"
    filterset_class = CreditFilter
    selector = selectors.credit_list_visible_to
    title = _("Credit hours")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [(c, actions_for(c, self.request.user)) for c in ctx["object_list"]]
        ctx["year"] = timezone.localdate().year
        return ctx


@require_POST
@roles_required(READERS)
def credit_move(request, pk):
    credit = get_object_or_404(selectors.credit_list_visible_to(user=request.user), pk=pk)
    hours = (request.POST.get("hours") or "").strip()
    if hours and not hours.isdecimal():
        messages.error(request, _("Enter the hours as a whole number."))
        return redirect(next_or(request, "enrolment:credit_list"))
    try:
        services.credit_move(actor=request.user, credit=credit, name=request.POST.get("transition", ""),
                             reason=request.POST.get("reason", ""), hours=int(hours) if hours else None)
        messages.success(request, _("Done."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(next_or(request, "enrolment:credit_list"))


@roles_required(READERS)
def credit_export(request):
    year = request.GET.get("year")
    qs = selectors.credit_export_rows(user=request.user, year=int(year) if year and year.isdecimal() else None)
    per_credit = get_setting("credit.hours_per_credit", region=getattr(request.user.organisation, "region", None))
    with transaction.atomic():
        audit_record(obj=request.user, actor=request.user, action="export",
                     changes={"credit_rows": (None, qs.count()), "year": (None, year or "")})
    return _xlsx(credits_xlsx(qs, user=request.user, per_credit=per_credit), f"credit-hours-{year or 'all'}.xlsx")


# -- certificates (R43-R45) ---------------------------------------------------------------------------
class CertificateListView(RoleListView):
    template_name = "enrolment/certificate_list.html"
    filterset_class = CertificateFilter
    selector = selectors.certificate_list_visible_to
    title = _("Certificates")


@require_POST
@roles_required({Role.INSTITUTION_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF})
def certificate_batch(request, pk):
    project = _project(request, pk)
    with transaction.atomic():
        job = CertificateJob.objects.create(project=project, created_by=request.user)
        run_certificate_job.delay_on_commit(job.pk)
    return redirect("enrolment:certificate_job", pk=job.pk)


@login_required
def certificate_job(request, pk):
    job = get_object_or_404(selectors.certificate_jobs_visible_to(user=request.user), pk=pk)
    return render(request, "enrolment/certificate_job.html", {"job": job, "title": _("Certificates")})


@login_required
def certificate_job_status(request, pk):
    job = get_object_or_404(selectors.certificate_jobs_visible_to(user=request.user), pk=pk)
    return JsonResponse({"status": job.status, "progress": job.progress, "message": job.message,
                         "done": job.status in {"succeeded", "failed"}})


@login_required
def certificate_job_file(request, pk):
    job = get_object_or_404(selectors.certificate_jobs_visible_to(user=request.user), pk=pk)
    if not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"certificates-{job.project.code}.pdf")


@roles_required(READERS)
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
