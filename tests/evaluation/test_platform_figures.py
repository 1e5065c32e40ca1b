"""R63: the evaluation's computed indicators from the online platform's learning records (R47): average learning
time against planned, assignment completion rate, share of trainees active each week; weighted through the
default indicator system's settings, shown on the evaluation page."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.config import setting_set
from projects.enrolment.models import Enrolment
from projects.enrolment.outcomes.models import LearningRecord, LearningRecordBatch
from projects.evaluation import scoring, services
from projects.evaluation.models import Indicator
from tests.enrolment.outcome_helpers import approved_scheme
from tests.factories.evaluation import completed_project

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def online(orgs, personas):
    """A completed online project of 10 days (1-10 June 2025: week 1 = 1-7 June, week 2 = 8-10 June), 10 hours
    planned (600 minutes), two assignments required; four admitted trainees and one rejected applicant."""
    project = completed_project(orgs, personas, outcomes=["completed"] * 3 + ["not_completed", "rejected"],
                                priority=(), mode="online", hours=10)
    approved_scheme(project, personas, indicators=[("learning_minutes", 600, 60, 80),
                                                   ("assignments_passed", 2, 20, None), ("assessment", 100, 20, None)])
    return project


def _records(project, personas, rows):
    batch = LearningRecordBatch.objects.create(project=project, source="研修网", received_by=personas.institution)
    trainees = list(Enrolment.objects.filter(project=project).order_by("pk"))
    LearningRecord.objects.bulk_create([
        LearningRecord(project=project, enrolment=trainees[i], period_start=start, period_end=end, source="研修网",
                       minutes=minutes, assignments_passed=passed, is_current=current, batch=batch)
        for i, start, end, minutes, passed, current in rows])


def _boundary_records(project, personas):
    _records(project, personas, [
        # A: 600 minutes over both weeks, exactly the 2 assignments required.
        (0, D(2025, 6, 1), D(2025, 6, 3), 300, 2, True), (0, D(2025, 6, 8), D(2025, 6, 10), 300, 0, True),
        # B: the last day of week 1 only, one assignment short; its earlier figure (superseded) does not count.
        (1, D(2025, 6, 7), D(2025, 6, 7), 300, 1, True), (1, D(2025, 6, 7), D(2025, 6, 7), 1000, 5, False),
        # C: a period across the weeks' boundary is learning in both weeks; more assignments than required.
        (2, D(2025, 6, 7), D(2025, 6, 8), 60, 3, True),
        # D (index 3) sent nothing. The rejected applicant (index 4) was never a trainee: its record is left out.
        (4, D(2025, 6, 1), D(2025, 6, 10), 600, 2, True),
    ])


def test_r63_platform_figures_from_learning_records_at_their_boundaries(online, personas):
    _boundary_records(online, personas)
    ratios = scoring.computed_ratios(online)
    # Average learning time: (600 + 300 + 60 + 0) ÷ 4 trainees = 240 of 600 minutes planned.
    assert ratios["learning_time"] == Decimal("0.4")
    # Assignment completion: A (exactly 2) and C (3) of 4; B (1) is one short.
    assert ratios["assignment_completion"] == Decimal("0.5")
    # Week 1: A, B (its last day), C; week 2: A, C (the period crossing into it) -> (3 + 2) ÷ (2 weeks × 4).
    assert ratios["weekly_activity"] == Decimal("0.625")
    assert scoring.ratio_score(ratios["learning_time"]) == Decimal("40.0")


def test_r63_learning_time_above_planned_scores_no_more_than_100(online, personas):
    _records(online, personas, [(i, D(2025, 6, 1), D(2025, 6, 10), 1200, 2, True) for i in range(4)])
    ratios = scoring.computed_ratios(online)
    assert ratios["learning_time"] == 2 and scoring.ratio_score(ratios["learning_time"]) == 100
    assert ratios["assignment_completion"] == 1 and ratios["weekly_activity"] == 1


def test_r63_project_with_no_records_has_the_platform_figures_not_available(online, personas):
    ratios = scoring.computed_ratios(online)
    assert (ratios["learning_time"], ratios["assignment_completion"], ratios["weekly_activity"]) == (None, None, None)
    # Weighted, they are left out and their weight shared over the others (never a 0 score).
    for source, weight in {"learning_time": 10, "weekly_activity": 5, "survey": 10}.items():
        setting_set(key=f"evaluation.weight.{source}", value=str(weight), actor=personas.province)
    evaluation = services.evaluation_open(actor=personas.province, project=online)
    rows = {r["source"]: r for r in scoring.breakdown(evaluation)}
    assert rows["learning_time"]["score"] is None and rows["weekly_activity"]["score"] is None
    available = [r for r in rows.values() if r["score"] is not None]
    assert scoring.weighted_total(list(rows.values())) == scoring.weighted_total(available)


def test_r63_assignment_completion_not_available_when_the_scheme_requires_none(orgs, personas):
    project = completed_project(orgs, personas, outcomes=["completed"] * 2, priority=(), mode="online", hours=10)
    approved_scheme(project, personas, indicators=[("learning_minutes", 600, 100, None)])
    _records(project, personas, [(0, D(2025, 6, 1), D(2025, 6, 1), 600, 0, True)])
    ratios = scoring.computed_ratios(project)
    assert ratios["assignment_completion"] is None and ratios["learning_time"] == Decimal("0.5")


def test_r63_default_system_uses_the_platform_figures_once_weighted_by_setting(online, personas, orgs):
    # The default weights (R64) leave the platform figures out.
    first = services.evaluation_open(actor=personas.province, project=online)
    assert not first.system.indicators.filter(source__in=["learning_time", "assignment_completion",
                                                          "weekly_activity"]).exists()
    # The province weighs learning time 10 and the weekly activity 5, taking 15 from the survey (sum stays 100).
    setting_set(key="evaluation.weight.learning_time", value="10", actor=personas.province)
    setting_set(key="evaluation.weight.weekly_activity", value="5", actor=personas.province)
    setting_set(key="evaluation.weight.survey", value="10", actor=personas.province)
    other = completed_project(orgs, personas, outcomes=["completed"] * 3 + ["not_completed", "rejected"],
                              priority=(), mode="online", hours=10, project_type="preschool")
    _boundary_records(other, personas)
    evaluation = services.evaluation_open(actor=personas.province, project=other)
    weights = dict(Indicator.objects.filter(system=evaluation.system).values_list("source", "weight"))
    assert (weights["learning_time"], weights["weekly_activity"], weights["survey"]) == (10, 5, 10)
    assert "assignment_completion" not in weights
    rows = {r["source"]: r for r in scoring.breakdown(evaluation)}
    # No scheme on this project: planned = its 10 hours; (600 + 300 + 60) ÷ 4 = 240 of 600 minutes.
    assert Decimal(rows["learning_time"]["score"]) == Decimal("40.0")
    assert Decimal(rows["weekly_activity"]["score"]) == Decimal("62.500")


def test_r63_evaluation_page_shows_the_platform_figures_in_chinese(online, personas, login):
    _boundary_records(online, personas)
    evaluation = services.evaluation_open(actor=personas.province, project=online)
    page = login(personas.province).get(reverse("evaluation:evaluation_detail", args=[evaluation.pk])).content.decode()
    card = page.split('data-testid="platform"')[1].split("</section>")[0]
    assert "在线学习平台" in card
    assert "4 名学员，4 条学习记录" in card  # current records only; the rejected applicant's is no trainee's
    assert "平均学习时长达成率" in card and "平均 4.0 学时，计划 10.0 学时（40.0%）" in card
    assert "4 名学员中 2 名完成了要求的 2 次作业（50.0%）" in card
    assert "2 周平均 62.5%" in card


def test_r63_evaluation_page_says_when_an_online_project_has_no_records(online, personas, login):
    evaluation = services.evaluation_open(actor=personas.province, project=online)
    page = login(personas.province).get(reverse("evaluation:evaluation_detail", args=[evaluation.pk])).content.decode()
    assert 'data-testid="platform-none"' in page and "未报送本项目的学习记录" in page


def test_r63_platform_figures_take_the_same_queries_whatever_the_records(online, personas,
                                                                         django_assert_max_num_queries):
    from projects.enrolment.selectors import platform_figures

    _records(online, personas, [(0, D(2025, 6, 1), D(2025, 6, 1), 60, 0, True)])
    with django_assert_max_num_queries(4):  # scheme, its indicators, the trainees, one aggregate over the records
        platform_figures(online)
    _records(online, personas, [(i, D(2025, 6, d), D(2025, 6, d), 60, 1, True) for i in range(4)
                                for d in range(2, 11)])
    with django_assert_max_num_queries(4):
        assert platform_figures(online).records == 37


def test_r63_page_figures_are_kept_until_a_new_delivery_arrives(online, personas, django_assert_max_num_queries):
    from django.core.cache import cache

    from projects.enrolment.selectors import platform_figures_cached

    cache.clear()
    _records(online, personas, [(0, D(2025, 6, 1), D(2025, 6, 1), 600, 2, True)])
    assert platform_figures_cached(online).records == 1
    with django_assert_max_num_queries(1):  # only the latest delivery is read
        assert platform_figures_cached(online).records == 1
    _records(online, personas, [(1, D(2025, 6, 2), D(2025, 6, 2), 600, 2, True)])  # a new delivery
    assert platform_figures_cached(online).records == 2
