"""The main path in a real browser: province staff create a plan with 3 projects; the owning office submits them;
the project office returns one with a reason; it is fixed, resubmitted, reviewed; the province approves and submits
the plan; the ministry approves and files it; the timeline shows each step."""
import re

import pytest

from projects.models import AnnualPlan, Project
from tests.e2e.navigation import nav_click

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROJECTS = [
    ("E2E-001", "骨干教师能力提升培训", "backbone", "offline", "80", "100", "1200000"),
    ("E2E-002", "乡村教师访名校研修", "rural_visit", "offline", "60", "80", "900000"),
    ("E2E-003", "信息技术应用能力提升", "thematic", "online", "50", "300", "600000"),
]


def _fire(page, transition, reason=""):
    form = page.locator("form.action").filter(has=page.locator(f"button[data-transition={transition}]"))
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    form.locator(f"button[data-transition={transition}]").click()
    page.wait_for_load_state()
    assert page.locator(".messages li.error").count() == 0, page.locator(".messages").inner_text()


def _open_project(page, live_server, code):
    page.goto(f"{live_server.url}/projects/{Project.objects.get(code=code).pk}/")


def test_plan_main_path(regions, personas, orgs, browser_login, live_server):
    # 1. Province staff create the plan and its three projects.
    page = browser_login(personas.province)
    nav_click(page, "年度项目实施方案")
    page.click("[data-testid=plan-create]")
    page.fill("input[name=year]", "2026")
    page.fill("input[name=title]", "江西省2026年国培计划实施方案")
    page.fill("input[name=central_subsidy]", "5000000")
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-testid=plan-title]")
    plan_url = page.url
    for code, name, category, mode, hours, quota, budget in PROJECTS:
        page.click("[data-testid=project-add]")
        page.fill("input[name=code]", code)
        page.fill("input[name=name]", name)
        page.select_option("select[name=project_type]", "central_western")
        page.select_option("select[name=category]", category)
        page.select_option("select[name=mode]", mode)
        page.fill("input[name=hours]", hours)
        page.fill("input[name=quota]", quota)
        page.fill("input[name=priority_quota]", "20")
        page.fill("input[name=start_date]", "2026-12-01")
        page.fill("input[name=end_date]", "2026-12-10")
        page.fill("input[name=budget]", budget)
        page.select_option("select[name=office]", label="江西省中小学教师发展中心")
        page.select_option("select[name=owner]", label="南昌市教育局")
        page.click("button[type=submit].primary")
        page.wait_for_selector("[data-testid=plan-title]")
    assert page.locator("[data-testid=plan-projects] tbody tr").count() == 3
    assert "2,700,000.00" in page.inner_text("[data-testid=plan-budget]")
    assert "60（" in page.inner_text("[data-testid=priority-share]")

    # 2. The owning office (Nanchang city bureau) submits its three proposals.
    page = browser_login(personas.city)
    for code, *_ in PROJECTS:
        _open_project(page, live_server, code)
        _fire(page, "submit")
        assert page.inner_text("[data-testid=project-status]") == "已提交"

    # 3. The project office returns one with a reason and passes the others.
    page = browser_login(personas.office)
    nav_click(page, "待我处理")
    assert page.locator("[data-testid=project-queue] tbody tr").count() == 3
    _open_project(page, live_server, "E2E-002")
    _fire(page, "return_", "预算测算依据不足，请核减场地费")
    for code in ("E2E-001", "E2E-003"):
        _open_project(page, live_server, code)
        _fire(page, "review")

    # 4. The owner sees why, fixes the budget and resubmits.
    page = browser_login(personas.city)
    nav_click(page, "待我处理")
    assert "预算测算依据不足" in page.inner_text("[data-testid=project-queue]")
    _open_project(page, live_server, "E2E-002")
    assert "预算测算依据不足，请核减场地费" in page.inner_text("[data-testid=return-reason]")
    page.click("[data-testid=project-edit]")
    page.fill("input[name=budget]", "800000")
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-testid=project-title]")
    _fire(page, "submit")

    # 5. Reviewed again by the office; approved by the province department, which submits the plan.
    page = browser_login(personas.office)
    _open_project(page, live_server, "E2E-002")
    _fire(page, "review")
    page = browser_login(personas.province)
    for code, *_ in PROJECTS:
        _open_project(page, live_server, code)
        _fire(page, "approve")
        assert page.inner_text("[data-testid=project-status]") == "已批准"
    page.goto(plan_url)
    _fire(page, "submit")
    assert page.inner_text("[data-testid=plan-status]") == "已提交"
    assert page.confirmations[-1] == "提交年度方案及其项目以待审批？"  # asked before submitting

    # 6. The ministry approves and files the plan; filing files the projects.
    page = browser_login(personas.ministry)
    page.goto(plan_url)
    _fire(page, "approve")
    _fire(page, "file")
    assert page.inner_text("[data-testid=plan-status]") == "已备案"
    statuses = page.locator("[data-testid=plan-projects] .badge").all_inner_texts()
    assert statuses == ["已备案"] * 3
    timeline = page.inner_text("[data-testid=timeline]")
    assert re.search(r"草稿 → 已提交.*已提交 → 已批准.*已批准 → 已备案", timeline, re.S)

    # 7. The returned project's timeline shows every step, with the reason.
    _open_project(page, live_server, "E2E-002")
    timeline = page.inner_text("[data-testid=timeline]")
    steps = re.findall(r"(\S+) → (\S+)", timeline)
    assert steps == [("草稿", "已提交"), ("已提交", "已退回"), ("已退回", "已提交"), ("已提交", "项目办已审核"),
                     ("项目办已审核", "已批准"), ("已批准", "已备案")]
    assert "预算测算依据不足，请核减场地费" in timeline
    page.screenshot(path="test-results/plans-e2e-project-timeline.png", full_page=True)
    assert AnnualPlan.objects.get(year=2026).status == "filed"
    assert Project.objects.get(code="E2E-002").budget == 800000
