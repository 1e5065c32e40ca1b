"""R32, R36, R37 and R40-R45 through the services: every enrolment transition, allowed and refused."""
import datetime as dt

import pytest
from django.utils import timezone

from backoffice.config import setting_set
from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from projects.enrolment import services
from projects.enrolment.dates import add_working_days
from projects.enrolment.models import Certificate, CreditRecord, Enrolment
from projects.enrolment.selectors import (
    certificate_verify,
    completed_counts_by_county,
    outcome_counts,
    teacher_credit_totals,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def refused(code, func, **kwargs):
    with pytest.raises(DomainError) as exc:
        func(**kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


def status(e):
    return Enrolment.objects.get(pk=e.pk).status


# -- apply and recommend ------------------------------------------------------------------------------
def test_r37_one_enrolment_per_project_and_teacher(project, teacher, personas):
    services.enrolment_apply(actor=personas.school, project=project, teacher=teacher)
    refused("already_applied", services.enrolment_apply, actor=personas.county, project=project, teacher=teacher)
    assert Enrolment.objects.filter(project=project, teacher=teacher).count() == 1


def test_r32_apply_refused_outside_the_dispatching_unit(project, teacher, personas):
    for actor in (personas.other_county, personas.institution, personas.province, personas.auditor):
        refused("not_dispatching_unit", services.enrolment_apply, actor=actor, project=project, teacher=teacher)


@pytest.mark.parametrize("who", ["county", "school", "city"])
def test_r32_recommend_allowed_for_school_county_and_city(project, teacher, enrol, personas, who):
    e = enrol(project, teacher)
    services.enrolment_recommend(actor=personas[who], enrolment=e)
    assert status(e) == "recommended"
    event = AuditEvent.objects.get(object_id=str(e.pk), transition="recommend")
    assert (event.from_state, event.to_state, event.actor) == ("applied", "recommended", personas[who])


@pytest.mark.parametrize("who", ["other_county", "institution", "auditor", "expert", "finance"])
def test_r32_recommend_refused_for_other_roles(project, teacher, enrol, personas, who):
    e = enrol(project, teacher)
    refused("transition_forbidden", services.enrolment_recommend, actor=personas[who], enrolment=e)
    assert status(e) == "applied"
    assert not AuditEvent.objects.filter(object_id=str(e.pk), transition="recommend").exists()


def test_r31_recommend_refused_for_an_ineligible_teacher_with_the_criterion(make_project, teacher, enrol, personas):
    e = enrol(make_project(rural_only=True), teacher)
    error = refused("ineligible", services.enrolment_recommend, actor=personas.county, enrolment=e)
    assert error.message.startswith("R31")


def test_r31_reject_carries_the_rule(project, teacher, enrol, personas):
    e = enrol(project, teacher, "recommended")
    refused("reason_required", services.enrolment_reject, actor=personas.county, enrolment=e, reason="")
    refused("transition_forbidden", services.enrolment_reject, actor=personas.institution, enrolment=e, reason="x")
    services.enrolment_reject(actor=personas.county, enrolment=e, reason="不符合学段要求", rule="R31")
    e.refresh_from_db()
    assert (e.status, e.reject_rule) == ("rejected", "R31")


def test_r31_bulk_screening_rejects_each_ineligible_applicant_with_its_rule(make_project, make_teacher, past_project,
                                                                           enrol, personas):
    project = make_project(category="thematic")
    ok, banned = make_teacher(), make_teacher()
    enrol(past_project(2025, end=dt.date(2025, 7, 1)), banned, "no_show")
    e_ok, e_banned = enrol(project, ok), enrol(project, banned)
    refused("transition_forbidden", services.applicants_reject_ineligible, actor=personas.institution, project=project)
    assert services.applicants_reject_ineligible(actor=personas.county, project=project) == 1
    e_banned.refresh_from_db()
    assert (status(e_ok), e_banned.status, e_banned.reject_rule) == ("applied", "rejected", "R34")
    assert "2028-07-01" in e_banned.reject_reason
    event = AuditEvent.objects.get(object_id=str(e_banned.pk), transition="reject")
    assert event.actor == personas.county and event.reason.startswith("R34")


def test_r32_applications_close_when_project_not_contracted(make_project, teacher, enrol, personas):
    e = enrol(make_project(status="in_progress", start=TODAY() - dt.timedelta(days=1)), teacher)
    refused("project_not_open", services.enrolment_recommend, actor=personas.county, enrolment=e)


# -- selection within the quota, reserve list ---------------------------------------------------------
def test_r32_institution_selects_within_quota_and_the_rest_go_to_reserve_in_order(project, make_teacher, enrol, personas):
    base = timezone.now()
    people = [enrol(project, make_teacher(), "recommended", submitted_at=base + dt.timedelta(minutes=i)) for i in range(4)]
    refused("transition_forbidden", services.project_select_in_order, actor=personas.other_institution, project=project)
    counts = services.project_select_in_order(actor=personas.institution, project=project)
    assert counts == {"selected": 2, "reserve": 2}
    assert [status(e) for e in people] == ["selected", "selected", "reserve", "reserve"]


def test_r32_select_refused_when_quota_full_and_reserve_refused_when_places_free(project, make_teacher, enrol, personas):
    enrol(project, make_teacher(), "selected")
    free = enrol(project, make_teacher(), "recommended")
    refused("quota_not_full", services.enrolment_move, actor=personas.institution, enrolment=free, name="reserve")
    enrol(project, make_teacher(), "publicised")
    late = enrol(project, make_teacher(), "recommended")
    refused("quota_full", services.enrolment_move, actor=personas.institution, enrolment=late, name="select")
    assert services.enrolment_select(actor=personas.institution, enrolment=late).status == "reserve"


@pytest.mark.parametrize("who", ["county", "province", "other_institution", "school"])
def test_r32_select_refused_for_anyone_but_the_projects_institution(project, teacher, enrol, personas, who):
    e = enrol(project, teacher, "recommended")
    refused("transition_forbidden", services.enrolment_move, actor=personas[who], enrolment=e, name="select")


# -- publicity and enrolment ----------------------------------------------------------------------------
def test_r32_publicity_lasts_five_working_days_by_default(project, teacher, enrol, personas):
    e = enrol(project, teacher, "selected")
    refused("transition_forbidden", services.project_publicise, actor=personas.institution, project=project)
    services.project_publicise(actor=personas.province, project=project)
    e.refresh_from_db()
    assert e.status == "publicised"
    assert e.publicity_ends_on == add_working_days(TODAY(), 5)


def test_r32_publicity_window_is_a_setting(project, teacher, enrol, personas):
    setting_set(key="enrolment.publicity_working_days", value=3, actor=personas.province)
    e = enrol(project, teacher, "selected")
    services.project_publicise(actor=personas.province, project=project)
    e.refresh_from_db()
    assert e.publicity_ends_on == add_working_days(TODAY(), 3)


def test_r32_working_days_skip_weekends(db):
    friday = dt.date(2026, 11, 20)
    assert add_working_days(friday, 5) == dt.date(2026, 11, 27)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 23)


def test_r32_nobody_is_enrolled_before_the_publicity_window_ends(project, teacher, enrol, personas):
    e = enrol(project, teacher, "publicised", publicity_ends_on=TODAY())
    refused("publicity_running", services.enrolment_move, actor=personas.province, enrolment=e, name="enrol")
    refused("publicity_running", services.project_enrol_publicised, actor=personas.province, project=project)
    Enrolment.objects.filter(pk=e.pk).update(publicity_ends_on=TODAY() - dt.timedelta(days=1))
    refused("transition_forbidden", services.enrolment_move, actor=personas.institution, enrolment=e, name="enrol")
    assert services.project_enrol_publicised(actor=personas.province, project=project) == 1
    assert status(e) == "enrolled"


# -- withdrawal and replacement (R36) ------------------------------------------------------------------
def test_r36_withdrawal_before_start_frees_the_place_for_the_first_reserve(project, make_teacher, enrol, personas):
    base = timezone.now()
    leaving = enrol(project, make_teacher(), "publicised")
    enrol(project, make_teacher(), "selected")
    second = enrol(project, make_teacher(), "reserve", submitted_at=base + dt.timedelta(minutes=2))
    first = enrol(project, make_teacher(), "reserve", submitted_at=base + dt.timedelta(minutes=1))
    refused("reason_required", services.enrolment_withdraw, actor=personas.county, enrolment=leaving, reason="")
    refused("transition_forbidden", services.enrolment_withdraw, actor=personas.institution, enrolment=leaving, reason="x")
    services.enrolment_withdraw(actor=personas.school, enrolment=leaving, reason="工作调动")
    first.refresh_from_db()
    assert (status(leaving), first.status, status(second)) == ("withdrawn", "selected", "reserve")
    assert first.replaced_id == leaving.pk


def test_r36_withdrawal_is_no_violation(make_project, project, teacher, enrol, personas):
    e = enrol(project, teacher, "enrolled")
    services.enrolment_withdraw(actor=personas.county, enrolment=e, reason="生病")
    from projects.enrolment.eligibility import teacher_refusals

    assert teacher_refusals(make_project(category="thematic"), teacher) == []


def test_r36_no_withdrawal_after_the_start(make_project, teacher, enrol, personas):
    started = make_project(status="in_progress", start=TODAY() - dt.timedelta(days=2))
    e = enrol(started, teacher, "enrolled")
    refused("project_started", services.enrolment_withdraw, actor=personas.county, enrolment=e, reason="x")
    assert status(e) == "enrolled"


def test_r36_withdrawal_after_start_is_recorded_as_not_completed(make_project, teacher, enrol, personas):
    started = make_project(status="in_progress", start=TODAY() - dt.timedelta(days=2))
    e = enrol(started, teacher, "in_training")
    services.enrolment_move(actor=personas.institution, enrolment=e, name="fail", reason="中途退出")
    assert status(e) == "not_completed"


# -- training and outcomes ---------------------------------------------------------------------------------
@pytest.fixture
def running(make_project):
    return make_project(status="in_progress", start=TODAY() - dt.timedelta(days=5), end=TODAY() + dt.timedelta(days=5),
                        hours=80)


@pytest.mark.parametrize("name,start,target,reason", [
    ("check_in", "enrolled", "in_training", ""),
    ("no_show", "enrolled", "no_show", "未报到"),
    ("complete", "in_training", "completed", ""),
    ("fail", "in_training", "not_completed", "考核不合格"),
    ("dismiss", "in_training", "dismissed", "违反纪律"),
])
def test_outcomes_are_recorded_by_the_projects_institution(running, teacher, enrol, personas, name, start, target, reason):
    e = enrol(running, teacher, start)
    for wrong in (personas.county, personas.other_institution, personas.province):
        refused("transition_forbidden", services.enrolment_move, actor=wrong, enrolment=e, name=name, reason=reason or "x")
    if reason:
        refused("reason_required", services.enrolment_move, actor=personas.institution, enrolment=e, name=name)
    services.enrolment_move(actor=personas.institution, enrolment=e, name=name, reason=reason)
    assert status(e) == target


def test_check_in_refused_before_the_project_starts(project, teacher, enrol, personas):
    e = enrol(project, teacher, "enrolled")
    refused("project_not_started", services.enrolment_move, actor=personas.institution, enrolment=e, name="check_in")


# -- credit hours (R40-R42) ---------------------------------------------------------------------------------
def test_r40_r41_completion_registers_hours_pending_the_organisers_audit(running, teacher, enrol, personas):
    e = enrol(running, teacher, "in_training")
    services.enrolment_move(actor=personas.institution, enrolment=e, name="complete")
    credit = CreditRecord.objects.get(enrolment=e)
    assert (credit.status, credit.hours) == ("registered", 80)
    assert teacher_credit_totals(teacher=teacher, year=credit.year)["cycle_hours"] == 0  # not counted before the audit
    for wrong in (personas.institution, personas.county, personas.henan_province):
        refused("transition_forbidden", services.credit_move, actor=wrong, credit=credit, name="approve")
    services.credit_move(actor=personas.office, credit=credit, name="approve")
    totals = teacher_credit_totals(teacher=teacher, year=credit.year)
    assert totals["cycle_hours"] == 80 and totals["cycle_credits"] == 4.0


def test_r40_credited_hours_never_exceed_the_projects(running, teacher, enrol, personas):
    e = enrol(running, teacher, "completed")
    refused("hours_exceed_project", services.credit_register, actor=personas.institution, enrolment=e, hours=81)
    credit = services.credit_register(actor=personas.institution, enrolment=e, hours=60)
    CreditRecord.objects.filter(pk=credit.pk).update(hours=90)
    refused("hours_exceed_project", services.credit_move, actor=personas.office, credit=credit, name="approve")


def test_r40_only_completed_trainees_get_hours(running, teacher, enrol, personas):
    e = enrol(running, teacher, "not_completed")
    refused("not_completed", services.credit_register, actor=personas.institution, enrolment=e)


def test_r42_yearly_target_and_credit_size_are_settings(running, teacher, enrol, personas):
    e = enrol(running, teacher, "completed")
    credit = services.credit_register(actor=personas.institution, enrolment=e)
    services.credit_move(actor=personas.province, credit=credit, name="approve")
    totals = teacher_credit_totals(teacher=teacher, year=credit.year)
    assert (totals["target"], totals["per_credit"]) == (60, 20)
    assert next(y for y in totals["years"] if y["year"] == credit.year)["met"] is True
    setting_set(key="credit.yearly_target_hours", value=90, actor=personas.province)
    setting_set(key="credit.hours_per_credit", value=40, actor=personas.province)
    totals = teacher_credit_totals(teacher=teacher, year=credit.year)
    assert totals["cycle_credits"] == 2.0
    assert next(y for y in totals["years"] if y["year"] == credit.year)["met"] is False


def test_r41_returned_hours_are_registered_again_by_the_institution(running, teacher, enrol, personas):
    e = enrol(running, teacher, "completed")
    credit = services.credit_register(actor=personas.institution, enrolment=e)
    services.credit_move(actor=personas.office, credit=credit, name="return_", reason="学时有误")
    refused("transition_forbidden", services.credit_move, actor=personas.county, credit=credit, name="resubmit", hours=70)
    services.credit_move(actor=personas.institution, credit=credit, name="resubmit", hours=70)
    assert CreditRecord.objects.get(pk=credit.pk).hours == 70


# -- certificates (R43-R45) ---------------------------------------------------------------------------------
def test_r43_certificates_only_for_completed_with_unique_numbers(running, make_teacher, enrol, personas):
    done = [enrol(running, make_teacher(), "completed") for _ in range(3)]
    enrol(running, make_teacher(), "not_completed")
    refused("transition_forbidden", services.certificates_issue, actor=personas.other_institution, project=running)
    certs = services.certificates_issue(actor=personas.institution, project=running)
    assert len(certs) == 3 and len({c.number for c in certs}) == 3
    assert {c.enrolment_id for c in certs} == {e.pk for e in done}
    assert services.certificates_issue(actor=personas.institution, project=running) == []  # nothing new


def test_r44_verification_needs_number_and_code(running, teacher, enrol, personas):
    enrol(running, teacher, "completed")
    cert = services.certificates_issue(actor=personas.institution, project=running)[0]
    assert certificate_verify(number=cert.number, code=cert.verification_code) == cert
    assert certificate_verify(number=cert.number.lower(), code=cert.verification_code.lower()) == cert
    assert certificate_verify(number=cert.number, code="WRONG123") is None
    assert certificate_verify(number="", code="") is None


def test_r45_corrected_outcome_withdraws_the_certificate_and_the_number_is_never_reused(running, teacher, make_teacher,
                                                                                       enrol, personas):
    e = enrol(running, teacher, "completed")
    services.credit_register(actor=personas.institution, enrolment=e)
    cert = services.certificates_issue(actor=personas.institution, project=running)[0]
    refused("transition_forbidden", services.enrolment_correct_outcome, actor=personas.institution, enrolment=e,
            reason="x")
    services.enrolment_correct_outcome(actor=personas.province, enrolment=e, reason="考勤造假")
    cert.refresh_from_db()
    assert (cert.status, status(e)) == ("withdrawn", "not_completed")
    assert CreditRecord.objects.get(enrolment=e).status == "cancelled"
    assert certificate_verify(number=cert.number, code=cert.verification_code).status == "withdrawn"
    enrol(running, make_teacher(), "completed")
    new = services.certificates_issue(actor=personas.institution, project=running)[0]
    assert new.number > cert.number and Certificate.objects.filter(number=cert.number).count() == 1


# -- figures for finance and evaluation ----------------------------------------------------------------------
def test_outcome_and_county_counts_for_teammates(running, make_teacher, enrol, orgs, django_assert_num_queries):
    for _ in range(2):
        enrol(running, make_teacher(), "completed")
    enrol(running, make_teacher(school=orgs.other_school), "completed")
    enrol(running, make_teacher(), "no_show")
    with django_assert_num_queries(1):
        counts = outcome_counts(running)
    assert (counts["completed"], counts["no_show"], counts["dismissed"]) == (3, 1, 0)
    with django_assert_num_queries(1):
        by_county = completed_counts_by_county(running)
    assert [(r["region_code"], r["completed"]) for r in by_county] == [("360112", 1), ("360121", 2)]
