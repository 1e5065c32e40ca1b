import datetime as dt
from decimal import Decimal

import pytest

from projects import services
from projects.models import AnnualPlan, Project
from tests.factories import AnnualPlanFactory, ProjectFactory, region


@pytest.fixture
def plan(personas):
    return AnnualPlanFactory(created_by=personas.province, central_subsidy=Decimal("10000000.00"))


@pytest.fixture
def make_project(orgs, plan, personas):
    """A draft owned by the Nanchang city bureau (persona `city`), reviewed by the persona `office`'s office."""

    def _make(**kwargs):
        kwargs.setdefault("plan", plan)
        kwargs.setdefault("owner", orgs.city)
        kwargs.setdefault("office", orgs.office)
        kwargs.setdefault("created_by", personas.province)
        project = ProjectFactory(**kwargs)
        project.regions.set([region("360100")])
        return project

    return _make


@pytest.fixture
def project(make_project):
    return make_project()


STEPS = {
    "submitted": [("submit", "city")],
    "reviewed": [("submit", "city"), ("review", "office")],
    "returned": [("submit", "city"), ("return_", "office")],
    "approved": [("submit", "city"), ("review", "office"), ("approve", "province")],
}


@pytest.fixture
def advance(personas):
    """Move a project along the proposal path through the services, by the right people."""
    from backoffice.workflow import fire

    def _advance(project, to):
        for name, who in STEPS[to]:
            fire(Project, project.pk, name=name, actor=personas[who], reason="理由" if name == "return_" else "")
        project.refresh_from_db()
        return project

    return _advance


@pytest.fixture
def filed_plan(plan, make_project, advance, personas):
    """A filed plan with two filed projects."""
    first, second = make_project(), make_project()
    advance(first, "approved")
    advance(second, "approved")
    services.plan_submit(plan=plan, actor=personas.province)
    services.plan_approve(plan=plan, actor=personas.ministry)
    services.plan_file(plan=plan, actor=personas.ministry)
    plan.refresh_from_db()
    return plan


def set_status(obj, status):
    """Put a row in a state directly (arrange step only; FSMField is protected so use an update)."""
    type(obj).objects.filter(pk=obj.pk).update(status=status)
    obj.refresh_from_db()
    return obj


@pytest.fixture
def at_state():
    return set_status


__all__ = ["AnnualPlan", "dt"]

