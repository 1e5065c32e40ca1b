import pytest

from backoffice.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DASHBOARD_TITLES = {
    Role.MINISTRY_STAFF: "教育部工作人员", Role.PROVINCE_STAFF: "省教育厅工作人员",
    Role.PROJECT_OFFICE_STAFF: "项目办工作人员", Role.CITY_STAFF: "市教育局工作人员",
    Role.COUNTY_STAFF: "县教育局工作人员", Role.SCHOOL_ADMIN: "学校管理员",
    Role.INSTITUTION_STAFF: "承训机构工作人员", Role.EXPERT: "评审专家", Role.FINANCE_OFFICER: "财务人员",
    Role.AUDITOR: "审计人员",
}


def test_every_role_logs_in_and_finds_its_dashboard_in_chinese(regions, personas, browser_login):
    seen = set()
    for user in personas.values():
        if user.role in seen:
            continue
        seen.add(user.role)
        page = browser_login(user)
        title = page.inner_text("[data-testid=dashboard-title]")
        assert "工作台" in title
        assert DASHBOARD_TITLES[user.role] in title
        assert "我的范围" in page.content()
    assert seen == set(DASHBOARD_TITLES)
