"""R10-R16: each guard refused and allowed, settings with their default and a changed value."""
import datetime as dt
from decimal import Decimal

import pytest

from backoffice.config import get_setting, setting_set
from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from backoffice.workflow import actions_for
from projects import calculations, services
from projects.models import PlanStatus, ProjectStatus
from projects.selectors import plan_summary
from tests.factories import region

pytestmark = pytest.mark.django_db


# -- R10 -------------------------------------------------------------------------------------------
def test_r10_one_plan_per_province_and_year(plan, personas):
    with pytest.raises(DomainError) as err:
        services.plan_create(actor=personas.province, province=region("360000"), year=2026, title="重复",
                             central_subsidy=Decimal("1"))
    assert err.value.code == "r10_plan_exists"


def test_r10_plan_created_only_for_own_province(personas):
    with pytest.raises(DomainError) as err:
        services.plan_create(actor=personas.province, province=region("410000"), year=2026, title="河南",
                             central_subsidy=Decimal("1"))
    assert err.value.code == "forbidden"
    plan = services.plan_create(actor=personas.henan_province, province=region("410000"), year=2026, title="河南方案",
                                central_subsidy=Decimal("1"))
    assert plan.created_by == personas.henan_province


def test_r10_plan_create_takes_the_actors_own_province_when_none_is_named(personas):
    plan = services.plan_create(actor=personas.henan_province, year=2027, title="河南方案", central_subsidy=Decimal("1"))
    assert plan.province == region("410000")
    from tests.factories import UserFactory

    root = UserFactory(is_superuser=True, organisation=None)
    with pytest.raises(DomainError) as err:  # no province of their own: the service refuses, not the view
        services.plan_create(actor=root, year=2027, title="无省份", central_subsidy=Decimal("1"))
    assert err.value.code == "forbidden"


def test_r10_project_filed_only_with_its_plan(project, personas, at_state):
    """Tendering starts from "filed"; a project gets there only when its plan is filed with the ministry."""
    from backoffice.workflow import fire
    from projects.models import Project

    at_state(project, ProjectStatus.APPROVED)
    at_state(project.plan, PlanStatus.APPROVED)  # approved, not yet filed
    with pytest.raises(DomainError) as err:
        fire(Project, project.pk, name="file", actor=personas.ministry)
    assert err.value.code == "r10_plan_not_filed"
    with pytest.raises(DomainError) as err:
        services.project_put_to_tender(project=project, actor=personas.province)
    assert err.value.code == "transition_not_allowed"
    services.plan_file(plan=project.plan, actor=personas.ministry)
    project.refresh_from_db()
    assert project.status == "filed"
    assert services.project_put_to_tender(project=project, actor=personas.province).status == "tendering"


# -- R11 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("field,value,message_part", [
    ("hours", 0, "学时"), ("quota", 0, "名额"), ("end_date", dt.date(2026, 6, 1), "开始日期"),
])
def test_r11_hours_quota_and_dates_refused(field, value, message_part, plan, personas, orgs):
    data = _data(orgs, **{field: value})
    with pytest.raises(DomainError) as err:
        services.project_create(actor=personas.city, plan=plan, data=data)
    assert err.value.code == "invalid"
    assert field in {f for f, _ in err.value.errors}


def test_r11_all_errors_reported_at_once(plan, personas, orgs):
    data = _data(orgs, hours=0, quota=0, end_date=dt.date(2026, 6, 1))
    with pytest.raises(DomainError) as err:
        services.project_create(actor=personas.city, plan=plan, data=data)
    assert {"hours", "quota", "end_date"} <= {f for f, _ in err.value.errors}


