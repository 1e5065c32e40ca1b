"""Pages for enrolment. Views read through selectors, write through services and ask the `enrolment.*`
permissions (projects/enrolment/permissions.py); transitions go through the door (backoffice.transitions)."""
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.audit import timeline
from backoffice.config import get_setting
from backoffice.exceptions import DomainError
from backoffice.files import protected_download, protected_file_response
from backoffice.pagination import CappedPaginator
from backoffice.selectors import visible_or_404
from backoffice.transitions import TransitionView, page_actions
from backoffice.views import ScopedListView, job_pages, start_export

from . import actions, selectors, services
from .eligibility import integrity_record
from .filters import EnrolmentFilter
from .forms import ApplyForm, ImportForm
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
    return visible_or_404(selectors.project_list_for_enrolment, user=request.user, pk=pk)


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
def whole_staff(request, pk):
    """R49: the preview (how many, who is left out and why) and the one-step enrolment of all the teachers."""
    from . import whole_staff as ws

    project = _project(request, pk)
    if not request.user.has_perm("enrolment.enrol_whole_staff", project):
        raise PermissionDenied
    if request.method == "POST":
        try:
            added = ws.whole_staff_enrol(actor=request.user, project=project)
            messages.success(request, _("%(n)s teachers enrolled in the whole-staff training.") % {"n": added})
            return redirect("enrolment:project_detail", pk=project.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    try:
        preview = ws.whole_staff_preview(actor=request.user, project=project)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("enrolment:project_detail", pk=project.pk)
    return render(request, "enrolment/whole_staff.html", {
        "project": project, "preview": preview, "title": _("Whole-staff enrolment")})


@perm_required(VIEW)
def project_export(request, pk):
    """The project's trainees as a workbook, written by a background job (issue 13: a whole-staff project
    passes 10,000 trainees)."""
    project = _project(request, pk)
    return start_export(request, kind="enrolment.project_trainees", params={"project": project.pk})


@require_POST
@perm_required(VIEW)
def trainee_export(request):
    """Every trainee on the list, with the list's filters, as a workbook written by a background job."""
    params = {k: request.POST.get(k, "").strip() for k in ("q", "status", "project")}
    return start_export(request, kind="enrolment.trainees", params=params)


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


def uploaded_file(selector):
    """The view giving a job's uploaded file back to the person who uploaded it (it holds ID numbers)."""

    @protected_download
    def download(request, pk):
        job = get_object_or_404(selector(user=request.user), pk=pk)
        return protected_file_response(job.file, filename=job.original_name or job.file.name.rsplit("/", 1)[-1])

    return download


import_job, import_job_status = job_pages(selectors.import_jobs_visible_to, "enrolment/import_job.html",
                                          gettext_lazy("Import"))
import_job_file = uploaded_file(selectors.import_jobs_visible_to)


from .outcomes.views import outcome_context  # noqa: E402 (the outcomes pages import this module)


# -- enrolments ---------------------------------------------------------------------------------------
class EnrolmentListView(PermListView):
    template_name = "enrolment/enrolment_list.html"
    filterset_class = EnrolmentFilter
    selector = selectors.trainee_list_visible_to
    title = gettext_lazy("Trainee outcomes")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["bulk_moves"] = actions.bulk_moves_for(self.request.user)
        ctx["reject_rules"] = list(services.REJECT_RULES.items())
        ctx["bulk_job_threshold"] = get_setting(services.BULK_JOB_THRESHOLD,
                                                region=getattr(self.request.user, "region", None))
        ctx["matching"] = ctx["paginator"].count if ctx.get("paginator") else len(ctx["object_list"])
        ctx["filter_query"] = self.request.GET.urlencode()
        return ctx


REFUSALS_SHOWN = 1000


@require_POST
@perm_required(VIEW)
def enrolment_bulk(request):
    """A bulk move on the trainee list: the rows ticked, or every row the list's filter matches (the filter is
    re-applied here, in the user's scope, so the selection is the filter and not a list of ids in the page).
    The result page reports each refused trainee with the reason."""
    from django.http import QueryDict

    name = request.POST.get("action", "")
    if name not in services.BULK_MOVES:
        raise Http404
    if not request.user.has_perm(f"enrolment.bulk_{name}_enrolment"):
        raise PermissionDenied
    query = QueryDict(request.POST.get("filter", ""))
    filterset = EnrolmentFilter(query, queryset=selectors.enrolment_list_visible_to(user=request.user))
    if not filterset.is_valid():
        # An invalid filter would match every row; refuse rather than act on more than the user saw.
        messages.error(request, _("The list's filter is not valid; nothing was done."))
        return redirect("enrolment:enrolment_list")
    queryset = filterset.qs
    if request.POST.get("scope") != "all":
        pks = [int(v) for v in request.POST.getlist("pk") if v.isdecimal()]
        if not pks:
            messages.error(request, _("Tick at least one trainee, or choose all that match the filter."))
            return redirect(f"{reverse('enrolment:enrolment_list')}?{query.urlencode()}")
        queryset = queryset.filter(pk__in=pks)
    elif services.bulk_runs_as_job(actor=request.user, queryset=queryset):
        # Past the threshold the move runs in the background, with a progress bar and a report per trainee.
        try:
            job = services.enrolments_bulk_job_start(
                actor=request.user, name=name, filter_query=query.urlencode(), reason=request.POST.get("reason", ""),
                rule=request.POST.get("rule", ""), by_ranking=request.POST.get("order") == "ranking")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(f"{reverse('enrolment:enrolment_list')}?{query.urlencode()}")
        _job_queued_message(request, job)
        return redirect("enrolment:bulk_job", pk=job.pk)
    try:
        result = services.enrolments_bulk(
            actor=request.user, queryset=queryset.order_by(), name=name, reason=request.POST.get("reason", ""),
            rule=request.POST.get("rule", ""), by_ranking=request.POST.get("order") == "ranking")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('enrolment:enrolment_list')}?{query.urlencode()}")
    refused_pks = list(result.refused)[:REFUSALS_SHOWN]
    names = {e.pk: e for e in selectors.enrolment_list_visible_to(user=request.user).filter(pk__in=refused_pks)}
    refused = [(names[pk], result.refused[pk]) for pk in refused_pks if pk in names]
    return render(request, "enrolment/bulk_result.html", {
        "title": _("Result of the bulk action"), "label": result.label, "done": len(result.done),
        "reserved": len(getattr(result, "reserved", []) or []), "refused": refused,
        "refused_total": len(result.refused), "back": f"{reverse('enrolment:enrolment_list')}?{query.urlencode()}",
    })


