"""Whole-staff training (R49): one set-based enrolment of every teacher of the county who meets the criteria,
no selection steps (R32), no cap or repeat rule (R33), no ban (R34) either way, hours towards R42."""
import datetime as dt

import pytest
from django.urls import reverse

from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from projects.enrolment.eligibility import integrity_record, teacher_refusals
from projects.enrolment.models import CreditRecord, Enrolment
from projects.enrolment.selectors import teacher_credit_totals
from projects.enrolment.whole_staff import whole_staff_enrol, whole_staff_preview
from tests.factories import region

pytestmark = pytest.mark.django_db


@pytest.fixture
def whole_staff(make_project):
    project = make_project(category="whole_staff", quota=1, target_stages=["primary"], name="2026年全员培训")
    project.regions.set([region("360121")])
    return project


@pytest.fixture
def county_teachers(make_teacher, orgs):
    from tests.factories import SchoolFactory

    primary = [make_teacher(name=f"小学{i}", stage="primary") for i in range(4)]
    junior_school = SchoolFactory(name="南昌县第一中学", region=region("360121"), stage="junior")
    junior = make_teacher(school=junior_school, name="初中教师", stage="junior")
    outsider = make_teacher(school=orgs.other_school, name="外县教师", stage="primary")
    return primary, junior, outsider


def test_r49_county_enrols_every_teacher_meeting_the_criteria_in_one_step(whole_staff, county_teachers, personas):
    primary, junior, outsider = county_teachers
    added = whole_staff_enrol(actor=personas.county, project=whole_staff)
    assert added == 4  # beyond the quota of 1: R32's selection does not apply
    rows = Enrolment.objects.filter(project=whole_staff)
    assert sorted(rows.values_list("teacher__name", flat=True)) == [t.name for t in primary]
    assert set(rows.values_list("status", flat=True)) == {"enrolled"}  # no recommend/select/publicity steps
    # R3: one audit row per enrolment, naming the teacher.
    events = AuditEvent.objects.filter(action="create", object_id__in=[str(pk) for pk in rows.values_list("pk", flat=True)])
    assert events.count() == 4 and all(e.object_repr.startswith("小学") for e in events)
    # Running again adds nobody (R37: one enrolment per teacher and project).
    assert whole_staff_enrol(actor=personas.county, project=whole_staff) == 0


def test_r49_preview_shows_the_count_and_who_is_left_out_and_why(whole_staff, county_teachers, personas, enrol):
    primary, junior, outsider = county_teachers
    enrol(whole_staff, primary[0], status="enrolled")
    preview = whole_staff_preview(actor=personas.county, project=whole_staff)
    assert (preview.to_enrol, preview.already, preview.left_out) == (3, 1, 1)
    assert [t.name for t, _r in preview.sample] == ["初中教师"]
    assert preview.sample[0][1][0].code == "criteria_stage" and preview.sample[0][1][0].rule == "R31"


def test_r49_enrolment_ignores_bans_and_caps_and_leaves_them_untouched(whole_staff, county_teachers, personas,
                                                                       past_project, enrol, settings):
    primary, _junior, _outsider = county_teachers
    banned, capped = primary[0], primary[1]
    enrol(past_project(2025, category="backbone"), banned, status="no_show")  # R34: banned until 2028
    enrol(past_project(2024, category="backbone", name="A"), capped, status="completed")
    enrol(past_project(2025, category="thematic", name="B"), capped, status="completed")  # R33: 2 of 2
    assert integrity_record(banned).banned_until is not None
    assert whole_staff_enrol(actor=personas.county, project=whole_staff) == 4
    assert Enrolment.objects.filter(project=whole_staff, teacher__in=[banned, capped], status="enrolled").count() == 2
    # The ban and its end date stay as they were.
    assert integrity_record(banned).banned_until == dt.date(2028, 7, 1)


def test_r49_outcome_in_whole_staff_bans_nobody_and_does_not_count_to_the_cap(make_project, make_teacher, enrol,
                                                                              past_project):
    teacher = make_teacher(stage="primary")
    enrol(past_project(2026, category="whole_staff", name="2026年全员培训"), teacher, status="no_show")
    enrol(past_project(2026, category="thematic", name="专题培训"), teacher, status="completed")
    record = integrity_record(teacher)
    assert record.banned_until is None and record.cycle_count == 1
    new = make_project(category="backbone")
    assert teacher_refusals(new, teacher) == []  # no R34 ban, and one project of 2 in the cycle (R33)