def test_r11_team_research_default_minimum_days(plan, personas, orgs):
    assert get_setting(calculations.TEAM_RESEARCH_MIN_DAYS) == 90
    short = _data(orgs, category="team_research", start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 5, 28),
                  shadowing_days=30)  # 89 days
    with pytest.raises(DomainError) as err:
        services.project_create(actor=personas.city, plan=plan, data=short)
    assert "90" in err.value.message
    ok = _data(orgs, code="TR-OK", category="team_research", start_date=dt.date(2026, 3, 1),
               end_date=dt.date(2026, 5, 29), shadowing_days=30)  # 90 days, 30 shadowing = 1/3
    assert services.project_create(actor=personas.city, plan=plan, data=ok).days == 90


def test_r11_team_research_shadowing_share_refused(plan, personas, orgs):
    data = _data(orgs, category="team_research", start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 5, 29),
                 shadowing_days=29)
    with pytest.raises(DomainError) as err:
        services.project_create(actor=personas.city, plan=plan, data=data)
    assert "跟岗" in err.value.message


def test_r11_team_research_minimum_days_changed_setting(plan, personas, orgs):
    setting_set(key=calculations.TEAM_RESEARCH_MIN_DAYS, value=60, actor=personas.province, province=region("360000"))
    data = _data(orgs, category="team_research", start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 4, 29),
                 shadowing_days=20)  # 60 days
    assert services.project_create(actor=personas.city, plan=plan, data=data).days == 60


def test_r11_online_research_minimum_hours_default_and_changed(plan, personas, orgs):
    assert get_setting(calculations.ONLINE_RESEARCH_MIN_HOURS) == 80
    data = _data(orgs, category="online_research", mode="online", hours=79)
    with pytest.raises(DomainError) as err:
        services.project_create(actor=personas.city, plan=plan, data=data)
    assert "80" in err.value.message
    setting_set(key=calculations.ONLINE_RESEARCH_MIN_HOURS, value=60, actor=personas.province)
    assert services.project_create(actor=personas.city, plan=plan, data=data).hours == 79


def test_r11_submit_guard_uses_current_setting(project, personas):
    """A draft saved under the old minimum is refused on submit once the setting is raised."""
    type(project).objects.filter(pk=project.pk).update(category="online_research", mode="online", hours=80)
    setting_set(key=calculations.ONLINE_RESEARCH_MIN_HOURS, value=100, actor=personas.province)
    with pytest.raises(DomainError) as err:
        services.project_submit(project=project, actor=personas.city)
    assert err.value.code == "r11_project_requirements"


# -- R12 -------------------------------------------------------------------------------------------
def test_r12_budget_over_subsidy_refused(plan, personas, orgs):
    services.project_create(actor=personas.city, plan=plan, data=_data(orgs, code="A", budget=Decimal("6000000")))
    with pytest.raises(DomainError) as err:
        services.project_create(actor=personas.city, plan=plan, data=_data(orgs, code="B", budget=Decimal("4000000.01")))
    assert "budget" in {f for f, _ in err.value.errors}
    services.project_create(actor=personas.city, plan=plan, data=_data(orgs, code="C", budget=Decimal("4000000.00")))


def test_r12_budget_over_subsidy_refused_on_submit_and_plan_submit(plan, make_project, personas):
    first = make_project(budget=Decimal("6000000"))
    make_project(budget=Decimal("5000000"))  # arranged past the form check
    with pytest.raises(DomainError) as err:
        services.project_submit(project=first, actor=personas.city)
    assert err.value.code == "r12_budget_over_subsidy"
    with pytest.raises(DomainError) as err:
        services.plan_submit(plan=plan, actor=personas.province)
    assert err.value.code == "r12_budget_over_subsidy"


def test_r12_cancelled_projects_do_not_count(plan, make_project, personas):
    big = make_project(budget=Decimal("9000000"))
    services.project_cancel(project=big, actor=personas.city, reason="预算调整")
    services.project_create(actor=personas.city, plan=plan, data=_data(orgs=None, office=big.office, code="X",
                                                                        budget=Decimal("9000000")))


