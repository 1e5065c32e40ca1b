"""The plan <-> project filing rule (R10): a plan is filed only when all its non-cancelled projects are approved;
filing the plan files those projects; the timeline shows each step."""
from decimal import Decimal

import pytest

from backoffice.audit import timeline_for
from backoffice.exceptions import DomainError
from projects import services
from projects.models import PlanStatus

pytestmark = pytest.mark.django_db


def test_plan_filing_files_its_approved_projects(plan, make_project, advance, personas):
    first, second, dropped = make_project(), make_project(), make_project()
    advance(first, "approved")
    advance(second, "approved")
    services.project_cancel(project=dropped, actor=personas.province, reason="并入其他项目")
    services.plan_submit(plan=plan, actor=personas.province)
    services.plan_approve(plan=plan, actor=personas.ministry)
    services.plan_file(plan=plan, actor=personas.ministry, reason="同意备案")
    for p in (first, second, dropped):
        p.refresh_from_db()
    assert (first.status, second.status, dropped.status) == ("filed", "filed", "cancelled")
    assert first.filed_at is not None
    steps = [(e.from_state, e.to_state) for e in timeline_for(first) if e.action == "transition"]
    assert steps == [("draft", "submitted"), ("submitted", "reviewed"), ("reviewed", "approved"), ("approved", "filed")]
    plan_steps = [(e.from_state, e.to_state, e.actor) for e in timeline_for(plan) if e.action == "transition"]
    assert plan_steps == [("draft", "submitted", personas.province), ("submitted", "approved", personas.ministry),
                          ("approved", "filed", personas.ministry)]


@pytest.mark.parametrize("other_state", ["draft", "submitted", "reviewed", "returned"])
def test_plan_filing_refused_while_a_project_is_not_approved(other_state, plan, make_project, advance, personas,
                                                             at_state):
    advance(make_project(), "approved")
    at_state(make_project(), other_state)
    at_state(plan, PlanStatus.APPROVED)
    with pytest.raises(DomainError) as err:
        services.plan_file(plan=plan, actor=personas.ministry)
    assert err.value.code == "plan_projects_not_approved"
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert not plan.projects.filter(status="filed").exists()


def test_plan_approval_refused_while_a_project_is_not_approved(plan, make_project, advance, personas):
    advance(make_project(), "approved")
    advance(make_project(), "reviewed")
    services.plan_submit(plan=plan, actor=personas.province)
    with pytest.raises(DomainError) as err:
        services.plan_approve(plan=plan, actor=personas.ministry)
    assert err.value.code == "plan_projects_not_approved"


def test_plan_without_projects_cannot_be_submitted(plan, personas):
    with pytest.raises(DomainError) as err:
        services.plan_submit(plan=plan, actor=personas.province)
    assert err.value.code == "plan_has_no_projects"


def test_plan_of_only_cancelled_projects_cannot_be_filed(plan, make_project, personas, at_state):
    at_state(make_project(), "cancelled")
    at_state(plan, PlanStatus.APPROVED)
    with pytest.raises(DomainError) as err:
        services.plan_file(plan=plan, actor=personas.ministry)
    assert err.value.code == "plan_projects_not_approved"


def test_plan_returned_with_reason_then_resubmitted(plan, make_project, advance, personas):
    advance(make_project(), "approved")
    services.plan_submit(plan=plan, actor=personas.province)
    services.plan_return(plan=plan, actor=personas.ministry, reason="请补充绩效目标")
    plan.refresh_from_db()
    assert (plan.status, plan.return_reason) == ("returned", "请补充绩效目标")
    services.plan_update(actor=personas.province, plan=plan, title="修订稿", central_subsidy=Decimal("10000000"))
    assert services.plan_submit(plan=plan, actor=personas.province).status == "submitted"


def test_projects_cannot_be_added_to_a_submitted_plan(plan, personas, orgs, at_state):
    from tests.projects.test_rules import _data

    at_state(plan, PlanStatus.SUBMITTED)
    with pytest.raises(DomainError) as err:
        services.project_create(actor=personas.city, plan=plan, data=_data(orgs))
    assert err.value.code == "plan_not_open"


def test_filed_projects_can_be_tendered_failed_and_contracted(filed_plan, personas, orgs):
    project = filed_plan.projects.first()
    services.project_put_to_tender(project=project, actor=personas.province)
    services.project_tender_failed(project=project, actor=personas.province, reason="有效投标不足3家（R24）")
    project.refresh_from_db()
    assert project.status == "filed"
    services.project_put_to_tender(project=project, actor=personas.province)
    services.project_record_contract(project=project, actor=personas.province, institution=orgs.institution,
                                     unit_price=Decimal("12.50"), contract_reference="HT-2026-01")
    project.refresh_from_db()
    assert (project.status, project.unit_price, project.contract_reference) == ("contracted", Decimal("12.50"),
                                                                                  "HT-2026-01")
