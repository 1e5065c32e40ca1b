"""The main path of issue 7 in a real browser: the province opens an evaluation of a completed project, assigns
an expert and a third-party evaluator and issues the anonymous survey links; a trainee answers by link without
logging in; the expert, the evaluator and the institution enter their scores; the province closes the survey,
computes the grade and publishes it; the report PDF downloads."""
from pathlib import Path

import pytest
from django.utils import translation

from projects.evaluation.models import Evaluation, SurveyResponse
from projects.models import Project
from tests.factories.evaluation import completed_project, third_party_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"evaluation-{name}.png"), full_page=True)


def _detail(page, live_server, evaluation):
    page.goto(f"{live_server.url}/evaluation/{evaluation.pk}/")


def _score(page, source, value):
    form = page.locator(f"[data-testid=score-{source}]")
    form.locator("input[name=score]").fill(value)
    form.locator("textarea[name=comment]").fill("组织规范")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages")


def test_main_path_open_survey_scores_grade_publish_report(regions, personas, orgs, browser_login, page, browser,
                                                           live_server):
    project = completed_project(orgs, personas, outcomes=["completed"] * 3, priority={0}, quota=3, priority_quota=1,
                                name="乡村教师访名校研修")
    evaluator = third_party_user(orgs)

    # The province opens the evaluation from the list of completed projects.
    page = browser_login(personas.province)
    page.goto(f"{live_server.url}/evaluation/")
    page.click(f"[data-action=open-{project.code}]")
    page.wait_for_selector("[data-testid=status]")
    evaluation = Evaluation.objects.get(project=project)
    page.select_option("[data-testid=assign-expert] select", str(personas.expert.pk))
    page.click("[data-testid=assign-expert] button[type=submit]")
    page.select_option("[data-testid=assign-third-party] select", str(evaluator.pk))
    page.click("[data-testid=assign-third-party] button[type=submit]")
    assert personas.expert.full_name in page.inner_text("[data-testid=assessors]")
    page.click("[data-action=issue-tokens]")
    page.wait_for_selector("[data-testid=survey-links] a")  # the links page, not the detail page still unloading
    links = page.locator("[data-testid=survey-links] a").all_inner_texts()
    assert len(links) == 3
    shot(page, "1-links")
    _detail(page, live_server, evaluation)
    page.click("[data-transition=start_collecting]")
    assert page.inner_text("[data-testid=status]") == "采集中"

    # A trainee answers without logging in.
    anonymous = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    trainee = anonymous.new_page()
    trainee.goto(links[0])
    for name, value in (("design", "5"), ("resources", "4"), ("implementation", "5"), ("platform", "4"),
                        ("effect", "5")):
        trainee.check(f"input[name={name}][value='{value}']")
    trainee.fill("textarea[name=comment]", "课程安排紧凑实用")
    trainee.click("[data-testid=survey-form] button[type=submit]")
    assert "匿名" in trainee.inner_text("[data-testid=survey-message]")
    trainee.goto(links[0])
    assert "已被使用" in trainee.inner_text("[data-testid=survey-message]")
    anonymous.close()
    assert SurveyResponse.objects.filter(evaluation=evaluation).count() == 1

    # Expert, third-party evaluator and institution enter their scores.
    for user, source, value in ((personas.expert, "expert", "88"), (evaluator, "third_party", "85"),
                                (personas.institution, "self", "92")):
        page = browser_login(user)
        _detail(page, live_server, evaluation)
        _score(page, source, value)
    shot(page, "2-self-assessment")

    # The province closes the survey, computes the grade and publishes it.
    page = browser_login(personas.province)
    _detail(page, live_server, evaluation)
    assert "1" in page.inner_text("[data-testid=survey-count]")
    page.click("[data-transition=close_collection]")
    page.click("[data-transition=grade_]")
    page.wait_for_selector("[data-testid=grade]")
    page.click("[data-transition=publish]")
    assert page.inner_text("[data-testid=status]") == "已发布"
    evaluation.refresh_from_db()
    assert Project.objects.get(pk=project.pk).grade == evaluation.grade != ""
    with translation.override("zh-hans"):
        assert str(evaluation.get_grade_display()) in page.inner_text("[data-testid=grade]")
    shot(page, "3-published")
    with page.expect_download() as info:
        page.click("[data-testid=report-pdf]")
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