def test_r12_subsidy_cut_below_budgets_refused(plan, make_project, personas):
    make_project(budget=Decimal("3000000"))
    with pytest.raises(DomainError) as err:
        services.plan_update(actor=personas.province, plan=plan, title=plan.title, central_subsidy=Decimal("2999999.99"))
    assert err.value.code == "r12_budget_over_subsidy"
    services.plan_update(actor=personas.province, plan=plan, title=plan.title, central_subsidy=Decimal("3000000"))
    assert AuditEvent.objects.filter(object_id=str(plan.pk), action="update").exists()


# -- R13 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("service,state,who", [
    ("project_return", "submitted", "office"), ("project_cancel", "draft", "province"),
])
def test_r13_return_and_cancel_need_a_reason(service, state, who, project, personas, at_state):
    at_state(project, state)
    with pytest.raises(DomainError) as err:
        getattr(services, service)(project=project, actor=personas[who], reason="   ")
    assert err.value.code == "reason_required"


def test_r13_plan_return_needs_a_reason(plan, personas, at_state):
    at_state(plan, PlanStatus.SUBMITTED)
    with pytest.raises(DomainError) as err:
        services.plan_return(plan=plan, actor=personas.ministry, reason="")
    assert err.value.code == "reason_required"


def test_r13_return_reason_shown_to_owner(project, personas, advance, login):
    advance(project, "submitted")
    services.project_return(project=project, actor=personas.office, reason="预算测算依据不足")
    page = login(personas.city).get(f"/projects/{project.pk}/").content.decode()
    assert "预算测算依据不足" in page
    queue = login(personas.city).get("/projects/queue/").content.decode()
    assert "预算测算依据不足" in queue


# -- R14 -------------------------------------------------------------------------------------------
def _suspend(personas, start="2026-07-01", end="2026-07-31"):
    setting_set(key=calculations.SUSPENSION_START, value=start, actor=personas.province)
    setting_set(key=calculations.SUSPENSION_END, value=end, actor=personas.province)


def test_r14_no_suspension_by_default(project, personas, advance):
    assert get_setting(calculations.SUSPENSION_START) == ""
    advance(project, "approved")
    assert project.status == "approved"


def test_r14_offline_refused_during_suspension(project, personas, advance):
    _suspend(personas)
    advance(project, "reviewed")
    with pytest.raises(DomainError) as err:
        services.project_approve(project=project, actor=personas.province)
    assert err.value.code == "r14_offline_suspended"


def test_r14_online_allowed_during_suspension(make_project, personas, advance):
    _suspend(personas)
    project = advance(make_project(mode="online"), "approved")
    assert project.status == "approved"


def test_r14_blended_allowed_when_offline_part_outside_window(make_project, personas, advance):
    _suspend(personas, "2026-07-01", "2026-07-05")
    project = make_project(mode="blended", start_date=dt.date(2026, 7, 1), end_date=dt.date(2026, 7, 10),
                           offline_start=dt.date(2026, 7, 6), offline_end=dt.date(2026, 7, 10))
    assert advance(project, "approved").status == "approved"


def test_r14_blended_refused_when_offline_part_inside_window(make_project, personas, advance):
    _suspend(personas, "2026-07-01", "2026-07-05")
    project = make_project(mode="blended", start_date=dt.date(2026, 7, 1), end_date=dt.date(2026, 7, 10),
                           offline_start=dt.date(2026, 7, 4), offline_end=dt.date(2026, 7, 8))
    advance(project, "reviewed")
    with pytest.raises(DomainError) as err:
        services.project_approve(project=project, actor=personas.province)
    assert err.value.code == "r14_offline_suspended"


def test_r14_offline_start_refused_during_suspension(project, personas, at_state, orgs):
    at_state(project.plan, "filed")
    at_state(project, "contracted")
    today = dt.date.today()
    _suspend(personas, str(today - dt.timedelta(days=1)), str(today + dt.timedelta(days=1)))
    with pytest.raises(DomainError) as err:
        services.project_start(project=project, actor=personas.province)
    assert err.value.code == "r14_offline_suspended"


