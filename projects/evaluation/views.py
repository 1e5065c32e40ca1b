"""Pages for evaluations: list and detail (actions, assessors, tokens, scores, results, timeline), the public
anonymous survey page, the institution record, the province dashboard, indicator systems and the outputs.
Reads go through evaluation.selectors; writes call evaluation.services; DomainError messages are shown."""
import random
from decimal import Decimal

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from backoffice.audit import timeline
from backoffice.exceptions import DomainError
from backoffice.models import Organisation
from backoffice.transitions import TransitionView, page_actions
from backoffice.views import ScopedListView, start_batch
from backoffice.selectors import visible_or_404
from projects.enrolment import selectors as enrolment_selectors
from projects.models import Project, ProjectType
from projects.selectors import project_list_visible_to

from . import actions, charts, documents, scoring, selectors, services
from .models import DIMENSIONS, Evaluation, EvaluationStatus, Source

RATING_CHOICES = [(5, gettext_lazy("Very satisfied")), (4, gettext_lazy("Satisfied")),
                  (3, gettext_lazy("Fairly satisfied")), (2, gettext_lazy("Dissatisfied")),
                  (1, gettext_lazy("Very dissatisfied"))]


def _evaluation_or_404(user, pk) -> Evaluation:
    return visible_or_404(selectors.evaluation_detail_visible_to, user=user, pk=pk)


def _require(user, perm: str, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


# -- list ------------------------------------------------------------------------------------------------
class EvaluationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EvaluationStatus.choices, label=gettext_lazy("status"))
    year = django_filters.NumberFilter(field_name="project__plan__year", label=gettext_lazy("year"))
    project = django_filters.CharFilter(field_name="project__name", lookup_expr="icontains",
                                        label=gettext_lazy("project name"))

    class Meta:
        model = Evaluation
        fields = ["status", "year", "project"]


class EvaluationListView(ScopedListView):
    template_name = "evaluation/evaluation_list.html"
    filterset_class = EvaluationFilter
    selector = selectors.evaluation_list_visible_to
    title = gettext_lazy("Performance evaluations")

    def get(self, request, *args, **kwargs):
        _require(request.user, "evaluation.view_evaluations")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["awaiting"] = list(selectors.projects_awaiting_evaluation(user=self.request.user)
                               .select_related("institution")[:50])
        year = self.request.GET.get("year", "")
        # The link to the year's workbook: a typed year that is not a plain year falls back to this year.
        ctx["year"] = int(year) if year.isdecimal() and 1 <= int(year) <= 9999 else timezone.localdate().year
        ctx["staff_reader"] = self.request.user.has_perm("evaluation.view_evaluation_outputs")
        return ctx


evaluation_list = EvaluationListView.as_view()


