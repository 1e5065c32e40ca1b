"""Demo data for evaluation (idempotent): the finished 2025 demo project of enrolment is evaluated end to end
through the services: assessors assigned, anonymous survey answered, scores entered, graded and published, so
its institution's record shows a grade and tendering reads it (R29)."""
import random

from django.conf import settings
from django.db import transaction
from django.utils import translation

from projects.enrolment.demo import PAST_CODE  # made by projects/enrolment/demo.py


def demo_evaluation():
    with translation.override(settings.LANGUAGE_CODE):
        return _demo()


@transaction.atomic
def _demo():
    from backoffice.demo import demo_account
    from backoffice.models import Organisation, OrganisationKind, Role, User
    from projects.enrolment.demo import PAST_CODE  # the finished 2025 project the enrolment demo makes
    from projects.models import Project

    from . import services
    from .models import Evaluation

    project = Project.objects.filter(code=PAST_CODE).select_related("institution").first()
    province = User.objects.filter(username="province", role=Role.PROVINCE_STAFF).first()
    expert = User.objects.filter(username="expert", role=Role.EXPERT).first()
    institution_user = User.objects.filter(username="institution", role=Role.INSTITUTION_STAFF).first()
    evaluator_org = Organisation.objects.filter(kind=OrganisationKind.EVALUATOR, region__code="360000").order_by(
        "pk").first()
    if not (project and province and expert and institution_user and evaluator_org) or \
            project.institution_id != institution_user.organisation_id:
        return None
    evaluator = demo_account(username="evaluator", full_name=f"{evaluator_org.name} 邓评估师", role=Role.EXPERT,
                             organisation=evaluator_org)
    if Evaluation.objects.filter(project=project).exists():
        return None
    if project.status != "completed":
        return None

    evaluation = services.evaluation_open(actor=province, project=project)
    services.evaluation_assign(actor=province, evaluation=evaluation, user=expert, kind="expert")
    services.evaluation_assign(actor=province, evaluation=evaluation, user=evaluator, kind="third_party")
    tokens = services.survey_tokens_issue(actor=province, evaluation=evaluation)
    services.evaluation_start_collecting(actor=province, evaluation=evaluation)
    rng = random.Random("guopei-survey")
    comments = ["名校跟岗安排很实用", "", "希望增加课堂实践环节", "", "专家讲座联系实际", "", "", "住宿条件一般"]
    for i, token in enumerate(tokens[:-1]):  # one trainee did not answer
        answers = {d: rng.choice([4, 5, 5]) for d in ("design", "resources", "implementation", "effect")}
        answers["platform"] = rng.choice([3, 4, 4, 5])
        services.survey_submit(token=token, answers=answers, comment=comments[i % len(comments)])
    services.assessment_record(actor=expert, evaluation=evaluation, source="expert", score="86.50",
                               comment="跟岗学校遴选合理，研修任务清晰；个别学员研修日志质量不高。")
    services.assessment_record(actor=evaluator, evaluation=evaluation, source="third_party", score="84.00",
                               comment="组织规范，过程资料齐全，成果转化有待加强。")
    services.assessment_record(actor=institution_user, evaluation=evaluation, source="self", score="92.00",
                               comment="按方案完成全部研修任务。")
    services.evaluation_close_collection(actor=province, evaluation=evaluation)
    services.evaluation_grade(actor=province, evaluation=evaluation)
    evaluation = services.evaluation_publish(actor=province, evaluation=evaluation)
    return (f"绩效评价：{project.name} 已发布，总分 {evaluation.total}，等级 {evaluation.get_grade_display()}"
            f"（{len(tokens) - 1}/{len(tokens)} 份匿名问卷；第三方评估账号 evaluator）")


# -- issue 14: an evaluation collecting answers and scores, with a working survey link ---------------------------
def demo_evaluation_in_scoring():
    with translation.override(settings.LANGUAGE_CODE):
        return _demo_in_scoring()


@transaction.atomic
def _demo_in_scoring():
    """The second finished 2025 project's evaluation is open: survey answers coming in, `expert` has scored,
    `evaluator` (third party) and the institution have not. Each run issues the unused survey tokens again (the
    earlier ones stop working, R61) and prints one working link."""
    from backoffice.demo import demo_link
    from backoffice.models import Role, User
    from projects.enrolment.demo import past_project_for_evaluation

    from . import services
    from .models import Evaluation, EvaluationStatus

    province = User.objects.filter(username="province", role=Role.PROVINCE_STAFF).first()
    expert = User.objects.filter(username="expert", role=Role.EXPERT).first()
    evaluator = User.objects.filter(username="evaluator", role=Role.EXPERT).first()
    project = past_project_for_evaluation()
    if not (province and expert and evaluator and project):
        return None
    evaluation = Evaluation.objects.filter(project=project).first()
    if evaluation is None:
        evaluation = services.evaluation_open(actor=province, project=project)
        services.evaluation_assign(actor=province, evaluation=evaluation, user=expert, kind="expert")
        services.evaluation_assign(actor=province, evaluation=evaluation, user=evaluator, kind="third_party")
        tokens = services.survey_tokens_issue(actor=province, evaluation=evaluation)
        services.evaluation_start_collecting(actor=province, evaluation=evaluation)
        rng = random.Random("guopei-survey-2")
        for token in tokens[:6]:
            answers = {d: rng.choice([4, 5, 5]) for d in ("design", "resources", "implementation", "effect")}
            answers["platform"] = rng.choice([3, 4, 5])
            services.survey_submit(token=token, answers=answers, comment="")
        services.assessment_record(actor=expert, evaluation=evaluation, source="expert", score="88.00",
                                   comment="课堂观摩与学科育人案例研讨结合紧密。")
    evaluation.refresh_from_db()
    if evaluation.status != EvaluationStatus.COLLECTING:
        return None
    tokens = services.survey_tokens_issue(actor=province, evaluation=evaluation)
    if not tokens:
        return None
    demo_link("匿名满意度问卷（无需登录，一次有效）", f"/evaluation/survey/{tokens[0]}/")
    return f"绩效评价：{project.name} 收集中（专家 expert 已评分，第三方 evaluator 待评分，{len(tokens)} 份问卷未答）"
