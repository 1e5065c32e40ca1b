"""A completed project with trainee outcomes, and an evaluation walked along its workflow through the services."""
import datetime as dt

from backoffice.models import Role
from projects.enrolment.models import Enrolment
from projects.models import AnnualPlan, Project
from tests.factories import AnnualPlanFactory, ProjectFactory, TeacherFactory, UserFactory, region

# Hand-computed from these outcomes (R63): enrolled = 9 (withdrawn and rejected excluded), completed = 6,
# reported = 8 (no-show excluded), quota 10, 3 trainees from priority counties, 4 places reserved.
OUTCOMES = ["completed"] * 6 + ["not_completed", "no_show", "dismissed", "withdrawn", "rejected"]
PRIORITY_INDEXES = {0, 1, 7}


def completed_project(orgs, personas, *, outcomes=OUTCOMES, priority=PRIORITY_INDEXES, quota=10, priority_quota=4,
                      institution=None, year=2025, **kw):
    plan = AnnualPlan.objects.filter(province=region("360000"), year=year).first() or \
        AnnualPlanFactory(year=year, created_by=personas.province)
    project = ProjectFactory(plan=plan, office=orgs.office, owner=orgs.office, created_by=personas.province,
                             quota=quota, priority_quota=priority_quota, start_date=dt.date(year, 6, 1),
                             end_date=dt.date(year, 6, 10), **kw)
    Project.objects.filter(pk=project.pk).update(status="completed", institution=institution or orgs.institution)
    rows = []
    for i, status in enumerate(outcomes):
        teacher = TeacherFactory(school=orgs.school)
        if i in priority:
            type(teacher).objects.filter(pk=teacher.pk).update(is_priority_county=True)
        rows.append(Enrolment(project=project, teacher=teacher, status=status))
    Enrolment.objects.bulk_create(rows)
    return Project.objects.get(pk=project.pk)


def third_party_user(orgs, name="tp"):
    return UserFactory(username=f"{name}_{orgs.evaluator.pk}", role=Role.EXPERT, organisation=orgs.evaluator)


def walk(evaluation, personas, third_party, *, to="published", scores=("85", "80", "90"), answers=None):
    """Drive an evaluation from opened to `to` with the standard actors. Returns the fresh evaluation."""
    from projects.evaluation import services

    order = ["opened", "collecting", "scoring", "graded", "published"]
    province = personas.province
    if evaluation.status == "opened":
        services.evaluation_assign(actor=province, evaluation=evaluation, user=personas.expert, kind="expert")
        services.evaluation_assign(actor=province, evaluation=evaluation, user=third_party, kind="third_party")
        tokens = services.survey_tokens_issue(actor=province, evaluation=evaluation)
        if order.index(to) < 1:
            return type(evaluation).objects.get(pk=evaluation.pk)
        services.evaluation_start_collecting(actor=province, evaluation=evaluation)
        for token, answer in zip(tokens, answers or []):
            services.survey_submit(token=token, answers=answer)
    expert, tp, own = scores
    services.assessment_record(actor=personas.expert, evaluation=evaluation, source="expert", score=expert)
    services.assessment_record(actor=third_party, evaluation=evaluation, source="third_party", score=tp)
    services.assessment_record(actor=personas.institution, evaluation=evaluation, source="self", score=own)
    if order.index(to) >= 2:
        services.evaluation_close_collection(actor=province, evaluation=evaluation)
    if order.index(to) >= 3:
        services.evaluation_grade(actor=province, evaluation=evaluation)
    if order.index(to) >= 4:
        services.evaluation_publish(actor=province, evaluation=evaluation)
    return type(evaluation).objects.get(pk=evaluation.pk)
