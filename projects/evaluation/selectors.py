"""Reads on evaluations, always scoped to the user (R2).

Province and project-office staff, the ministry, finance officers and auditors read the evaluations of the
projects they may read; city and county staff those of projects serving their region; an institution reads
only its own projects' evaluations; experts and third-party evaluators only those assigned to them; schools none.
"""
from django.db.models import Count, Q

from backoffice.models import Organisation, OrganisationKind, Role, User
from backoffice.scoping import scope_for
from projects.models import Project, ProjectStatus
from projects.selectors import project_list_visible_to

from . import permissions as p
from .models import Evaluation, EvaluationResult, EvaluationStatus as E, IndicatorSystem, Source


def _visible_q(user) -> Q:
    if scope_for(user).kind == "none":
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if p.is_expert.test(user):
        return Q(assignments__user=user)
    if (p.is_staff_reader | p.is_institution_staff).test(user):
        return Q(project__in=project_list_visible_to(user=user).values("pk"))
    return Q(pk__in=[])


def evaluation_list_visible_to(*, user):
    ids = Evaluation.objects.filter(_visible_q(user)).values("pk")
    return (Evaluation.objects.filter(pk__in=ids)
            .select_related("project__plan__province", "project__institution", "system")
            .annotate(response_count=Count("responses", distinct=True))
            .order_by("-opened_at", "-pk"))


def evaluation_detail_visible_to(*, user, pk) -> Evaluation:
    return evaluation_list_visible_to(user=user).get(pk=pk)


def results_visible_to(*, user, evaluation) -> bool:
    """The institution sees its total and grade once published ("fed back"); staff and assessors while graded."""
    if p.is_institution_staff.test(user):
        return evaluation.status == E.PUBLISHED or evaluation.results.exists()
    return True


def assessments_visible_to(*, user, evaluation) -> list:
    """Every score for staff; an assessor their own entry, the institution its self-assessment."""
    assessments = list(evaluation.assessments.select_related("assessor"))
    if user.has_perm("evaluation.view_every_assessment", evaluation):
        return assessments
    own_self = p.is_institution_staff.test(user)
    return [a for a in assessments if a.assessor_id == user.pk or (a.source == Source.SELF and own_self)]


def assignments_of(*, evaluation) -> list:
    return list(evaluation.assignments.select_related("user__organisation"))


def results_of(*, evaluation) -> list:
    """Every published result of the evaluation, the superseded ones too (R66)."""
    return list(evaluation.results.select_related("published_by"))


def sources_to_score(*, user, evaluation) -> list[str]:
    """The assessed sources this user enters a score for now (R63)."""
    if evaluation.status not in (E.COLLECTING, E.SCORING):
        return []
    perms = ((Source.EXPERT, "evaluation.score_expert"), (Source.THIRD_PARTY, "evaluation.score_third_party"),
             (Source.SELF, "evaluation.score_self"))
    return [source for source, perm in perms if user.has_perm(perm, evaluation)]


def assignable_assessors(*, evaluation, kind: str):
    """Experts (or experts of an evaluator organisation of the province, for third-party evaluation) not yet
    assigned, never of the institution evaluated."""
    province = evaluation.project.plan.province
    qs = User.objects.filter(role=Role.EXPERT, is_active=True).select_related("organisation").order_by("username")
    if kind == "third_party":
        qs = qs.filter(organisation__kind=OrganisationKind.EVALUATOR,
                       organisation__region__code__startswith=province.prefix)
    if evaluation.project.institution_id:
        qs = qs.exclude(organisation_id=evaluation.project.institution_id)
    return qs.exclude(evaluation_assignments__evaluation=evaluation, evaluation_assignments__kind=kind)[:200]


def assessor_candidate(*, pk: int):
    """The person chosen on the assign form; the service decides whether they may be assigned."""
    return User.objects.filter(pk=pk).select_related("organisation").first()


def projects_awaiting_evaluation(*, user):
    """Completed projects without an evaluation, for those who may open one."""
    if not user.has_perm("evaluation.open_evaluations"):
        return Project.objects.none()
    return (project_list_visible_to(user=user).filter(status=ProjectStatus.COMPLETED, evaluation__isnull=True)
            .order_by("end_date", "code"))


def indicator_systems_visible_to(*, user):
    if not user.has_perm("evaluation.view_evaluation_outputs"):
        return IndicatorSystem.objects.none()
    qs = IndicatorSystem.objects.select_related("province", "created_by").prefetch_related("indicators")
    return scope_for(user).filter(qs, region="province")


def published_results_visible_to(*, user):
    """Current (not superseded) published results of the evaluations the user may read."""
    visible = Evaluation.objects.filter(_visible_q(user)).values("pk")
    return (EvaluationResult.objects.filter(evaluation__in=visible, superseded_at__isnull=True)
            .select_related("evaluation__project__institution", "evaluation__project__plan")
            .order_by("published_at", "pk"))


def institution_visible_to(*, user, pk) -> Organisation:
    """The institution whose record the user may open (R2); Organisation.DoesNotExist otherwise."""
    institution = Organisation.objects.select_related("region").filter(pk=pk).first()
    if institution is None or not user.has_perm("evaluation.view_institution_record", institution):
        raise Organisation.DoesNotExist
    return institution


def institution_record(*, user, institution) -> list[EvaluationResult]:
    """All the institution's current published results the user may read, oldest first (for the trend)."""
    return list(published_results_visible_to(user=user).filter(evaluation__project__institution=institution))


def published_grades(*, project_ids) -> dict[int, str]:
    """The grade each project's published evaluation gave it (R65), '' while it has none; one query. Finance
    reads it for the final tranche (R54). A reopened evaluation keeps its project's grade until republished."""
    return {pk: grade or "" for pk, grade in Project.objects.filter(pk__in=list(project_ids)).values_list("pk", "grade")}

