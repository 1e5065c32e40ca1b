"""The evaluation state machine (opened → collecting → scoring → graded → published, reopened by the province
with a reason, R66), with an allowed and refused roles for every transition, and the audit trail (R3)."""
import pytest

from backoffice.audit import timeline_for
from backoffice.exceptions import DomainError
from projects.evaluation import services
from projects.evaluation.models import EvaluationResult
from projects.models import Project
from projects.selectors import institution_latest_grade, project_grade
from tests.factories.evaluation import walk

REFUSED = ["ministry", "city", "county", "school", "institution", "other_institution", "expert", "finance",
           "auditor", "henan_province"]


def _at(evaluation, personas, third_party, state):
    return walk(evaluation, personas, third_party, to=state) if state != "opened" else evaluation


TRANSITIONS = [
    # (service, state before, allowed roles)
    ("evaluation_start_collecting", "opened", ["province", "office"]),
    ("evaluation_close_collection", "collecting", ["province", "office"]),
    ("evaluation_grade", "scoring", ["province", "office"]),
    ("evaluation_back_to_scoring", "graded", ["province", "office"]),
    ("evaluation_publish", "graded", ["province"]),
    ("evaluation_reopen", "published", ["province"]),
]


def _ready_opened(evaluation, personas, third_party):
    services.evaluation_assign(actor=personas.province, evaluation=evaluation, user=personas.expert, kind="expert")
    services.evaluation_assign(actor=personas.province, evaluation=evaluation, user=third_party, kind="third_party")
    services.survey_tokens_issue(actor=personas.province, evaluation=evaluation)
    return evaluation


@pytest.mark.parametrize("service, state, allowed", TRANSITIONS)
def test_transitions_allowed_and_refused_roles(evaluation, personas, third_party, service, state, allowed):
    if state == "opened":
        _ready_opened(evaluation, personas, third_party)
    else:
        evaluation = _at(evaluation, personas, third_party, state)
    func = getattr(services, service)
    kwargs = {"reason": "复核专家抽查分数"}
    refused = REFUSED + [r for r in ("province", "office") if r not in allowed]
    for who in refused:
        with pytest.raises(DomainError) as exc:
            func(actor=personas[who], evaluation=evaluation, **kwargs)
        assert exc.value.code == "transition_forbidden", who
    evaluation.refresh_from_db()
    assert evaluation.status == state
    before = timeline_for(evaluation).count()
    moved = func(actor=personas[allowed[-1]], evaluation=evaluation, **kwargs)
    assert moved.status != state
    assert timeline_for(evaluation).filter(action="transition").count() >= 1
    assert timeline_for(evaluation).count() == before + 1


def test_start_collecting_needs_assessors_and_tokens(evaluation, personas, third_party):
    with pytest.raises(DomainError) as exc:
        services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    assert exc.value.code == "assessors_missing"
    services.evaluation_assign(actor=personas.province, evaluation=evaluation, user=personas.expert, kind="expert")
    services.evaluation_assign(actor=personas.province, evaluation=evaluation, user=third_party, kind="third_party")
    with pytest.raises(DomainError) as exc:
        services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    assert exc.value.code == "r61_tokens_missing"


def test_grade_refused_while_scores_are_missing(evaluation, personas, third_party):
    _ready_opened(evaluation, personas, third_party)
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    services.assessment_record(actor=personas.expert, evaluation=evaluation, source="expert", score="80")
    services.evaluation_close_collection(actor=personas.province, evaluation=evaluation)
    with pytest.raises(DomainError) as exc:
        services.evaluation_grade(actor=personas.province, evaluation=evaluation)
    assert exc.value.code == "assessments_missing"
    assert "第三方" in exc.value.message or "Third-party" in exc.value.message


def test_only_completed_projects_are_evaluated_once(project, personas):
    services.evaluation_open(actor=personas.office, project=project)
    with pytest.raises(DomainError) as exc:
        services.evaluation_open(actor=personas.province, project=project)
    assert exc.value.code == "evaluation_exists"
    Project.objects.filter(pk=project.pk).update(status="in_progress")
    with pytest.raises(DomainError):
        services.evaluation_open(actor=personas.province, project=Project.objects.get(pk=project.pk))


