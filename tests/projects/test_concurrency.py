"""Row locks on PostgreSQL: concurrent writes cannot break R12 or fire a transition twice."""
from decimal import Decimal

import pytest
from django.db import connection  # noqa: F401 (read by the skipif conditions below)

from backoffice.models import AuditEvent
from projects import services
from projects.models import Project
from tests.concurrency import race
from tests.factories import AnnualPlanFactory, ProjectFactory, UserFactory, region

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(funcs):
    """What each call returned, or the code of its refusal."""
    done, refused, errors = race(funcs)
    assert not errors, errors
    return done + refused


@pytest.fixture
def setup(regions, orgs):
    province = UserFactory(role="province_staff", organisation=orgs.department)
    city = UserFactory(role="city_staff", organisation=orgs.city)
    office = UserFactory(role="project_office_staff", organisation=orgs.office)
    plan = AnnualPlanFactory(created_by=province, central_subsidy=Decimal("1000000"))
    return plan, province, city, office


def _data(orgs, code, budget):
    import datetime as dt

    return {"code": code, "name": code, "project_type": "central_western", "category": "backbone", "mode": "offline",
            "hours": 80, "quota": 50, "start_date": dt.date(2026, 7, 1), "end_date": dt.date(2026, 7, 10),
            "budget": Decimal(budget), "office": orgs.office}


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite ignores row locks")
def test_r12_concurrent_creations_cannot_exceed_subsidy(setup, orgs):
    plan, province, city, office = setup
    outcomes = _run_together([
        lambda: services.project_create(actor=city, plan=plan, data=_data(orgs, "C-1", "600000")),
        lambda: services.project_create(actor=city, plan=plan, data=_data(orgs, "C-2", "600000")),
    ])
    assert sorted(o if isinstance(o, str) else "ok" for o in outcomes) == ["invalid", "ok"]
    assert Project.objects.filter(plan=plan).count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite ignores row locks")
def test_concurrent_reviews_fire_once(setup, orgs):
    plan, province, city, office = setup
    project = ProjectFactory(plan=plan, owner=orgs.city, office=orgs.office, created_by=province, status="submitted")
    project.regions.set([region("360100")])
    outcomes = _run_together([lambda: services.project_review(project=project, actor=office)] * 3)
    assert sum(1 for o in outcomes if not isinstance(o, str)) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["transition_not_allowed"] * 2
    assert AuditEvent.objects.filter(object_id=str(project.pk), action="transition").count() == 1