bulk_job, bulk_job_status = job_pages(
    selectors.bulk_jobs_visible_to, "enrolment/bulk_job.html", gettext_lazy("Result of the bulk action"),
    context=lambda job: {"back": f"{reverse('enrolment:enrolment_list')}?{job.filter}"})


@protected_download
def bulk_job_report(request, pk):
    """The report per trainee, to the person who started the action (it names trainees)."""
    job = get_object_or_404(selectors.bulk_jobs_visible_to(user=request.user).exclude(report=""), pk=pk)
    return protected_file_response(job.report, filename=f"bulk-{job.action}-{job.pk}.xlsx")


@require_POST
@perm_required(VIEW)
def enrolment_ranking(request, pk):
    """R32: the institution enters one applicant's ranking score by hand (empty clears it)."""
    from .ranking import parse_score, ranking_scores_set

    enrolment = visible_or_404(selectors.enrolment_get, user=request.user, pk=pk)
    if not request.user.has_perm("enrolment.select_project", enrolment.project):
        raise PermissionDenied
    try:
        score = parse_score(request.POST.get("score", ""))
        ranking_scores_set(actor=request.user, project=enrolment.project,
                           scores={enrolment.teacher.id_number: score})
        messages.success(request, _("The ranking score was saved."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("enrolment:enrolment_detail", pk=enrolment.pk)


@require_POST
@perm_required(VIEW)
def project_ranking(request, pk):
    """R32: the institution imports its ranking scores (身份证号, 评分) for the project's applicants."""
    from .ranking import ranking_scores_import

    project = _project(request, pk)
    if not request.user.has_perm("enrolment.select_project", project):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an Excel file."))
    else:
        try:
            n = ranking_scores_import(actor=request.user, project=project, data=upload.read())
            messages.success(request, _("%(n)s ranking scores recorded.") % {"n": n})
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("enrolment:project_detail", pk=project.pk)


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
            "admitted": enrolment.status in selectors.ADMITTED,
            **outcome_context(enrolment, request.user),
        })


@perm_required("enrolment.view_teacher")
def teacher_detail(request, pk):
    teacher = visible_or_404(selectors.teacher_get, user=request.user, pk=pk)
    today = timezone.localdate()
    return render(request, "enrolment/teacher_detail.html", {
        "teacher": teacher, "record": integrity_record(teacher, today=today),
        "enrolments": selectors.teacher_enrolments(teacher=teacher),
        "credits": selectors.teacher_credit_totals(teacher=teacher, year=today.year), "title": teacher.name,
    })


# -- admission notices (录取通知, R32) -----------------------------------------------------------------------
def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@perm_required(VIEW)
def admission_notices(request, pk):
    """Every admitted trainee of the project the user may read, one page each, as one PDF. A project's quota
    bounds the batch (a few hundred pages, well under a second), so it is built in the request."""
    from .documents import admission_notices_pdf

    project = _project(request, pk)
    enrolments = list(selectors.admitted_enrolments(user=request.user, project=project))
    if not enrolments:
        messages.error(request, _("No trainee of this project has been admitted yet: admission notices are issued "
                                  "once the publicity window has ended and the trainees are enrolled."))
        return redirect("enrolment:project_detail", pk=project.pk)
    return _pdf_response(admission_notices_pdf(enrolments), f"admission-notices-{project.code}.pdf")


@perm_required(VIEW)
def admission_notice(request, pk):
    from .documents import admission_notices_pdf

    enrolment = get_object_or_404(selectors.admitted_enrolments(user=request.user), pk=pk)
    return _pdf_response(admission_notices_pdf([enrolment]), f"admission-notice-{enrolment.pk}.pdf")