@pytest.mark.parametrize("who", REFUSED)
def test_open_refused_roles(project, personas, who):
    with pytest.raises(DomainError) as exc:
        services.evaluation_open(actor=personas[who], project=project)
    assert exc.value.code == "forbidden"


def test_r65_publishing_writes_the_grade_onto_the_project(evaluation, personas, third_party, orgs):
    evaluation = walk(evaluation, personas, third_party, to="published", scores=("95", "95", "95"))
    project = Project.objects.get(pk=evaluation.project_id)
    assert project.status == "evaluated"
    assert project.grade == evaluation.grade == project_grade(project=project)
    assert institution_latest_grade(institution=orgs.institution).pk == project.pk
    events = timeline_for(project).filter(transition="mark_evaluated")
    assert events.count() == 1 and events[0].changes["grade"][1] == evaluation.grade


def test_r66_reopen_needs_a_reason_and_keeps_the_earlier_result(evaluation, personas, third_party):
    evaluation = walk(evaluation, personas, third_party, to="published", scores=("50", "50", "90"))
    first_grade = evaluation.grade
    with pytest.raises(DomainError) as exc:
        services.evaluation_reopen(actor=personas.province, evaluation=evaluation, reason=" ")
    assert exc.value.code == "reason_required"
    with pytest.raises(DomainError) as exc:
        services.evaluation_reopen(actor=personas.office, evaluation=evaluation, reason="复核")
    assert exc.value.code == "transition_forbidden"
    services.evaluation_reopen(actor=personas.province, evaluation=evaluation, reason="第三方评估分数录入有误")
    evaluation.refresh_from_db()
    assert evaluation.status == "scoring" and evaluation.grade == ""
    # The project keeps its published grade until a new result is published.
    assert project_grade(project=evaluation.project) == first_grade
    kept = EvaluationResult.objects.get(evaluation=evaluation)
    assert kept.grade == first_grade and kept.superseded_at and kept.reopen_reason == "第三方评估分数录入有误"
    services.assessment_record(actor=evaluation.assignments.get(kind="third_party").user, evaluation=evaluation,
                               source="third_party", score="95")
    services.assessment_record(actor=personas.expert, evaluation=evaluation, source="expert", score="95")
    services.evaluation_grade(actor=personas.province, evaluation=evaluation)
    services.evaluation_publish(actor=personas.province, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert EvaluationResult.objects.filter(evaluation=evaluation).count() == 2
    assert project_grade(project=evaluation.project) == evaluation.grade != first_grade


def test_back_to_scoring_needs_a_reason(evaluation, personas, third_party):
    evaluation = walk(evaluation, personas, third_party, to="graded")
    with pytest.raises(DomainError) as exc:
        services.evaluation_back_to_scoring(actor=personas.office, evaluation=evaluation, reason="")
    assert exc.value.code == "reason_required"
    services.evaluation_back_to_scoring(actor=personas.office, evaluation=evaluation, reason="专家分数待核实")
    evaluation.refresh_from_db()
    assert evaluation.status == "scoring" and evaluation.total is None


def test_r66_a_closed_project_can_be_reopened_and_republished(evaluation, personas, third_party):
    from projects.services import project_close

    evaluation = walk(evaluation, personas, third_party, to="published", scores=("50", "50", "90"))
    project_close(project=evaluation.project, actor=personas.province)
    services.evaluation_reopen(actor=personas.province, evaluation=evaluation, reason="第三方评估分数录入有误")
    for source, user in (("third_party", evaluation.assignments.get(kind="third_party").user),
                         ("expert", personas.expert)):
        services.assessment_record(actor=user, evaluation=evaluation, source=source, score="95")
    services.evaluation_grade(actor=personas.province, evaluation=evaluation)
    services.evaluation_publish(actor=personas.province, evaluation=evaluation)
    evaluation.refresh_from_db()
    evaluation.project.refresh_from_db()
    assert evaluation.project.status == "evaluated"
    assert project_grade(project=evaluation.project) == evaluation.grade
