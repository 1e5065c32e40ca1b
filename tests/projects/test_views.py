"""Pages: each refuses the roles that may not use it; forms show every error at once, in Chinese."""
import datetime as dt
from decimal import Decimal

import pytest

from projects.models import AnnualPlan, InspectionVisit, Project
from tests.factories import region

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client, plan):
    for url in ("/projects/", "/projects/plans/", f"/projects/plans/{plan.pk}/", "/projects/queue/"):
        assert client.get(url).status_code == 302


def test_plan_create_refused_for_non_province_roles(personas, login):
    for who in ("office", "city", "county", "institution", "auditor", "ministry", "school", "expert"):
        assert login(personas[who]).get("/projects/plans/new/").status_code == 403, who


def test_plan_create_by_province_staff(personas, login):
    client = login(personas.province)
    response = client.post("/projects/plans/new/", {"year": 2028, "title": "江西省2028年国培计划实施方案",
                                                     "central_subsidy": "20000000"})
    plan = AnnualPlan.objects.get(year=2028)
    assert response.status_code == 302 and plan.province == region("360000")
    again = client.post("/projects/plans/new/", {"year": 2028, "title": "重复", "central_subsidy": "1"})
    assert "已有2028年度方案" in again.content.decode()


def test_plan_edit_refused_for_other_roles_and_after_submission(plan, make_project, personas, login, at_state):
    for who in ("office", "city", "ministry", "henan_province", "auditor"):
        assert login(personas[who]).get(f"/projects/plans/{plan.pk}/edit/").status_code in (403, 404), who
    assert login(personas.province).get(f"/projects/plans/{plan.pk}/edit/").status_code == 200


def test_project_form_shows_all_errors_in_chinese(plan, personas, orgs, login):
    page = login(personas.province).post(f"/projects/plans/{plan.pk}/projects/new/", {
        "code": "", "name": "", "project_type": "central_western", "category": "online_research", "mode": "online",
        "hours": "0", "quota": "-1", "priority_quota": "0", "start_date": "2026-07-10", "end_date": "2026-07-01",
        "shadowing_days": "0", "budget": "abc", "office": orgs.office.pk, "owner": orgs.city.pk,
    }).content.decode()
    for message in ("该字段是必填项", "输入一个数字", "网络研修至少 80 学时", "学时必须大于零", "开始日期不能晚于结束日期", "请更正以下错误"):
        assert message in page, message
    assert not Project.objects.exists()


def test_project_created_by_province_for_an_owning_office(plan, personas, orgs, login):
    response = login(personas.province).post(f"/projects/plans/{plan.pk}/projects/new/", {
        "code": "V-1", "name": "骨干教师提升", "project_type": "central_western", "category": "backbone",
        "mode": "offline", "hours": "80", "quota": "50", "priority_quota": "10", "start_date": "2026-07-01",
        "end_date": "2026-07-10", "shadowing_days": "0", "budget": "300000", "office": orgs.office.pk,
        "owner": orgs.city.pk, "regions": [region("360100").pk], "target_stages": ["primary"],
    })
    assert response.status_code == 302
    project = Project.objects.get(code="V-1")
    assert (project.owner, project.created_by, project.target_stages) == (orgs.city, personas.province, ["primary"])


def test_project_add_refused_for_institution_and_other_province(plan, personas, login):
    assert login(personas.institution).get(f"/projects/plans/{plan.pk}/projects/new/").status_code == 404
    assert login(personas.henan_province).get(f"/projects/plans/{plan.pk}/projects/new/").status_code == 404
    assert login(personas.auditor).get(f"/projects/plans/{plan.pk}/projects/new/").status_code == 403


def test_project_edit_only_by_owning_office(project, personas, login):
    assert login(personas.city).get(f"/projects/{project.pk}/edit/").status_code == 200
    for who in ("province", "office", "auditor"):
        assert login(personas[who]).get(f"/projects/{project.pk}/edit/").status_code == 403, who


def test_project_page_shows_only_actions_the_role_may_take(project, personas, login):
    # The owner (the city bureau) submits; the department never can, so it sees no greyed-out "Submit".
    page = login(personas.province).get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="actions"' in page
    assert 'data-transition="submit"' not in page and "您的角色或管辖范围不允许" not in page
    owner = login(personas.city).get(f"/projects/{project.pk}/").content.decode()
    assert 'data-transition="submit"' in owner


def test_transition_post_through_the_page(project, personas, login):
    client = login(personas.city)
    client.post(f"/projects/{project.pk}/transition/", {"transition": "submit"})
    project.refresh_from_db()
    assert project.status == "submitted"
    page = login(personas.office).post(f"/projects/{project.pk}/transition/", {"transition": "return_", "reason": ""},
                                       follow=True).content.decode()
    assert "需要填写原因" in page or "原因" in page
    project.refresh_from_db()
    assert project.status == "submitted"