@login_required
@require_POST
def evaluation_open(request, project_pk):
    try:
        project = project_list_visible_to(user=request.user).get(pk=project_pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    try:
        evaluation = services.evaluation_open(actor=request.user, project=project)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:evaluation_list")
    messages.success(request, _("Evaluation opened. Assign the assessors and issue the survey tokens."))
    return redirect("evaluation:evaluation_detail", pk=evaluation.pk)


# -- detail ----------------------------------------------------------------------------------------------
def _rows(evaluation, *, manage: bool):
    """The indicator rows shown, and the provisional total while scoring. A provisional total only once the
    survey is closed (R61: no differencing while answers arrive)."""
    live = scoring.breakdown(evaluation) if evaluation.status == EvaluationStatus.SCORING and manage else None
    labels = dict(Source.choices)
    rows = [{**row, "label": labels.get(row["source"], row["source"]), "score_display": scoring.display(row["score"]),
             "ratio_display": scoring.display(None if row["ratio"] is None else float(row["ratio"]) * 100, "0.1")}
            for row in (evaluation.breakdown or live or [])]
    return rows, (scoring.weighted_total(live) if live else None)


def _platform(project):
    """R63: the online platform's figures for the page, as percentages and hours; None for a project without an
    online part (an online project without records says so)."""
    if project.mode not in ("online", "blended"):
        return None
    figures = enrolment_selectors.platform_figures_cached(project)

    def pct(ratio):
        return None if ratio is None else scoring.display(ratio * 100, "0.1")

    weekly = [{"n": i + 1, "active": n, "pct": pct(Decimal(n) / figures.trainees) if figures.trainees else None}
              for i, n in enumerate(figures.weekly_active)] if figures.records else []
    return {"figures": figures, "learning_time": pct(figures.learning_time),
            "average_hours": scoring.display(figures.average_hours, "0.1"),
            "planned_hours": scoring.display(figures.planned_hours, "0.1"),
            "assignment_completion": pct(figures.assignment_completion),
            "required": scoring.display(figures.assignments_required, "1"),
            "weekly_activity": pct(figures.weekly_activity), "weekly": weekly}


@login_required
def evaluation_detail(request, pk):
    user = request.user
    _require(user, "evaluation.view_evaluations")
    evaluation = _evaluation_or_404(user, pk)
    manage = user.has_perm("evaluation.manage_evaluation", evaluation)
    survey = scoring.survey_summary(evaluation)
    show_results = selectors.results_visible_to(user=user, evaluation=evaluation)
    rows, preview_total = _rows(evaluation, manage=manage)
    labels = dict(Source.choices)
    assigning = manage and evaluation.status in (EvaluationStatus.OPENED, EvaluationStatus.COLLECTING)
    ctx = {
        "evaluation": evaluation, "project": evaluation.project, "title": str(evaluation),
        "record_visible": user.has_perm("evaluation.link_institution_record", evaluation),
        "manage": manage, "issue_tokens": assigning, "survey": survey, "show_results": show_results,
        "answers_visible": user.has_perm("evaluation.view_survey_answers", evaluation),
        "rows": rows, "preview_total": preview_total,
        "dimensions": [(d, charts.dimension_label(d), survey.means.get(d)) for d in DIMENSIONS],
        "satisfaction_chart": charts.satisfaction_svg([(d, charts.dimension_label(d), m)
                                                       for d, m in survey.means.items()]) if survey.shown else "",
        "assignments": selectors.assignments_of(evaluation=evaluation),
        "assessments": selectors.assessments_visible_to(user=user, evaluation=evaluation),
        "my_sources": [(s, labels[s]) for s in selectors.sources_to_score(user=user, evaluation=evaluation)],
        "experts": selectors.assignable_assessors(evaluation=evaluation, kind="expert") if assigning else [],
        "third_parties": selectors.assignable_assessors(evaluation=evaluation, kind="third_party") if assigning else [],
        "results": selectors.results_of(evaluation=evaluation) if show_results else [],
        "actions": page_actions(evaluation, user, actions.EVALUATION_DOORS),
        "action_url": reverse("evaluation:evaluation_action", args=[evaluation.pk]),
        "events": timeline(evaluation) if user.has_perm("evaluation.view_evaluation_history", evaluation) else [],
        "can_download": show_results and evaluation.total is not None,
        "platform": _platform(evaluation.project) if show_results else None,
    }
    return render(request, "evaluation/evaluation_detail.html", ctx)


class EvaluationTransitionView(TransitionView):
    doors = actions.EVALUATION_DOORS
    detail_url_name = "evaluation:evaluation_detail"

    selector = selectors.evaluation_detail_visible_to


evaluation_action = EvaluationTransitionView.as_view()


@login_required
@require_POST
def evaluation_assign(request, pk):
    evaluation = _evaluation_or_404(request.user, pk)
    _require(request.user, "evaluation.manage_evaluation", evaluation)
    kind = request.POST.get("kind", "")
    pk_text = request.POST.get("user", "")
    user = selectors.assessor_candidate(pk=int(pk_text)) if pk_text.isdecimal() else None
    if user is None:
        messages.error(request, _("Choose a person."))
    else:
        try:
            services.evaluation_assign(actor=request.user, evaluation=evaluation, user=user, kind=kind)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Assigned."))
    return redirect("evaluation:evaluation_detail", pk=pk)


@login_required
@require_POST
@never_cache
def evaluation_tokens(request, pk):
    """Issue the tokens and show them once, shuffled, with no names: the office hands one to each trainee."""
    evaluation = _evaluation_or_404(request.user, pk)
    _require(request.user, "evaluation.manage_evaluation", evaluation)
    try:
        tokens = services.survey_tokens_issue(actor=request.user, evaluation=evaluation)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:evaluation_detail", pk=pk)
    random.SystemRandom().shuffle(tokens)
    links = [request.build_absolute_uri(reverse("evaluation:survey", args=[t])) for t in tokens]
    return render(request, "evaluation/tokens.html", {"evaluation": evaluation, "links": links,
                                                      "title": _("Survey links")})


@login_required
@require_POST
def evaluation_score(request, pk):
    evaluation = _evaluation_or_404(request.user, pk)
    try:
        services.assessment_record(actor=request.user, evaluation=evaluation, source=request.POST.get("source", ""),
                                   score=request.POST.get("score", ""), comment=request.POST.get("comment", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Score saved."))
    return redirect("evaluation:evaluation_detail", pk=pk)


# -- outputs -----------------------------------------------------------------------------------------------
@login_required
def report_pdf(request, pk):
    _require(request.user, "evaluation.view_evaluations")
    evaluation = _evaluation_or_404(request.user, pk)
    if evaluation.total is None or not selectors.results_visible_to(user=request.user, evaluation=evaluation):
        raise Http404
    data = documents.evaluation_report_pdf(evaluation=evaluation)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"evaluation-{evaluation.project.code}.pdf")
    return response


@login_required
def responses_xlsx(request, pk):
    """The anonymous answers, shuffled (R61); only once the results may be shown, and never to assessors or
    the institution."""
    evaluation = _evaluation_or_404(request.user, pk)
    _require(request.user, "evaluation.view_survey_answers", evaluation)
    if not scoring.survey_summary(evaluation).shown:
        raise Http404
    data = documents.responses_xlsx(evaluation=evaluation)
    return _xlsx(data, f"survey-{evaluation.project.code}.xlsx")


@login_required
def year_xlsx(request, year):
    _require(request.user, "evaluation.view_evaluation_outputs")
    evaluations = selectors.evaluation_list_visible_to(user=request.user).filter(project__plan__year=year)
    return _xlsx(documents.year_xlsx(evaluations=evaluations, year=year), f"evaluations-{year}.xlsx")


@login_required
@require_POST
def year_reports(request, year):
    """Every graded evaluation report of the year, one zip drawn by the workers in parallel."""
    _require(request.user, "evaluation.view_evaluation_outputs")
    return start_batch(request, kind="evaluation.year_reports", params={"year": year})


def _xlsx(data, name):
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# -- public anonymous survey (R61) -------------------------------------------------------------------------
@never_cache
@csrf_protect
def survey(request, token):
    """No login, no session, nothing logged or audited: the answer is stored without the token or the time.
    Unknown and spent links answer 200 too, so django.request never writes the link into the error log."""
    row = services.survey_token_lookup(token=token)
    if row is None:  # unknown or spent: a spent token leaves no row (R61)
        return render(request, "evaluation/survey_done.html",
                      {"message": _("This survey link is not valid or has already been used.")})
    project = row.evaluation.project
    error = ""
    if request.method == "POST":
        try:
            services.survey_submit(token=token, answers={d: request.POST.get(d) for d in DIMENSIONS},
                                   comment=request.POST.get("comment", ""))
        except DomainError as exc:
            error = exc.message
        else:
            return render(request, "evaluation/survey_done.html",
                          {"message": _("Thank you. Your answer has been recorded anonymously.")})
    return render(request, "evaluation/survey.html", {
        "project": project, "open": row.evaluation.status == EvaluationStatus.COLLECTING, "error": error,
        "dimensions": [(d, charts.dimension_label(d)) for d in DIMENSIONS], "ratings": RATING_CHOICES,
        "title": _("Anonymous satisfaction survey"),
    })


# -- institution record, dashboard -------------------------------------------------------------------------
@login_required
def institution_record(request, pk):
    user = request.user
    _require(user, "evaluation.view_institution_records")
    try:
        # R2: another institution's record, or one outside the reader's region and projects, is not found.
        institution = selectors.institution_visible_to(user=user, pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
    results = selectors.institution_record(user=user, institution=institution)
    points = [(f"{res.evaluation.project.plan.year}", res.total) for res in results]
    return render(request, "evaluation/institution_record.html", {
        "institution": institution, "results": list(reversed(results)), "title": institution.name,
        "trend": charts.trend_svg(points) if points else "",
    })


@login_required
def dashboard(request):
    user = request.user
    _require(user, "evaluation.view_evaluation_outputs")
    published = selectors.published_results_visible_to(user=user)
    years = sorted(set(published.values_list("evaluation__project__plan__year", flat=True)), reverse=True)
    # The year asked for, else the latest year with a published evaluation: the page and its workbook show the
    # same year.
    year = _year_choice(request.GET.get("year"), default=years[0] if years else timezone.localdate().year)
    results = list(published.filter(evaluation__project__plan__year=year))
    region = user.region
    evaluation_ids = [res.evaluation_id for res in results]
    ranking = charts.institution_ranking(results)
    satisfaction = charts.satisfaction_by_dimension(evaluations=evaluation_ids, region=region)
    return render(request, "evaluation/dashboard.html", {
        "title": _("Evaluation dashboard"), "count": len(results),
        "grades": charts.grade_distribution_svg(charts.grade_distribution(results)),
        "satisfaction": charts.satisfaction_svg(satisfaction) if satisfaction else "",
        "ranking_rows": ranking, "ranking": charts.ranking_svg(ranking) if ranking else "",
        "year": year, "years": sorted(set(years) | {year}, reverse=True),
    })


def _year_choice(value, *, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


# -- indicator systems (R60, R64) -----------------------------------------------------------------------------
@login_required
def systems(request):
    user = request.user
    _require(user, "evaluation.view_evaluation_outputs")
    may_create = user.has_perm("evaluation.add_indicator_system")
    province = user.region if user.region and user.region.level == "province" else None
    sources = list(Source.choices)
    defaults = services.default_weights(region=province) if province else {}
    form = {"project_type": "", **{s: defaults.get(s, "") for s, _l in sources}}
    if request.method == "POST":
        if not may_create or province is None:
            raise PermissionDenied
        form = {k: request.POST.get(k, "") for k in ["project_type", "note"] + [s for s, _l in sources]}
        try:
            system = services.indicator_system_create(
                actor=user, province=province, project_type=form["project_type"],
                weights={s: (form[s] or "0") for s, _l in sources}, note=form.get("note", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Indicator system %(name)s saved.") % {"name": system})
            return redirect("evaluation:systems")
    return render(request, "evaluation/systems.html", {
        "title": _("Indicator systems"), "systems": selectors.indicator_systems_visible_to(user=user),
        "may_create": may_create and province is not None, "form": form,
        "fields": [(s, label, form.get(s, "")) for s, label in sources],
        "project_types": ProjectType.choices,
    })