def test_r14_refusal_shown_with_reason_on_actions(project, personas, advance):
    _suspend(personas)
    advance(project, "reviewed")
    approve = next(a for a in actions_for(project, personas.province) if a.name == "approve")
    assert not approve.allowed
    assert ("r14_offline_suspended", calculations.r14_message(project)) in approve.refusals


def test_r14_province_value_overrides_national(project, personas, advance):
    _suspend(personas)  # national
    setting_set(key=calculations.SUSPENSION_START, value="", actor=personas.province, province=region("360000"))
    setting_set(key=calculations.SUSPENSION_END, value="", actor=personas.province, province=region("360000"))
    assert advance(project, "approved").status == "approved"


# -- R15 -------------------------------------------------------------------------------------------
def test_r15_nobody_approves_own_organisations_proposal(make_project, personas, orgs, advance):
    from tests.factories import UserFactory

    own = make_project(owner=orgs.department)
    advance(own, "submitted") if False else None
    type(own).objects.filter(pk=own.pk).update(status="reviewed")
    own.refresh_from_db()
    with pytest.raises(DomainError) as err:
        services.project_approve(project=own, actor=personas.province)
    assert err.value.code == "transition_forbidden"
    assert UserFactory  # the department may approve another office's proposal:
    assert advance(make_project(), "approved").status == "approved"


def test_r15_department_cannot_own_a_proposal(plan, personas, orgs):
    with pytest.raises(DomainError) as err:
        services.project_create(actor=personas.province, plan=plan, data=_data(orgs), owner=orgs.department)
    assert err.value.code == "invalid"
    project = services.project_create(actor=personas.province, plan=plan, data=_data(orgs), owner=orgs.city)
    assert project.owner == orgs.city


def test_r15_only_owning_office_edits_a_draft(project, personas, orgs):
    data = _data(orgs, code=project.code, name="改名后的项目")
    for who in ("province", "office", "county", "auditor", "institution"):
        with pytest.raises(DomainError) as err:
            services.project_update(actor=personas[who], project=project, data=data)
        assert err.value.code == "forbidden", who
    assert services.project_update(actor=personas.city, project=project, data=data).name == "改名后的项目"


def test_r15_submitted_proposal_cannot_be_edited(project, personas, orgs, advance):
    advance(project, "submitted")
    with pytest.raises(DomainError) as err:
        services.project_update(actor=personas.city, project=project, data=_data(orgs, code=project.code))
    assert err.value.code == "project_not_open"


def test_r15_reviewer_only_for_own_office(make_project, personas, orgs, advance):
    project = advance(make_project(office=orgs.office2), "submitted")
    with pytest.raises(DomainError) as err:
        services.project_review(project=project, actor=personas.office)
    assert err.value.code == "transition_forbidden"


# -- R16 -------------------------------------------------------------------------------------------
def test_r16_plan_shows_priority_county_share(plan, make_project, personas, login):
    make_project(quota=100, priority_quota=30)
    make_project(quota=100, priority_quota=10)
    summary = plan_summary(plan=plan)
    assert (summary["quota"], summary["priority_quota"], summary["priority_share"]) == (200, 40, Decimal("20.0"))
    page = login(personas.province).get(f"/projects/plans/{plan.pk}/").content.decode()
    assert "20.0%" in page


def test_r16_reserved_quota_cannot_exceed_quota(plan, personas, orgs):
    with pytest.raises(DomainError) as err:
        services.project_create(actor=personas.city, plan=plan, data=_data(orgs, quota=10, priority_quota=11))
    assert "priority_quota" in {f for f, _ in err.value.errors}


def _data(orgs, *, office=None, **overrides):
    data = {
        "code": "GP-T-001", "name": "测试项目", "project_type": "central_western", "category": "backbone",
        "mode": "offline", "hours": 80, "quota": 50, "priority_quota": 10, "start_date": dt.date(2026, 7, 1),
        "end_date": dt.date(2026, 7, 10), "budget": Decimal("500000.00"), "office": office or orgs.office,
        "shadowing_days": 0,
    }
    data.update(overrides)
    return data
