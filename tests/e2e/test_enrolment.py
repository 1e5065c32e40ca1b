"""The main path of issue 5 in a real browser: a county clerk imports applicants and screens them (a 2025
no-show is refused with the reason), the institution selects, the province publicises and enrols, outcomes are
recorded, certificates download and verify publicly."""
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from backoffice.demo import make_id_number
from backoffice.models import Organisation
from projects.enrolment.models import Certificate, Enrolment
from projects.models import AnnualPlan, Project
from tests.enrolment.xlsx import row, workbook
from tests.factories import AnnualPlanFactory, ProjectFactory, TeacherFactory, region

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e"


@pytest.fixture(autouse=True)
def forget_celery_backend():
    yield
    from backoffice.celery import app

    app._backend_cache = None  # see tests/enrolment/conftest.py
    app._local.__dict__.pop("backend", None)
    # ...and the producer pool it opened on the default broker while the tasks ran eagerly.
    app._pool = None
    app.amqp._producer_pool = None


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"enrolment-{name}.png"), full_page=True)


def make_project(personas, orgs, *, start, end, status, **kwargs):
    plan = AnnualPlan.objects.filter(province=region("360000"), year=start.year).first() or \
        AnnualPlanFactory(year=start.year, created_by=personas.province)
    p = ProjectFactory(plan=plan, start_date=start, end_date=end, office=orgs.office, owner=orgs.office,
                       created_by=personas.province, **kwargs)
    Project.objects.filter(pk=p.pk).update(status=status, institution=orgs.institution)
    return Project.objects.get(pk=p.pk)


def test_main_path_import_select_publicise_outcomes_certificate(regions, personas, orgs, browser_login, page,
                                                                live_server, tmp_path):
    today = timezone.localdate()
    Organisation.objects.filter(pk=orgs.school.pk).update(code="S3601210")
    past = make_project(personas, orgs, start=dt.date(2025, 6, 16), end=dt.date(2025, 6, 25), status="completed",
                        name="乡村教师访名校研修", category="rural_visit")
    absent = TeacherFactory(school=orgs.school, name="缺席者", id_number=make_id_number("360121", dt.date(1980, 5, 5), 11))
    Enrolment.objects.create(project=past, teacher=absent)
    Enrolment.objects.filter(project=past).update(status="no_show")
    project = make_project(personas, orgs, start=today + dt.timedelta(days=20), end=today + dt.timedelta(days=29),
                           status="contracted", quota=2, name="骨干教师提升培训")
    numbers = [make_id_number("360121", dt.date(1986, 1, 1) + dt.timedelta(days=i), 200 + i) for i in range(3)]
    path = tmp_path / "申报名单.xlsx"
    path.write_bytes(workbook([row(n, num) for n, num in zip(["张一", "李二", "王三"], numbers)]
                              + [row("缺席者", absent.id_number)]))
    url = f"{live_server.url}/enrolment/projects/{project.pk}/"

    # County clerk imports the applicants, then screens them: the 2025 no-show is refused with the reason.
    page = browser_login(personas.county)
    page.goto(url)
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=job][data-status=succeeded]")
    assert "新增申报 4 条" in page.inner_text("[data-testid=job-message]")
    shot(page, "1-import")
    page.goto(url)
    page.click("[data-action=reject_ineligible]")
    assert "1 名不符合条件" in page.inner_text(".messages")
    refused_row = page.inner_text("tr[data-status=rejected]")
    assert "2025年《乡村教师访名校研修》项目未参训，2028-06-25 前不得参加国培" in refused_row
    assert "R34" not in refused_row
    assert absent.id_number not in page.content()
    shot(page, "2-screened")
    for e in Enrolment.objects.filter(project=project, status="applied").order_by("pk"):
        page.goto(f"{live_server.url}/enrolment/trainees/{e.pk}/")
        page.click("button[data-transition=recommend]")
        assert "已推荐" in page.inner_text("[data-testid=enrolment-status]")

    # The institution selects within the quota; the third goes on the reserve list.
    page = browser_login(personas.institution)
    page.goto(url)
    page.click("[data-action=select_in_order]")
    assert "遴选 2 人，备选 1 人" in page.inner_text(".messages")

    # The province publicises; nobody is enrolled before the window ends.
    page = browser_login(personas.province)
    page.goto(url)
    page.click("[data-action=publicise]")
    assert "已公示遴选人员 2 人" in page.inner_text(".messages")
    page.click("[data-action=enrol]")
    assert "公示期满前不得录取" in page.inner_text(".messages")
    Enrolment.objects.filter(project=project, status="publicised").update(publicity_ends_on=today - dt.timedelta(days=1))
    page.click("[data-action=enrol]")
    assert "已录取学员 2 人" in page.inner_text(".messages")
    shot(page, "3-enrolled")

    # Training starts; the institution records the outcomes.
    Project.objects.filter(pk=project.pk).update(status="in_progress", start_date=today - dt.timedelta(days=1))
    page = browser_login(personas.institution)
    first, second = Enrolment.objects.filter(project=project, status="enrolled").order_by("pk")
    page.goto(f"{live_server.url}/enrolment/trainees/{first.pk}/")
    page.click("button[data-transition=check_in]")
    page.click("button[data-transition=complete]")
    assert "结业" in page.inner_text("[data-testid=enrolment-status]")
    page.goto(f"{live_server.url}/enrolment/trainees/{second.pk}/")
    page.fill("form:has(button[data-transition=no_show]) textarea[name=reason]", "无故未报到")
    page.click("button[data-transition=no_show]")
    assert "未参训" in page.inner_text("[data-testid=enrolment-status]")
    shot(page, "4-outcome")

    # Certificates: generated as a job, downloaded as a PDF.
    page.goto(url)
    page.click("[data-action=certificates]")
    page.wait_for_selector("[data-testid=certificate-download]")
    with page.expect_download() as download:
        page.click("[data-testid=certificate-download]")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    shot(page, "5-certificates")

    # Anyone verifies it without logging in; the full ID number never shows.
    cert = Certificate.objects.get(enrolment=first)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/enrolment/verify/")
    page.fill("input[name=number]", cert.number)
    page.fill("input[name=code]", cert.verification_code)
    page.click("button[type=submit]")
    assert "证书有效" in page.inner_text("[data-testid=verify-status]")
    assert first.teacher.name in page.content() and first.teacher.id_number not in page.content()
    shot(page, "6-verified")
