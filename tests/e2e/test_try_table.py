"""Issue 14 C: each row of the README's "try" table, followed in Chromium on the demo data from log-in to result,
as the role it names; the assertions read the Chinese labels a user sees."""
import io
import re

import pytest
from pypdf import PdfReader

from tests.e2e.navigation import nav_click

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEACHERS_PER_SCHOOL = 8  # every path of the demo exists from 8 teachers a school; the full demo has 40


@pytest.fixture
def demo():
    from backoffice.demo import seed_demo

    return seed_demo(teachers_per_school=TEACHERS_PER_SCHOOL)


@pytest.fixture
def login_as(page, live_server):
    from backoffice.demo import DEMO_PASSWORD

    def _login(username):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=dashboard-title]")
        return page

    return _login


def _pdf_text(path) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(open(path, "rb").read())).pages)


def test_try_province_reads_plans_the_announced_tender_and_the_publicity_list(demo, login_as, live_server):
    page = login_as("province")
    nav_click(page, "年度项目实施方案")
    assert "已备案" in page.inner_text("main") and "2027" in page.inner_text("main")
    page.goto(f"{live_server.url}/tendering/")
    page.click("tr:has-text('GPZB-2026-001') a")
    assert "已发布公告" in page.inner_text("[data-testid=tender-status]")
    page.goto(f"{live_server.url}/enrolment/publicity/")
    page.click("text=新入职教师规范化培训")
    assert re.search(r"\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}", page.inner_text("[data-testid=publicity-window]"))
    assert re.search(r"360121\*{8}\d{3}[\dX]", page.inner_text("[data-testid=publicity-list]"))


def test_try_office_opens_the_tender_whose_opening_time_has_passed(demo, login_as, live_server):
    page = login_as("office")
    page.goto(f"{live_server.url}/tendering/")
    page.click("tr:has-text('GPZB-2026-002') a")
    assert "开标前投标文件处于密封状态" in page.inner_text("[data-testid=opening-record]")
    page.click("button[data-transition=open]")
    assert "已开标" in page.inner_text("[data-testid=tender-status]")
    record = page.inner_text("[data-testid=opening-record]")
    for name, price in (("江西师范大学", "48.00"), ("南昌大学", "52.50"), ("江西科技师范大学", "45.00")):
        assert name in record and price in record


def test_try_institution_confirms_its_statement_and_prints_admission_notices(demo, login_as, live_server, page):
    page = login_as("institution")
    nav_click(page, "结算单")
    page.click("[data-testid=statement-JXGP-HT-JX2026-004-360121]")
    assert "草稿" in page.inner_text("[data-testid=statement-status]")
    page.click("button[data-transition=confirm]")
    assert "已确认" in page.inner_text("[data-testid=statement-status]")
    page.goto(f"{live_server.url}/enrolment/")
    page.click("text=新入职教师规范化培训")
    with page.expect_download() as download:
        page.click("[data-testid=admission-notices]")
    text = _pdf_text(download.value.path())
    assert "录取通知书" in text and "江西师范大学" in text
    page.goto(f"{live_server.url}/tendering/portal/")
    page.click("tr:has-text('GPZB-2026-001') a")
    assert page.locator("[data-testid=bid-lot-1]").count() == 1  # open for its bid, sealed until the opening


def test_try_county_screening_refuses_the_2025_no_show_with_the_date(demo, login_as, live_server):
    page = login_as("county")
    page.goto(f"{live_server.url}/enrolment/")
    page.click("text=新入职教师规范化培训")
    page.click("[data-action=reject_ineligible]")
    refused = page.inner_text("tr[data-status=rejected]")
    assert "未参训" in refused and "2028-06-25 前不得参加国培" in refused


def test_try_finance_settles_a_contract_into_a_new_statement(demo, login_as, live_server):
    page = login_as("finance")
    page.goto(f"{live_server.url}/finance/contracts/")
    page.click("[data-testid=settle-JXGP-HT-JX2026-005]")
    page.click("[data-testid=statement-JXGP-HT-JX2026-005-360121]")
    assert "草稿" in page.inner_text("[data-testid=statement-status]")
    assert "¥" in page.inner_text("[data-testid=statement-amount]")


