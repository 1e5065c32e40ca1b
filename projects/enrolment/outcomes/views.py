"""Pages for completion schemes, learning records and outcomes (R46-R48). Reads through selectors, writes through
services, permissions asked by name; scheme moves through the transition door."""
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.audit import timeline
from backoffice.exceptions import DomainError
from backoffice.forms import Form
from backoffice.spreadsheets import upload_within_limit
from backoffice.transitions import TransitionView, page_actions
from backoffice.views import job_pages

from .. import selectors as enrolment_selectors
from ..views import VIEW, _project, perm_required, uploaded_file
from . import actions, explain, ingest, selectors, services
from .models import IndicatorKind, OutcomeStatus, Proposed


class RecordsUploadForm(Form):
    file = forms.FileField(label=gettext_lazy("Learning records (.csv or .xlsx)"))
    source = forms.CharField(label=gettext_lazy("Source platform"), max_length=64)
    valid_only = forms.BooleanField(label=gettext_lazy("Import the valid rows and report the others"),
                                    required=False)

    def clean_file(self):
        return upload_within_limit(self.cleaned_data["file"])


def _filtered(request, qs):
    final = request.GET.get("outcome", "")
    if final in Proposed.values:
        from django.db.models import Q

        qs = qs.filter(Q(override=final) | (Q(override="") & Q(proposed=final)))
    status = request.GET.get("status", "")
    if status in OutcomeStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("overridden"):
        qs = qs.exclude(override="")
    county = request.GET.get("county", "")
    if county.isdigit():
        qs = qs.filter(enrolment__teacher__region__code=county)
    return qs.order_by("score", "enrolment__teacher__name", "pk")


@perm_required(VIEW)
def outcomes_page(request, pk):
    """R47-R48: upload, distribution, the filterable list and the one-action confirmation and audit."""
    project = _project(request, pk)
    user = request.user
    qs = _filtered(request, selectors.outcome_list_visible_to(user=user, project=project))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    summary = selectors.outcome_summary(user=user, project=project)
    can_audit = user.has_perm("enrolment.audit_outcomes", project)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enrolment/outcomes.html", {
        "project": project, "page_obj": page, "summary": summary, "title": _("Learning records and outcomes"),
        "scheme": selectors.scheme_in_force(project), "upload_form": RecordsUploadForm(),
        "can_upload": user.has_perm("enrolment.ingest_records", project),
        "can_confirm": user.has_perm("enrolment.confirm_outcomes", project),
        "can_audit": can_audit, "can_certify": user.has_perm("enrolment.certify_project", project),
        "sample": selectors.audit_sample(user=user, project=project) if can_audit else [],
        "outcome_choices": Proposed.choices, "status_choices": OutcomeStatus.choices,
        "outcome_counts": [(label, summary["counts"].get(value, 0)) for value, label in Proposed.choices],
        "filters": request.GET, "querystring": query.urlencode(),
        "jobs": selectors.learning_record_jobs_visible_to(user=user).filter(project=project)[:5],
    })


def _require(request, perm, project):
    if not request.user.has_perm(perm, project):
        raise PermissionDenied


@require_POST
@perm_required(VIEW)
def outcomes_compute(request, pk):
    project = _project(request, pk)
    _require(request, "enrolment.confirm_outcomes", project)
    try:
        n = services.outcomes_compute(actor=request.user, project=project)
        messages.success(request, _("Outcomes computed for %(n)s trainees.") % {"n": n})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("enrolment:outcomes", pk=project.pk)


def _bulk_message(result, done_text):
    text = done_text % {"n": len(result.done)}
    if result.refused:
        text += " " + _("%(n)s refused: %(why)s") % {"n": len(result.refused), "why": "；".join(
            sorted({msg for found in result.refused.values() for _c, msg in found})[:3])}
    return text


def _outcomes_move(perm: str, service: str, done):
    """A move on all of a project's outcomes at once (confirm, audit), from the outcomes page."""

    @require_POST
    @perm_required(VIEW)
    def move(request, pk):
        project = _project(request, pk)
        _require(request, perm, project)
        try:
            result = getattr(services, service)(actor=request.user, project=project)
            messages.success(request, _bulk_message(result, str(done)))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("enrolment:outcomes", pk=project.pk)

    return move


outcomes_confirm = _outcomes_move("enrolment.confirm_outcomes", "outcomes_confirm",
                                  gettext_lazy("%(n)s outcomes confirmed; the counties audit them next."))
outcomes_audit = _outcomes_move("enrolment.audit_outcomes", "outcomes_audit",
                                gettext_lazy("%(n)s outcomes audited; the completers' hours now count."))


