"""The main path of a tender through the UI of each role: office → institutions → office → experts → office →
department → public → institution (质疑) → office → department (contract)."""
import datetime as dt

import pytest
from django.utils import timezone

from backoffice.models import Role
from projects.models import Project
from tendering.models import ExpertProfile, Lot, Tender
from tests.factories import UserFactory, region
from tests.tendering.conftest import filed_project, make_institution, qualify
from tests.e2e.navigation import nav_click

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _local(d):
    return timezone.localtime(d).strftime("%Y-%m-%dT%H:%M")


def test_tender_from_announcement_to_contract_through_each_role(regions, personas, orgs, browser_login, live_server,
                                                                 page, tmp_path):
    projects = [filed_project(office=orgs.office, name=f"骨干教师提升培训E2E{i}") for i in range(2)]
    qualify(orgs.institution, personas.institution)
    qualify(orgs.other_institution, personas.other_institution)
    third_inst, third = make_institution("赣江教育研究院")
    experts = []
    for i in range(6):
        u = UserFactory(username=f"e2e_expert{i}", role=Role.EXPERT, organisation=orgs.evaluator)
        ExpertProfile.objects.create(user=u, employer=orgs.evaluator)
        experts.append(u)
    proposal = tmp_path / "技术方案.pdf"
    proposal.write_bytes(b"%PDF-1.4 technical proposal")
    url = live_server.url
    now = timezone.now()

    # 1. The project office creates, fills and announces the tender.
    browser_login(personas.office)
    page.goto(f"{url}/tendering/new/")
    page.fill("input[name=title]", "2026年骨干教师培训承训机构遴选")
    for p in projects:
        page.check(f"input[name=projects][value='{p.pk}']")
    page.check("input[name=required_qualifications][value=legal_entity]")
    page.fill("input[name=clarification_deadline]", _local(now + dt.timedelta(days=5)))
    page.fill("input[name=bid_deadline]", _local(now + dt.timedelta(days=22)))
    page.fill("input[name=opening_at]", _local(now + dt.timedelta(days=22, hours=1)))
    page.click("[data-testid=tender-form] button[type=submit]")
    page.wait_for_selector("[data-testid=tender-title]")
    tender = Tender.objects.get()
    page.click("[data-testid=add-lot]")
    page.fill("input[name=name]", "赣北片区")
    page.select_option("select[name=regions]", [str(region("360100").pk), str(region("360400").pk)])
    for p in projects:
        page.check(f"input[name=projects][value='{p.pk}']")
    page.fill("input[name=budget]", "800000")
    page.click("[data-testid=simple-form] button[type=submit]")
    page.click("[data-testid=edit-criteria]")
    page.fill("textarea[name=lines]", "培训方案设计, 40\n培训团队, 30")
    page.click("[data-testid=simple-form] button[type=submit]")
    page.click("button[data-transition=announce]")
    assert "已发布公告" in page.inner_text("[data-testid=tender-status]")
    assert "开标前投标文件处于密封状态" in page.inner_text("[data-testid=opening-record]")
    page.screenshot(path=str(tmp_path / "1-office-announced.png"), full_page=True)

    # 2. Three institutions bid through their portal; each gets a receipt with a hash.
    lot = Lot.objects.get(tender=tender)
    for user, price in ((personas.institution, "42.00"), (personas.other_institution, "50.00"), (third, "60.00")):
        browser_login(user)
        nav_click(page, "正在招标")
        page.click(f"text={tender.title}")
        page.click("[data-testid=bid-lot-1]")
        page.fill("input[name=price]", price)
        page.fill("input[name=chief_expert]", "首席专家")
        page.check("input[name=chief_own_staff]")
        page.fill("textarea[name=team]", "首席专家,1\n王老师,1\n李老师,0")
        page.fill("textarea[name=past_projects]", "2024年国培计划中西部项目")
        page.set_input_files("input[name=document]", str(proposal))
        page.click("[data-testid=bid-form] button[type=submit]")
        assert len(page.inner_text("[data-testid=receipt-hash]").strip()) == 64
    page.screenshot(path=str(tmp_path / "2-institution-receipt.png"), full_page=True)

    # Time passes: the deadline and the opening time are reached.
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=timezone.now() - dt.timedelta(seconds=2),
                                               opening_at=timezone.now() - dt.timedelta(seconds=1))

    # 3. The office opens the bids and draws the panel.
    browser_login(personas.office)
    page.goto(f"{url}/tendering/{tender.pk}/")
    page.click("button[data-transition=open]")
    assert "42.00" in page.inner_text("[data-testid=opening-record]")
    page.goto(f"{url}/tendering/lots/{lot.pk}/")
    page.click("[data-testid=draw-form] button[type=submit]")
    assert page.inner_text("[data-testid=seed]").strip()

    # 4. Each drawn expert scores the bids and submits.
    members = list(lot.panel.members.select_related("user"))
    assert len(members) == 5
    for i, member in enumerate(members):
        browser_login(member.user)
        nav_click(page, "我的评标任务")
        page.click(f"text={lot.name}")
        inputs = page.locator("[data-testid=score-form] input[type=number]")
        for k in range(inputs.count()):
            inputs.nth(k).fill(str(80 - (k // 2) * 5 + i))
        page.click("[data-testid=submit-scores]")
        page.wait_for_selector("[data-testid=submitted]")
    page.screenshot(path=str(tmp_path / "3-expert-scores.png"), full_page=True)

    # 5. The office records the recommendation; the department approves and publishes the notice.
    browser_login(personas.office)
    page.goto(f"{url}/tendering/lots/{lot.pk}/")
    assert "评分汇总" in page.inner_text("[data-testid=ranking]")
    page.click("button[data-transition=recommend]")
    assert "已推荐中标候选人" in page.inner_text("[data-testid=lot-status]")
    browser_login(personas.province)
    page.goto(f"{url}/tendering/lots/{lot.pk}/")
    page.click("button[data-transition=approve_award]")
    assert "中标公示中" in page.inner_text("[data-testid=lot-status]")

    # 6. The public notice needs no login.
    page.context.clear_cookies()
    page.goto(f"{url}/tendering/notices/{lot.pk}/")
    assert orgs.institution.name in page.inner_text("[data-testid=winner]")
    page.screenshot(path=str(tmp_path / "4-public-notice.png"), full_page=True)

    # 7. A losing bidder lodges a question; the contract is blocked until the office answers.
    browser_login(personas.other_institution)
    nav_click(page, "我的投标")
    page.click(f"[data-testid=my-bids] a >> nth=0")
    page.fill("[data-testid=question-form] textarea", "请说明技术分的评定依据。")
    page.click("[data-testid=question-form] button")
    Lot.objects.filter(pk=lot.pk).update(notice_ends_at=timezone.now() - dt.timedelta(seconds=1))
    browser_login(personas.province)
    page.goto(f"{url}/tendering/lots/{lot.pk}/")
    assert "本标段尚有未答复的质疑" in page.inner_text("[data-testid=actions]")
    browser_login(personas.office)
    page.goto(f"{url}/tendering/lots/{lot.pk}/")
    page.fill("[data-testid=questions] textarea[name=answer]", "技术分依据评分标准由五名评委独立评定。")
    page.click("[data-testid=questions] button")

    # 8. The department signs the contract; the projects become contracted.
    browser_login(personas.province)
    page.goto(f"{url}/tendering/lots/{lot.pk}/")
    page.click("button[data-transition=sign_contract]")
    assert "42.00" in page.inner_text("[data-testid=contract]")
    page.screenshot(path=str(tmp_path / "5-contract.png"), full_page=True)
    assert set(Project.objects.filter(pk__in=[p.pk for p in projects]).values_list("status", flat=True)) == {"contracted"}