def test_r49_whole_staff_hours_count_towards_the_yearly_target(whole_staff, make_teacher, enrol):
    teacher = make_teacher(stage="primary")
    e = enrol(whole_staff, teacher, status="completed")
    CreditRecord.objects.create(enrolment=e, hours=whole_staff.hours, year=2026, status="approved")
    assert teacher_credit_totals(teacher=teacher, year=2026)["this_year"] == whole_staff.hours  # R42


@pytest.mark.parametrize("who", ["school", "institution", "province", "auditor"])
def test_r49_only_the_county_or_city_enrols_whole_staff(whole_staff, county_teachers, personas, who):
    with pytest.raises(DomainError) as err:
        whole_staff_enrol(actor=getattr(personas, who), project=whole_staff)
    assert err.value.code == "transition_forbidden"
    assert not Enrolment.objects.filter(project=whole_staff).exists()


def test_r49_an_ordinary_project_is_not_enrolled_wholesale(make_project, county_teachers, personas):
    with pytest.raises(DomainError) as err:
        whole_staff_enrol(actor=personas.county, project=make_project(category="backbone"))
    assert err.value.code == "transition_forbidden"


def test_r49_other_county_enrols_only_its_own_teachers(whole_staff, county_teachers, personas):
    whole_staff.regions.add(region("360112"))
    assert whole_staff_enrol(actor=personas.other_county, project=whole_staff) == 1
    assert list(Enrolment.objects.filter(project=whole_staff).values_list("teacher__name", flat=True)) == ["外县教师"]


def test_r49_page_previews_then_enrols_and_refuses_other_roles(whole_staff, county_teachers, personas, login):
    url = reverse("enrolment:whole_staff", args=[whole_staff.pk])
    page = login(personas.county).get(url)
    assert page.status_code == 200 and "初中教师" in page.content.decode()
    response = login(personas.county).post(url)
    assert response.status_code == 302 and Enrolment.objects.filter(project=whole_staff).count() == 4
    assert login(personas.institution).get(url).status_code == 403
    assert login(personas.school).post(url).status_code == 403


def test_r49_a_whole_staff_project_takes_no_applications(whole_staff, county_teachers, personas):
    from projects.enrolment import services

    with pytest.raises(DomainError) as err:
        services.enrolment_apply(actor=personas.county, project=whole_staff, teacher=county_teachers[0][0])
    assert err.value.code == "whole_staff_no_applications"


def test_r49_applicant_import_refuses_a_whole_staff_project_in_chinese(whole_staff, personas, login,
                                                                       django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from backoffice.demo import make_id_number
    from projects.enrolment.imports import run_import
    from projects.enrolment.models import ImportJob
    from tests.enrolment.xlsx import row, workbook

    data = workbook([row("甲", make_id_number("360121", dt.date(1985, 1, 1), 101))])
    with translation.override("zh-hans"):
        result = run_import(actor=personas.county, kind="applicants", data=data, name="申报.xlsx", project=whole_staff)
    assert not result.ok and result.refused_code == "whole_staff_no_applications"
    assert "全员培训项目不接受报名" in result.errors[0]["message"]
    # The upload page refuses at once, before any job runs, and writes nothing.
    client = login(personas.county)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolment:project_import", args=[whole_staff.pk]),
                               {"file": SimpleUploadedFile("申报.xlsx", data)}, follow=True)
    assert "全员培训项目不接受报名" in response.content.decode()
    assert not ImportJob.objects.exists() and not Enrolment.objects.filter(project=whole_staff).exists()


def test_r49_preview_of_a_project_without_criteria_counts_everyone(make_project, county_teachers, personas):
    # A whole-staff project for all the county's teachers (no criteria): nobody is left out, and the counts show
    # (a filter matching nothing used to empty the whole count, so the page read 0 to enrol and 0 enrolled).
    project = make_project(category="whole_staff", quota=1, target_stages=[], name="全员培训（不限学段）")
    project.regions.set([region("360121")])
    before = whole_staff_preview(actor=personas.county, project=project)
    assert (before.to_enrol, before.already, before.left_out) == (5, 0, 0)
    whole_staff_enrol(actor=personas.county, project=project)
    after = whole_staff_preview(actor=personas.county, project=project)
    assert (after.to_enrol, after.already, after.left_out) == (0, 5, 0)