def test_try_expert_scores_the_lot_waiting_for_the_panel(demo, login_as):
    page = login_as("expert")
    page.click("text=我的评标任务")
    page.click("[data-testid=my-panels] a >> nth=0")
    inputs = page.locator("[data-testid=score-form] input[type=number]")
    assert inputs.count() == 9  # three bids × three criteria
    for k in range(inputs.count()):
        inputs.nth(k).fill(str(75 + k))
    page.click("[data-testid=submit-scores]")
    page.wait_for_selector("[data-testid=submitted]")


def test_try_evaluator_enters_the_third_party_score(demo, login_as, live_server):
    page = login_as("evaluator")
    page.goto(f"{live_server.url}/evaluation/")
    page.click("text=高中骨干教师学科育人能力提升研修")
    assert "采集中" in page.inner_text("[data-testid=status]")
    form = page.locator("[data-testid=score-third_party]")
    form.locator("input[name=score]").fill("85")
    form.locator("textarea[name=comment]").fill("过程资料齐全")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages")
    assert "85" in page.inner_text("[data-testid=assessors]") or "85" in page.inner_text("main")


def test_try_anyone_reads_the_award_notice_the_publicity_list_and_answers_the_survey(demo, page, live_server):
    url = live_server.url
    page.goto(f"{url}/tendering/notices/")
    page.click("[data-testid=notices] a >> nth=0")
    assert page.inner_text("[data-testid=winner]").strip() == "江西师范大学"
    assert "¥12.50" in page.inner_text("[data-testid=unit-price]")
    assert "质疑" in page.inner_text("[data-testid=how-to-question]")
    page.goto(f"{url}/enrolment/publicity/")
    page.click("text=新入职教师规范化培训")
    assert "异议" in page.inner_text("[data-testid=how-to-object]")
    survey = dict(demo["links"])["匿名满意度问卷（无需登录，一次有效）"]
    page.goto(f"{url}{survey}")
    for name in ("design", "resources", "implementation", "platform", "effect"):
        page.check(f"input[name={name}][value='5']")
    page.click("[data-testid=survey-form] button[type=submit]")
    assert "匿名" in page.inner_text("[data-testid=survey-message]")


def test_try_county_sees_the_whole_staff_project_enrolled_and_the_institution_its_records(demo, login_as,
                                                                                          live_server):
    # County: the 2026 whole-staff project of 南昌县 has every teacher enrolled in one step (R49).
    page = login_as("county")
    nav_click(page, "学员遴选")
    page.click("text=南昌县2026年中小学教师全员培训")
    page.click("[data-testid=whole-staff-link]")
    assert int(page.inner_text("[data-testid=already]")) > 0
    assert page.inner_text("[data-testid=to-enrol]").strip() == "0"
    # Institution: the scheme in force and the generated learning-record file, computed (R46-R48).
    page = login_as("institution")
    nav_click(page, "学员遴选")
    page.click("text=南昌县2026年中小学教师全员培训")
    page.click("[data-testid=outcomes-link]")
    assert "现行第1版" in page.inner_text("[data-testid=scheme-summary]")
    counts = page.locator("[data-testid=histogram] [data-testid=count]").all_inner_texts()
    assert [c.split()[0] for c in counts] == ["结业", "未结业", "未参训"]
    assert all(int(c.split()[1]) > 0 for c in counts)  # the file makes all three outcomes
    assert page.locator("[data-action=confirm]").count() == 1


def test_try_office_audits_the_offline_projects_bulk_confirmed_hours(demo, login_as, live_server):
    page = login_as("office")
    nav_click(page, "学时学分")
    page.wait_for_selector("[data-testid=credit-list]")  # count() does not wait for the page to load
    rows = page.locator("[data-testid=credit-list] tbody tr", has_text="乡村教师专题培训（线下集中）")
    waiting = rows.filter(has=page.locator("button[data-transition=approve]"))
    before = (waiting.count(), rows.filter(has_text="已审核计入").count())
    assert before[0] > 0  # the institution confirmed the outcomes in bulk; the hours wait for the office (R41)
    waiting.first.locator("button[data-transition=approve]").click()
    page.wait_for_selector(".messages")
    assert rows.filter(has_text="已审核计入").count() == before[1] + 1
