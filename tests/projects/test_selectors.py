"""Who sees which plan and project (R2), review queues, and constant query counts for lists."""
from decimal import Decimal

import pytest

from projects import selectors
from projects.models import Project
from tests.factories import AnnualPlanFactory, ProjectFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(plan, make_project, orgs, personas, at_state):
    nanchang = make_project(name="南昌项目")  # serves 360100
    county = make_project(name="南昌县项目")
    county.regions.set([region("360121")])
    ganzhou = make_project(name="赣州项目", owner=orgs.other_city)
    ganzhou.regions.set([region("360700")])
    whole = make_project(name="全省项目", owner=orgs.office)
    whole.regions.set([region("360000")])
    contracted = make_project(name="已签约项目", owner=orgs.office, institution=orgs.institution)
    contracted.regions.set([region("360700")])
    at_state(contracted, "contracted")
    henan_plan = AnnualPlanFactory(province=region("410000"), created_by=personas.henan_province)
    henan = ProjectFactory(plan=henan_plan, name="河南项目", created_by=personas.henan_province)
    return {p.name: p for p in (nanchang, county, ganzhou, whole, contracted, henan)}


def _names(user):
    return set(selectors.project_list_visible_to(user=user).values_list("name", flat=True))


def test_province_office_auditor_and_finance_see_their_province(world, personas):
    jiangxi = {"南昌项目", "南昌县项目", "赣州项目", "全省项目", "已签约项目"}
    for who in ("province", "office", "auditor", "finance"):
        assert _names(personas[who]) == jiangxi, who
    assert _names(personas.henan_province) == {"河南项目"}
    assert _names(personas.ministry) == jiangxi | {"河南项目"}


def test_city_and_county_see_projects_serving_their_region(world, personas):
    # The Nanchang city bureau owns the first two and the default factory owner, and serves 360100/360121.
    assert _names(personas.city) == {"南昌项目", "南昌县项目", "全省项目"}
    # A project serving the whole city (or province) serves each county in it.
    assert _names(personas.county) == {"南昌项目", "南昌县项目", "全省项目"}
    assert _names(personas.other_county) == {"南昌项目", "全省项目"}  # 新建区 is in Nanchang too


def test_institutions_see_only_projects_contracted_to_them(world, personas):
    assert _names(personas.institution) == {"已签约项目"}
    assert _names(personas.other_institution) == set()
    assert _names(personas.expert) == set()


def test_plans_visible_by_province(world, personas, plan):
    for who in ("province", "office", "city", "county", "auditor"):
        assert list(selectors.plan_list_visible_to(user=personas[who])) == [plan], who
    for who in ("institution", "school", "expert"):
        assert not selectors.plan_list_visible_to(user=personas[who]).exists(), who
    assert selectors.plan_list_visible_to(user=personas.ministry).count() == 2


def test_auditor_reads_but_has_no_queue(world, personas):
    assert not selectors.project_queue_for(user=personas.auditor).exists()


def test_review_queues_per_role(plan, make_project, advance, personas, orgs):
    draft = make_project(name="草稿")
    submitted = advance(make_project(name="待审核"), "submitted")
    reviewed = advance(make_project(name="待批准"), "reviewed")
    returned = advance(make_project(name="被退回"), "returned")
    assert set(selectors.project_queue_for(user=personas.city)) == {draft, returned}
    assert set(selectors.project_queue_for(user=personas.office)) == {submitted}
    assert set(selectors.project_queue_for(user=personas.province)) == {reviewed}
    assert list(selectors.plan_queue_for(user=personas.province)) == [plan]
    assert not selectors.plan_queue_for(user=personas.ministry).exists()


def test_dashboard_shows_queue_count(plan, make_project, advance, personas, login):
    advance(make_project(name="待审核一"), "submitted")
    advance(make_project(name="待审核二"), "submitted")
    page = login(personas.office).get("/").content.decode()
    assert "待我处理的方案和项目" in page
    assert "待审核一" in page and "待审核二" in page


def _many(plan, orgs, n):
    for i in range(n):
        p = ProjectFactory(plan=plan, owner=orgs.office, office=orgs.office, created_by=plan.created_by,
                           budget=Decimal("1000"))
        p.regions.set([region("360100")])


@pytest.mark.parametrize("who", ["province", "city", "institution", "ministry"])
def test_project_list_query_count_is_constant(who, plan, orgs, personas, login, django_assert_max_num_queries):
    _many(plan, orgs, 30)
    Project.objects.update(institution=orgs.institution)
    client = login(personas[who])
    with django_assert_max_num_queries(12):
        response = client.get("/projects/")
    assert response.status_code == 200
    assert response.content.decode().count("/projects/") >= 30 or who == "institution"


def test_plan_page_query_count_is_constant(plan, orgs, personas, login, django_assert_max_num_queries):
    _many(plan, orgs, 30)
    client = login(personas.province)
    with django_assert_max_num_queries(25):
        response = client.get(f"/projects/plans/{plan.pk}/")
    assert response.status_code == 200


def test_plan_list_query_count(plan, orgs, personas, login, django_assert_max_num_queries):
    _many(plan, orgs, 10)
    client = login(personas.province)
    with django_assert_max_num_queries(10):
        assert client.get("/projects/plans/").status_code == 200
