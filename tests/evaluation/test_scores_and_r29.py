"""Expert spot checks and third-party scores only by assigned users, self-assessment only by the institution
(R63, R2), every score change audited (R3); publishing feeds tendering's R29 through the projects selector (R65)."""
import datetime as dt
from decimal import Decimal

import pytest

from backoffice.audit import timeline_for
from backoffice.exceptions import DomainError
from projects.evaluation import services
from tendering import services as tendering
from tests.factories import UserFactory
from tests.factories.evaluation import completed_project, walk
from tests.tendering.conftest import announce, bid_kwargs, world  # noqa: F401  (fixture)


@pytest.fixture
def collecting(evaluation, personas, third_party):
    evaluation = walk(evaluation, personas, third_party, to="opened")
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    return evaluation


def test_r63_assigned_expert_scores_and_the_change_is_audited(collecting, personas):
    services.assessment_record(actor=personas.expert, evaluation=collecting, source="expert", score="82.5")
    services.assessment_record(actor=personas.expert, evaluation=collecting, source="expert", score="84")
    assert collecting.assessments.get(source="expert").score == Decimal("84.00")
    changes = [e.changes for e in timeline_for(collecting).filter(action="update") if "score:expert" in e.changes]
    assert changes == [{"score:expert": [None, "82.5"]}, {"score:expert": ["82.50", "84"]}]


@pytest.mark.parametrize("source, who", [
    ("expert", "province"), ("expert", "institution"), ("expert", "auditor"), ("third_party", "expert"),
    ("third_party", "office"), ("self", "other_institution"), ("self", "expert"), ("self", "province"),
])
def test_r63_scores_refused_to_anyone_not_assigned(collecting, personas, source, who):
    with pytest.raises(DomainError) as exc:
        services.assessment_record(actor=personas[who], evaluation=collecting, source=source, score="80")
    assert exc.value.code == "forbidden"
    assert not collecting.assessments.exists()


def test_r63_unassigned_expert_refused(collecting, orgs):
    stranger = UserFactory(role="expert", organisation=orgs.evaluator)
    with pytest.raises(DomainError) as exc:
        services.assessment_record(actor=stranger, evaluation=collecting, source="third_party", score="80")
    assert exc.value.code == "forbidden"


def test_assessors_must_be_experts_and_independent(evaluation, personas, orgs):
    with pytest.raises(DomainError) as exc:  # a third-party evaluator works for an evaluator organisation
        services.evaluation_assign(actor=personas.province, evaluation=evaluation, user=personas.expert,
                                   kind="third_party")
    assert exc.value.code == "assessor_invalid"
    with pytest.raises(DomainError) as exc:
        services.evaluation_assign(actor=personas.province, evaluation=evaluation, user=personas.office, kind="expert")
    assert exc.value.code == "assessor_invalid"
    own = UserFactory(role="expert", organisation=orgs.institution)
    with pytest.raises(DomainError) as exc:
        services.evaluation_assign(actor=personas.province, evaluation=evaluation, user=own, kind="expert")
    assert exc.value.code == "assessor_conflict"
    with pytest.raises(DomainError) as exc:
        services.evaluation_assign(actor=personas.auditor, evaluation=evaluation, user=personas.expert, kind="expert")
    assert exc.value.code == "forbidden"


def test_scores_closed_once_graded(evaluation, personas, third_party):
    evaluation = walk(evaluation, personas, third_party, to="graded")
    with pytest.raises(DomainError) as exc:
        services.assessment_record(actor=personas.expert, evaluation=evaluation, source="expert", score="10")
    assert exc.value.code == "evaluation_not_scoring"


@pytest.mark.parametrize("score", ["-1", "100.01", "abc", "80.123"])
def test_score_range(collecting, personas, score):
    with pytest.raises(DomainError) as exc:
        services.assessment_record(actor=personas.expert, evaluation=collecting, source="expert", score=score)
    assert exc.value.code == "score_invalid"


# -- R65 → R29 ------------------------------------------------------------------------------------------
def _publish_for(orgs, personas, institution, scores):
    from tests.factories.evaluation import third_party_user

    project = completed_project(orgs, personas, institution=institution)
    evaluation = services.evaluation_open(actor=personas.province, project=project)
    return walk(evaluation, personas, third_party_user(orgs, name=f"tp{project.pk}"), to="published",
                scores=scores)


def test_r29_r65_fail_published_institution_refused_by_the_next_tender(world, orgs, personas):  # noqa: F811
    evaluation = _publish_for(orgs, personas, orgs.institution, scores=("20", "20", "40"))
    assert evaluation.grade == "fail"
    announce(world)
    with pytest.raises(DomainError) as exc:
        tendering.bid_submit(actor=personas.institution, lot=world.lot1, **bid_kwargs("40"))
    assert exc.value.code == "r29_barred"


def test_r29_r65_passing_grade_may_bid_and_excellent_gets_the_bonus(world, orgs, personas):  # noqa: F811
    from tendering.eligibility import r29_track_record_bonus

    evaluation = _publish_for(orgs, personas, orgs.institution, scores=("100", "100", "100"))
    assert evaluation.grade in ("excellent", "good")
    announce(world)
    assert tendering.bid_submit(actor=personas.institution, lot=world.lot1, **bid_kwargs("40")).pk
    if evaluation.grade == "excellent":
        assert r29_track_record_bonus(institution=orgs.institution, tender=world.tender) == world.tender.track_record_bonus


def test_r29_r66_republished_pass_lifts_the_bar(world, orgs, personas):  # noqa: F811
    evaluation = _publish_for(orgs, personas, orgs.institution, scores=("20", "20", "40"))
    services.evaluation_reopen(actor=personas.province, evaluation=evaluation, reason="第三方分数录入错误")
    tp = evaluation.assignments.get(kind="third_party").user
    for actor, source in ((personas.expert, "expert"), (tp, "third_party")):
        services.assessment_record(actor=actor, evaluation=evaluation, source=source, score="95")
    services.evaluation_grade(actor=personas.province, evaluation=evaluation)
    evaluation = services.evaluation_publish(actor=personas.province, evaluation=evaluation)
    assert evaluation.grade != "fail"
    announce(world)
    assert tendering.bid_submit(actor=personas.institution, lot=world.lot1, **bid_kwargs("40")).pk


def test_r29_bar_starts_at_publication(world, orgs, personas):  # noqa: F811
    from tendering.eligibility import r29_barred_until

    evaluation = _publish_for(orgs, personas, orgs.institution, scores=("20", "20", "40"))
    until = r29_barred_until(institution=orgs.institution)
    assert until is not None and abs((until - evaluation.published_at) - dt.timedelta(days=365)) < dt.timedelta(days=2)


@pytest.mark.parametrize("score", ["NaN", "sNaN", "Infinity", "-Infinity", "abc", "101", "-1"])
def test_r63_score_that_is_not_a_finite_number_is_refused(collecting, personas, score):
    with pytest.raises(DomainError) as exc:
        services.assessment_record(actor=personas.expert, evaluation=collecting, source="expert", score=score)
    assert exc.value.code == "score_invalid"
    assert not collecting.assessments.exists()


def test_r63_score_page_refuses_nan_in_chinese(collecting, personas, login):
    page = login(personas.expert).post(f"/evaluation/{collecting.pk}/score/", {"source": "expert", "score": "NaN"},
                                       follow=True)
    assert page.status_code == 200 and "0 到 100" in page.content.decode()
