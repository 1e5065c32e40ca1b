"""R30-R35: identity, criteria, the cap and category per cycle, the 3-year ban and exemptions."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from backoffice.config import setting_set
from backoffice.identity import id_number_error, mask_id_number, normalise_id_number
from backoffice.exceptions import DomainError
from projects.enrolment import services
from projects.enrolment.eligibility import integrity_record, screen_project, teacher_refusals
from projects.enrolment.models import Enrolment, Exemption

pytestmark = pytest.mark.django_db


def codes(refusals):
    return [r.code for r in refusals]


def test_r30_test_vectors_are_valid_and_masked():
    for number in ("11010519491231002X", "440524188001010014"):
        assert id_number_error(number) is None
        assert mask_id_number(number) == number[:6] + "********" + number[-4:]
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    assert normalise_id_number("４４０５２４１８８００１０１００１４") == "440524188001010014"
    assert id_number_error("440524188001010015")[0] == "id_check_digit"


def test_r31_refusal_names_the_failing_criterion(make_project, teacher):
    project = make_project(target_stages=["senior"], rural_only=True, min_years_teaching=30, max_age=30)
    found = teacher_refusals(project, teacher)
    assert set(codes(found)) == {"criteria_stage", "criteria_rural", "criteria_years", "criteria_age"}
    assert all(r.rule == "R31" for r in found)


def test_r31_teacher_matching_the_criteria_passes(make_project, teacher):
    project = make_project(target_stages=["primary"], target_subjects=["maths"], min_years_teaching=5)
    assert teacher_refusals(project, teacher) == []


def test_r33_cap_of_two_per_cycle_by_default(make_project, past_project, teacher, enrol):
    enrol(past_project(2026, category="thematic", end=dt.date(2026, 7, 1)), teacher, "completed")
    enrol(make_project(category="workshop"), teacher, "enrolled")
    project = make_project(category="backbone")
    assert "cycle_cap" in codes(teacher_refusals(project, teacher))


def test_r33_cap_is_a_setting(make_project, past_project, teacher, enrol, personas):
    enrol(past_project(2026, category="thematic", end=dt.date(2026, 7, 1)), teacher, "completed")
    enrol(make_project(category="workshop"), teacher, "enrolled")
    setting_set(key="enrolment.cycle_cap", value=3, actor=personas.province)
    assert teacher_refusals(make_project(category="backbone"), teacher) == []


def test_r33_same_category_twice_in_a_cycle_is_refused(make_project, past_project, teacher, enrol):
    enrol(past_project(2026, category="backbone", end=dt.date(2026, 7, 1)), teacher, "completed")
    found = teacher_refusals(make_project(category="backbone"), teacher)
    assert codes(found) == ["cycle_category"]
    assert found[0].rule == "R33"


def test_r33_previous_cycle_does_not_count(make_project, past_project, teacher, enrol):
    # 2021-2025 is the previous cycle for a 2026+ project (cycle_first_year 2021, 5 years).
    enrol(past_project(2023, category="backbone", end=dt.date(2023, 7, 1)), teacher, "completed")
    enrol(past_project(2024, category="thematic", end=dt.date(2024, 7, 1)), teacher, "completed")
    assert teacher_refusals(make_project(category="backbone"), teacher) == []


@pytest.mark.parametrize("outcome", ["no_show", "dismissed", "not_completed"])
def test_r34_ban_lasts_three_years_from_the_end_date(make_project, past_project, teacher, enrol, outcome):
    enrol(past_project(2024, end=dt.date(2024, 7, 1), name="2024年青年教师助力培训"), teacher, outcome)
    before = make_project(start=dt.date(2027, 6, 30), category="thematic")
    on_the_day = make_project(start=dt.date(2027, 7, 1), category="workshop")
    found = teacher_refusals(before, teacher)
    assert codes(found) == ["banned"] and found[0].rule == "R34"
    assert "2027-07-01" in found[0].message and "2024" in found[0].message
    assert teacher_refusals(on_the_day, teacher) == []


def test_r34_ban_sentence_in_chinese(make_project, past_project, teacher, enrol):
    enrol(past_project(2024, end=dt.date(2024, 7, 1), name="青年教师助力培训"), teacher, "not_completed")
    with translation.override("zh-hans"):
        found = teacher_refusals(make_project(start=dt.date(2027, 3, 1), category="thematic"), teacher)
    assert found[0].message == "2024年《青年教师助力培训》项目未结业，2027-07-01 前不得参加国培"


def test_r34_completed_or_withdrawn_before_start_is_no_violation(make_project, past_project, teacher, enrol):
    # R36: a withdrawal before the start is not a violation.
    enrol(past_project(2024, end=dt.date(2024, 7, 1)), teacher, "withdrawn")
    assert teacher_refusals(make_project(category="thematic"), teacher) == []


def test_r34_integrity_record_shows_ban_and_end_date(past_project, teacher, enrol):
    enrol(past_project(2025, end=dt.date(2025, 7, 1)), teacher, "no_show")
    record = integrity_record(teacher, today=dt.date(2026, 11, 1))
    assert record.banned_until == dt.date(2028, 7, 1)
    assert not record.eligible_now
    assert integrity_record(teacher, today=dt.date(2028, 7, 2)).banned_until is None


def _exempt(outcome, personas, status):
    x = Exemption.objects.create(enrolment=outcome, ground="illness", explanation="住院",
                                 evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4"), applied_by=personas.county)
    Exemption.objects.filter(pk=x.pk).update(status=status)
    return x


def test_r35_approved_exemption_lifts_the_ban_and_keeps_the_outcome(make_project, past_project, teacher, enrol, personas):
    outcome = enrol(past_project(2025, end=dt.date(2025, 7, 1)), teacher, "no_show")
    project = make_project(category="thematic")
    assert codes(teacher_refusals(project, teacher)) == ["banned"]
    _exempt(outcome, personas, "approved")
    assert teacher_refusals(project, teacher) == []
    assert Enrolment.objects.get(pk=outcome.pk).status == "no_show"


def test_r35_refused_or_pending_exemption_keeps_the_ban(make_project, past_project, teacher, enrol, personas):
    outcome = enrol(past_project(2025, end=dt.date(2025, 7, 1)), teacher, "dismissed")
    _exempt(outcome, personas, "recommended")
    assert codes(teacher_refusals(make_project(category="thematic"), teacher)) == ["banned"]


def test_r35_exemption_workflow_county_recommends_province_approves(past_project, teacher, enrol, personas):
    outcome = enrol(past_project(2025, end=dt.date(2025, 7, 1)), teacher, "no_show")
    x = services.exemption_apply(actor=personas.county, enrolment=outcome, ground="maternity", explanation="产假",
                                 evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4"))
    with pytest.raises(DomainError) as refused:
        services.exemption_move(actor=personas.province, exemption=x, name="recommend")
    assert refused.value.code == "transition_forbidden"
    services.exemption_move(actor=personas.county, exemption=x, name="recommend")
    for wrong in (personas.county, personas.school, personas.other_county, personas.henan_province):
        with pytest.raises(DomainError) as refused:
            services.exemption_move(actor=wrong, exemption=x, name="approve")
        assert refused.value.code == "transition_forbidden"
    services.exemption_move(actor=personas.province, exemption=x, name="approve")
    assert Exemption.objects.get(pk=x.pk).status == "approved"


def test_r35_exemption_needs_evidence_and_a_banning_outcome(past_project, teacher, enrol, personas):
    done = enrol(past_project(2025, end=dt.date(2025, 7, 1)), teacher, "completed")
    with pytest.raises(DomainError) as refused:
        services.exemption_apply(actor=personas.county, enrolment=done, ground="illness", explanation="x",
                                 evidence=SimpleUploadedFile("a.pdf", b"x"))
    assert refused.value.code == "exemption_not_needed"


def test_r35_county_may_refuse_before_recommending(past_project, teacher, enrol, personas):
    outcome = enrol(past_project(2025, end=dt.date(2025, 7, 1)), teacher, "no_show")
    x = _exempt(outcome, personas, "applied")
    with pytest.raises(DomainError) as refused:
        services.exemption_move(actor=personas.county, exemption=x, name="refuse")
    assert refused.value.code == "reason_required"
    services.exemption_move(actor=personas.county, exemption=x, name="refuse", reason="证明材料不全")
    assert Exemption.objects.get(pk=x.pk).status == "refused"


def test_screening_query_count_does_not_grow_with_applicants(make_project, make_teacher, enrol, past_project,
                                                             django_assert_num_queries):
    small, large = make_project(quota=5), make_project(quota=5, category="thematic")
    old = past_project(2025, end=dt.date(2025, 7, 1))
    for i in range(3):
        enrol(small, make_teacher())
    for i in range(40):
        t = make_teacher()
        enrol(large, t)
        if i % 4 == 0:
            enrol(old, t, "no_show")
    with django_assert_num_queries(6):
        screen_project(small)
    with django_assert_num_queries(6):
        result = screen_project(large)
    assert sum(1 for r in result.values() if r) == 10