@require_POST
@perm_required(VIEW)
def outcome_override(request, pk):
    """One trainee's outcome set against the computation, with a reason (R48)."""
    enrolment = get_object_or_404(enrolment_selectors.enrolment_list_visible_to(user=request.user), pk=pk)
    outcome = getattr(enrolment, "computed_outcome", None)
    if outcome is None:
        raise Http404
    try:
        services.outcome_override(actor=request.user, outcome=outcome, value=request.POST.get("override", ""),
                                  reason=request.POST.get("reason", ""))
        messages.success(request, _("The outcome was set with your reason; the county sees it."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("enrolment:enrolment_detail", pk=enrolment.pk)


@require_POST
@perm_required(VIEW)
def outcome_return(request, pk):
    """The county returns one confirmed outcome to the institution with a reason (R48)."""
    from backoffice.workflow import fire

    enrolment = get_object_or_404(enrolment_selectors.enrolment_list_visible_to(user=request.user), pk=pk)
    outcome = getattr(enrolment, "computed_outcome", None)
    if outcome is None:
        raise Http404
    try:
        fire(type(outcome), outcome.pk, name="return_", actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("The outcome was returned to the institution with your reason."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("enrolment:enrolment_detail", pk=enrolment.pk)


def outcome_context(enrolment, user) -> dict:
    """What the trainee's page shows of the computed outcome: figures and the reason in a sentence."""
    outcome = getattr(enrolment, "computed_outcome", None)
    if outcome is None:
        return {}
    from backoffice.workflow import refusals

    return {"outcome": outcome, "outcome_figures": explain.figures(outcome),
            "outcome_reason": explain.reason_sentence(outcome), "outcome_choices": Proposed.choices,
            "can_override": outcome.status in ("proposed", "returned") and not refusals(outcome, "confirm", user),
            "can_return": outcome.status == "confirmed" and not refusals(outcome, "return_", user)}


# -- uploads ------------------------------------------------------------------------------------------------------
@require_POST
@perm_required(VIEW)
def records_upload(request, pk):
    project = _project(request, pk)
    _require(request, "enrolment.ingest_records", project)
    form = RecordsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, errors[0] if errors else _("Choose a .csv or .xlsx file."))
        return redirect("enrolment:outcomes", pk=project.pk)
    try:
        job = services.learning_record_job_start(actor=request.user, project=project, upload=form.cleaned_data["file"],
                                                 source=form.cleaned_data["source"],
                                                 valid_only=form.cleaned_data["valid_only"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("enrolment:outcomes", pk=project.pk)
    if job.queued is False:
        messages.warning(request, job.message)
    return redirect("enrolment:records_job", pk=job.pk)


@perm_required(VIEW)
def records_template(request, pk, fmt):
    project = _project(request, pk)
    _require(request, "enrolment.ingest_records", project)
    if fmt == "csv":
        response = HttpResponse(ingest.template_csv(project), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(ingest.template_workbook(project),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"learning-records-{project.code}.{fmt}")
    return response


records_job, records_job_status = job_pages(
    selectors.learning_record_jobs_visible_to, "enrolment/records_job.html", gettext_lazy("Learning records upload"),
    guard=perm_required(VIEW))
records_job_file = uploaded_file(selectors.learning_record_jobs_visible_to)


# -- the completion scheme (R46) -----------------------------------------------------------------------------------
class SchemeView(PermissionRequiredMixin, TransitionView):
    """A scheme version's page (GET), its edit form (POST action=edit) and its transition door (POST)."""

    http_method_names = ("get", "post")
    permission_required = VIEW
    doors = actions.SCHEME_DOORS
    detail_url_name = "enrolment:scheme"
    selector = selectors.scheme_get

    def get(self, request, pk):
        scheme = self.get_object()
        indicators = {i.kind: i for i in scheme.indicators.all()}
        rows = [{"kind": kind, "label": label, "ind": indicators.get(kind)} for kind, label in IndicatorKind.choices]
        return render(request, "enrolment/scheme.html", {
            "scheme": scheme, "project": scheme.project, "rows": rows,
            "actions": page_actions(scheme, request.user, self.doors), "events": timeline(scheme),
            "versions": selectors.scheme_versions(scheme.project),
            "can_edit": scheme.editable and request.user.has_perm("enrolment.edit_scheme", scheme.project),
            "can_new_version": scheme.status in ("approved", "superseded")
            and request.user.has_perm("enrolment.edit_scheme", scheme.project),
            "title": _("Completion scheme"),
        })

    def post(self, request, *args, **kwargs):
        if request.POST.get("transition"):
            return super().post(request, *args, **kwargs)
        scheme = self.get_object()
        indicators = {kind: {"weight": request.POST.get(f"weight_{kind}", ""),
                             "target": request.POST.get(f"target_{kind}", ""),
                             "minimum_percent": request.POST.get(f"minimum_{kind}", "")}
                      for kind in IndicatorKind.values}
        try:
            services.scheme_update(actor=request.user, scheme=scheme, pass_line=request.POST.get("pass_line", ""),
                                   indicators=indicators)
            messages.success(request, _("The scheme was saved."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("enrolment:scheme", pk=scheme.pk)


@perm_required(VIEW)
def scheme_current(request, pk):
    """The project's scheme: the version in force (or the newest), or a new draft for the institution."""
    project = _project(request, pk)
    if request.method == "POST":
        _require(request, "enrolment.edit_scheme", project)
        try:
            scheme = services.scheme_draft(actor=request.user, project=project)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("enrolment:outcomes", pk=project.pk)
        return redirect("enrolment:scheme", pk=scheme.pk)
    scheme = selectors.scheme_versions(project).first()
    if scheme is None:
        return render(request, "enrolment/scheme.html", {"project": project, "scheme": None,
                                                         "title": _("Completion scheme"),
                                                         "can_draft": request.user.has_perm("enrolment.edit_scheme",
                                                                                            project)})
    return redirect("enrolment:scheme", pk=scheme.pk)
