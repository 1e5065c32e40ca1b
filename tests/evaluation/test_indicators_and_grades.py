"""R60 (versioned systems, weights exactly 100), R64 (default weights as a setting), R62 (grade boundaries),
R63 (computed indicators against hand-computed figures, not-available indicators)."""
from decimal import Decimal

import pytest

from backoffice.config import setting_set
from backoffice.exceptions import DomainError
from projects.evaluation import scoring, services, sources
from projects.evaluation.models import IndicatorSystem
from tests.factories import region
from tests.factories.evaluation import completed_project, walk

ALL_100 = {"survey": 25, "completion_rate": 20, "expert": 20, "third_party": 15, "self": 5, "participation_rate": 5,
           "priority_coverage": 5, "budget_execution": 5}


# -- R60 ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("change, ok", [({"self": "5"}, True), ({"self": "4.99"}, False), ({"self": "5.01"}, False),
                                        ({"self": "0", "survey": "30"}, True), ({"survey": "-5", "self": "35"}, False)])
def test_r60_weights_must_sum_to_exactly_100(personas, change, ok):
    weights = {**ALL_100, **change}
    if ok:
        system = services.indicator_system_create(actor=personas.province, province=region("360000"),
                                                  project_type="central_western", weights=weights)
        assert sum(i.weight for i in system.indicators.all()) == Decimal("100")
    else:
        with pytest.raises(DomainError) as exc:
            services.indicator_system_create(actor=personas.province, province=region("360000"),
                                             project_type="central_western", weights=weights)
        assert exc.value.code in ("r60_weights_not_100", "invalid")
        assert not IndicatorSystem.objects.exists()


def test_r60_evaluation_keeps_the_version_it_was_opened_with(evaluation, personas, orgs):
    v1 = evaluation.system
    v2 = services.indicator_system_create(actor=personas.province, province=region("360000"),
                                          project_type=evaluation.project.project_type,
                                          weights={**ALL_100, "survey": "30", "self": "0"})
    assert (v1.version, v2.version) == (1, 2)
    evaluation.refresh_from_db()
    assert evaluation.system_id == v1.pk
    later = services.evaluation_open(actor=personas.province, project=completed_project(orgs, personas))
    assert later.system_id == v2.pk


@pytest.mark.parametrize("who", ["office", "city", "auditor", "institution", "expert", "henan_province"])
def test_r60_only_province_staff_define_systems(personas, who):
    with pytest.raises(DomainError) as exc:
        services.indicator_system_create(actor=personas[who], province=region("360000"),
                                         project_type="central_western", weights=ALL_100)
    assert exc.value.code == "forbidden"


# -- R64 ----------------------------------------------------------------------------------------------------
def test_r64_default_weights(evaluation):
    weights = {i.source: i.weight for i in evaluation.system.indicators.all()}
    assert weights == {k: Decimal(v) for k, v in ALL_100.items()}


def test_r64_default_weight_is_a_setting(personas, project):
    setting_set(key="evaluation.weight.survey", value="30", actor=personas.province)
    setting_set(key="evaluation.weight.self", value="0", actor=personas.province)
    evaluation = services.evaluation_open(actor=personas.province, project=project)
    weights = {i.source: i.weight for i in evaluation.system.indicators.all()}
    assert (weights["survey"], weights["self"], weights["expert"]) == (Decimal("30"), Decimal("0"), Decimal("20"))


def test_r64_changed_defaults_not_summing_to_100_are_refused(personas, project):
    setting_set(key="evaluation.weight.survey", value="40", actor=personas.province)
    with pytest.raises(DomainError) as exc:
        services.evaluation_open(actor=personas.province, project=project)
    assert exc.value.code == "r60_weights_not_100"


# -- R62 ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("total, grade", [
    ("100", "excellent"), ("90.00", "excellent"), ("89.99", "good"), ("89.995", "excellent"), ("80", "good"),
    ("79.99", "pass"), ("60.00", "pass"), ("59.99", "fail"), ("0", "fail"),
])
def test_r62_grade_boundaries(total, grade):
    assert scoring.grade_for(Decimal(total)) == grade


# -- R63 ----------------------------------------------------------------------------------------------------
def test_r63_computed_indicators_match_hand_computed_figures(project):
    ratios = scoring.computed_ratios(project)
    assert ratios["completion_rate"] == Decimal(6) / Decimal(9)      # completed ÷ enrolled
    assert ratios["participation_rate"] == Decimal("0.8")           # reported 8 ÷ planned (quota) 10
    assert ratios["priority_coverage"] == Decimal("0.75")           # 3 priority-county trainees ÷ 4 reserved
    assert ratios["budget_execution"] is None                       # no finance provider: not available


def test_r63_budget_execution_comes_from_the_finance_provider(project, monkeypatch):
    calls = []

    def provider(ids):
        calls.append(ids)
        return {project.pk: Decimal("0.93")}

    sources.register_indicator_source("budget_execution_rate", provider)
    assert scoring.computed_ratios(project)["budget_execution"] == Decimal("0.93")
    assert calls == [[project.pk]]


def test_r63_coverage_not_available_without_reserved_places(orgs, personas):
    project = completed_project(orgs, personas, priority_quota=0)
    assert scoring.computed_ratios(project)["priority_coverage"] is None


def test_r63_weighted_total_by_hand_with_redistributed_weights(evaluation, personas, third_party):
    """Survey below its threshold (1 answer of 8, default 10 or 30%) and budget execution are not available:
    their 30 points of weight are shared out over the other 70."""
    evaluation = walk(evaluation, personas, third_party, to="graded", scores=("85", "80", "90"),
                      answers=[{d: 5 for d in ("design", "resources", "implementation", "platform", "effect")}])
    by = {row["source"]: row for row in evaluation.breakdown}
    assert by["survey"]["score"] is None and by["budget_execution"]["score"] is None
    completion = Decimal(6) / Decimal(9) * 100
    num = (20 * completion + 20 * Decimal(85) + 15 * Decimal(80) + 5 * Decimal(90) + 5 * Decimal(80)
           + 5 * Decimal(75))
    expected = (num / 70).quantize(Decimal("0.01"))
    assert evaluation.total == expected == Decimal("77.98")  # 5458.33 ÷ 70
    assert evaluation.grade == "pass"


def test_r63_survey_score_counts_once_visible(evaluation, personas, third_party, monkeypatch):
    setting_set(key="evaluation.survey_min_responses", value=2, actor=personas.province)
    answers = [{"design": 5, "resources": 4, "implementation": 5, "platform": 3, "effect": 4}] * 2
    evaluation = walk(evaluation, personas, third_party, to="graded", answers=answers)
    by = {row["source"]: row for row in evaluation.breakdown}
    assert Decimal(by["survey"]["score"]) == Decimal("84")  # mean 4.2 of 5 × 20


@pytest.mark.parametrize("weight", ["NaN", "sNaN", "Infinity"])
def test_r60_weight_that_is_not_a_finite_number_is_refused(personas, weight):
    with pytest.raises(DomainError) as exc:
        services.indicator_system_create(actor=personas.province, province=region("360000"),
                                         project_type="central_western", weights={**ALL_100, "self": weight})
    assert exc.value.code == "invalid"
    assert not IndicatorSystem.objects.exists()