def test_transition_post_refused_for_wrong_role(project, personas, login):
    login(personas.office).post(f"/projects/{project.pk}/transition/", {"transition": "submit"})
    project.refresh_from_db()
    assert project.status == "draft"
    assert login(personas.henan_province).post(f"/projects/{project.pk}/transition/",
                                               {"transition": "submit"}).status_code == 404


def test_project_list_refused_rows_outside_scope(project, personas, login):
    assert project.name not in login(personas.henan_province).get("/projects/").content.decode()
    assert login(personas.henan_province).get(f"/projects/{project.pk}/").status_code == 404


# -- inspection visits (视导) -----------------------------------------------------------------------
@pytest.fixture
def running(project, at_state, orgs):
    at_state(project.plan, "filed")
    Project.objects.filter(pk=project.pk).update(institution=orgs.institution, unit_price=Decimal("12.50"))
    return at_state(project, "in_progress")


VISIT = {"visit_date": "2026-07-05", "inspectors": "王主任、赵科长", "findings": "学员考勤记录不完整",
         "rectification_deadline": "2026-07-12", "rectification_status": "pending"}


def test_inspection_visit_recorded_and_listed(running, personas, login):
    client = login(personas.office)
    client.post(f"/projects/{running.pk}/inspections/", VISIT)
    visit = InspectionVisit.objects.get()
    assert (visit.inspectors, visit.rectification_deadline) == ("王主任、赵科长", dt.date(2026, 7, 12))
    page = client.get(f"/projects/{running.pk}/").content.decode()
    assert "学员考勤记录不完整" in page and "待整改" in page
    client.post(f"/projects/{running.pk}/inspections/{visit.pk}/status/", {"status": "done"})
    visit.refresh_from_db()
    assert visit.rectification_status == "done"


def test_inspection_visit_refused_for_other_roles(running, personas, login):
    for who in ("institution", "city", "auditor"):
        response = login(personas[who]).post(f"/projects/{running.pk}/inspections/", VISIT)
        assert response.status_code in (403, 404), who
    assert not InspectionVisit.objects.exists()


def test_inspection_visit_only_on_projects_in_progress(project, personas):
    from backoffice.exceptions import DomainError
    from projects.services import inspection_visit_record

    with pytest.raises(DomainError) as err:
        inspection_visit_record(actor=personas.office, project=project, visit_date=dt.date(2026, 7, 5),
                                inspectors="王", findings="无")
    assert err.value.code == "project_not_in_progress"


def test_inspection_visit_pending_needs_a_deadline(running, personas, login):
    login(personas.office).post(f"/projects/{running.pk}/inspections/", {**VISIT, "rectification_deadline": ""})
    assert not InspectionVisit.objects.exists()


# -- demo data ----------------------------------------------------------------------------------------
def test_demo_step_is_idempotent_and_leaves_projects_ready_for_tendering(db, monkeypatch):
    from backoffice import demo
    from projects.demo import demo_plans

    # Only this app's step: the tendering demo, when installed, goes on to tender the filed projects.
    monkeypatch.setattr(demo, "DEMO_STEPS", [(10, demo_plans)])
    demo.seed_demo(teachers_per_school=0)
    demo.seed_demo(teachers_per_school=0)
    plan = AnnualPlan.objects.get(province__code="360000", year=2026)
    assert plan.status == "filed"
    assert plan.projects.filter(status="filed").count() >= 2
    contracted = plan.projects.get(status="contracted")
    assert (contracted.institution.name, contracted.unit_price) == ("江西师范大学", Decimal("12.50"))
    assert AnnualPlan.objects.filter(province__code="360000").count() == 2
    assert Project.objects.filter(plan__year=2027, status="returned").exclude(return_reason="").exists()


def test_project_page_links_the_plan_only_for_roles_that_may_open_it(make_project, plan, orgs, personas, login):
    project = make_project(institution=orgs.institution)
    plan_url = f'href="/projects/plans/{plan.pk}/"'
    page = login(personas.institution).get(f"/projects/{project.pk}/")
    assert page.status_code == 200 and plan.title in page.content.decode()
    assert plan_url not in page.content.decode()
    assert login(personas.institution).get(f"/projects/plans/{plan.pk}/").status_code == 404
    assert plan_url in login(personas.province).get(f"/projects/{project.pk}/").content.decode()


@pytest.mark.parametrize("year", ["99999999999", "32767", "1999", "2101"])
def test_plan_year_out_of_range_is_refused_in_chinese(personas, login, year):
    page = login(personas.province).post("/projects/plans/new/", {"year": year, "title": "方案",
                                                                   "central_subsidy": "100000"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "2000" in body and "2100" in body and "年份" in body
    assert not AnnualPlan.objects.exists()
