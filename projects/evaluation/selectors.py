"""Reads on evaluations, always scoped to the user (R2).

Province and project-office staff, the ministry, finance officers and auditors read the evaluations of the
projects they may read; city and county staff those of projects serving their region; an institution reads
only its own projects' evaluations; experts and third-party evaluators only those assigned to them; schools none.
"""
from django.db.models import Count, Q

from backoffice.models import Role
from backoffice.scoping import scope_for
from projects.models import Project, ProjectStatus
from projects.selectors import project_list_visible_to

from . import rules as r
from .models import Evaluation, EvaluationResult, EvaluationStatus as E, IndicatorSystem

STAFF_ROLES = {Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.CITY_STAFF,
               Role.COUNTY_STAFF, Role.FINANCE_OFFICER, Role.AUDITOR}


def _visible_q(user) -> Q:
    scope = scope_for(user)
    if scope.kind == "none":
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if user.role == Role.EXPERT:
        return Q(assignments__user=user)
    if user.role in STAFF_ROLES or user.role == Role.INSTITUTION_STAFF:
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
    if user.role == Role.INSTITUTION_STAFF:
        return evaluation.status == E.PUBLISHED or evaluation.results.exists()
    return True


def projects_awaiting_evaluation(*, user):
    """Completed projects without an evaluation, for those who may open one."""
    if not (user.is_superuser or (scope_for(user).can_write and user.role in (Role.PROVINCE_STAFF,
                                                                              Role.PROJECT_OFFICE_STAFF))):
        return Project.objects.none()
    return (project_list_visible_to(user=user).filter(status=ProjectStatus.COMPLETED, evaluation__isnull=True)
            .order_by("end_date", "code"))


def indicator_systems_visible_to(*, user):
    scope = scope_for(user)
    if user.role not in STAFF_ROLES and not user.is_superuser:
        return IndicatorSystem.objects.none()
    return scope.filter(IndicatorSystem.objects.select_related("province", "created_by")
                        .prefetch_related("indicators"), region="province") if scope.kind == "region" else (
        IndicatorSystem.objects.select_related("province", "created_by").prefetch_related("indicators")
        if scope.kind == "all" else IndicatorSystem.objects.none())


def published_results_visible_to(*, user):
    """Current (not superseded) published results of the evaluations the user may read."""
    visible = Evaluation.objects.filter(_visible_q(user)).values("pk")
    return (EvaluationResult.objects.filter(evaluation__in=visible, superseded_at__isnull=True)
            .select_related("evaluation__project__institution", "evaluation__project__plan")
            .order_by("published_at", "pk"))


def institution_record(*, user, institution) -> list[EvaluationResult]:
    """All the institution's current published results the user may read, oldest first (for the trend)."""
    return list(published_results_visible_to(user=user).filter(evaluation__project__institution=institution))


def can_manage(user, evaluation) -> bool:
    return r.can_manage.test(user, evaluation)
