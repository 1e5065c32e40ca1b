"""Issue 12's walk in a real browser (R46-R48, R41, R43, R52): the institution uploads its platform's learning
records, reviews the distribution of the computed outcomes, overrides one trainee with a reason and confirms all
in one action; the county sees the override first and audits all in one action; the completers' hours count;
the institution issues the certificates as a batch; finance settles the contract on the new counts."""
import csv
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone, translation

from projects.enrolment.models import Certificate, CreditRecord, Enrolment
from projects.enrolment.outcomes.ingest import FIELDS
from projects.models import Project
from tests.e2e.navigation import nav_click
from tests.enrolment.outcome_helpers import approved_scheme
from tests.factories import region
from tests.factories.finance import contract_for, trainees

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def forget_celery_backend():
    yield
    from backoffice.celery import app

    app._backend_cache = None  # see tests/enrolment/conftest.py
    app._local.__dict__.pop("backend", None)
    app._pool = None
    app.amqp._producer_pool = None


def _records_csv(path: Path, rows) -> Path:
    """The platform's export with the template's Chinese headers."""
    from django.utils.translation import gettext as _

    with translation.override("zh-hans"), open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow([_(label) for _k, label, _r, _kd in FIELDS])
        w.writerows(rows)
    return path


def test_issue12_walk_records_to_outcomes_audit_hours_certificates_settlement(
        regions, personas, orgs, browser_login, page, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    start = today - dt.timedelta(days=14)
    # An online project of 80 hours (4,800 minutes) under a signed contract at ¥12.50 per trainee-hour.
    contract = contract_for(institution=orgs.institution, unit_price="12.50", hours=80, quota=10, office=orgs.office,
                            mode="online", name="网络研修与校本研修整合培训", start_date=start,
                            end_date=today + dt.timedelta(days=5))
    project = contract.lot.projects.get()
    project.regions.set([region("360121")])
    Project.objects.filter(pk=project.pk).update(status="in_progress")
    approved_scheme(project, personas, indicators=[("learning_minutes", 4800, 60, 80),
                                                   ("assignments_passed", 2, 20, None), ("assessment", 100, 20, None)])
    people = trainees(project, "360121", 6, status="in_training")
    numbers = [e.teacher.id_number for e in people]
    names = [e.teacher.name for e in people]
    end = (start + dt.timedelta(days=6)).isoformat()
    rows = [[n, "", start.isoformat(), end, 4800, 2, 2, 1, 90, 3] for n in numbers[:4]]
    rows.append([numbers[4], "", start.isoformat(), end, 3000, 2, 2, 1, 90, 3])  # under 80% of the hours
    # numbers[5] never logged in: no record, a no-show.
    path = _records_csv(tmp_path / "学习记录.csv", rows)

    # 1. The institution uploads the platform's records from the project's page.
    page = browser_login(personas.institution)
    nav_click(page, "学员遴选")
    page.get_by_role("link", name=project.name, exact=True).click()
    page.click("[data-testid=outcomes-link]")
    outcomes_url = page.url
    assert "学习记录与结业" in page.inner_text("h1")
    page.set_input_files("[data-testid=records-upload] input[name=file]", str(path))
    page.fill("[data-testid=records-upload] input[name=source]", "江西教师网络研修平台")
    page.click("[data-testid=records-upload] button[type=submit]")
    page.wait_for_selector("[data-testid=job][data-status=succeeded]")
    assert "已写入 5 条记录，0 条未变化" in page.inner_text("[data-testid=job-message]")

    # 2. ...computes the outcomes and reviews the distribution: 4 completed, 1 short of the minimum, 1 no-show.
    page.goto(outcomes_url)
    page.click("[data-action=compute]")
    assert "已计算 6 名学员的结业结果" in page.inner_text(".messages")
    counts = page.locator("[data-testid=histogram] [data-testid=count]").all_inner_texts()
    assert counts == ["结业 4", "未结业 1", "未参训 1"]
    assert "南昌县" in page.inner_text("[data-testid=counties]") and "4/6" in page.inner_text("[data-testid=counties]")
    assert page.locator("[data-testid=outcome-list] tbody tr").count() == 6

    # 3. ...overrides the trainee short of the minimum, with a reason, then confirms all in one action.
    page.locator("[data-testid=outcome-list]").get_by_role("link", name=names[4], exact=True).click()
    assert "未达到" in page.inner_text("[data-testid=outcome-reason]")
    page.select_option("[data-testid=override-form] select[name=override]", "completed")
    page.fill("[data-testid=override-form] textarea[name=reason]", "平台故障漏记线下集中研修学时，已核实补足")
    page.click("[data-action=override]")
    assert "县（区）审核时可见" in page.inner_text(".messages")
    page.goto(outcomes_url)
    page.click("[data-action=confirm]")
    assert page.confirmations and "确认" in page.confirmations[-1]
    assert "已确认 6 名学员的结业结果" in page.inner_text(".messages")

    # 4. The county sees the override first (with the reason), then audits all in one action.
    page = browser_login(personas.county)
    page.goto(outcomes_url)
    first_row = page.locator("[data-testid=audit-sample] tbody tr").first
    assert first_row.get_attribute("data-override") == "1"
    assert names[4] in first_row.inner_text() and "平台故障漏记" in first_row.inner_text()
    page.click("[data-action=audit]")
    assert "已审核 6 名学员的结业结果" in page.inner_text(".messages")

    # 5. The hours count: each of the five completers is credited the project's 80 hours.
    nav_click(page, "学时学分")
    credits = page.locator("[data-testid=credit-list] tbody tr", has_text=project.name)
    assert credits.count() == 5
    assert all("80" in text for text in credits.all_inner_texts())
    credited = {row.split("\t")[0].strip() for row in credits.all_inner_texts()}
    assert credited == set(names[:5])  # the no-show has no hours
    assert CreditRecord.objects.filter(enrolment__project=project, status="approved", hours=80).count() == 5

    # 6. The institution issues the certificates as a batch and downloads them.
    page = browser_login(personas.institution)
    page.goto(outcomes_url)
    page.click("[data-action=certificates]")
    page.wait_for_selector("[data-testid=certificate-download]")
    with page.expect_download() as download:
        page.click("[data-testid=certificate-download]")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert Certificate.objects.filter(enrolment__project=project).count() == 5

    # 7. Finance settles the contract on the new counts: 5 completed × ¥12.50 × 80 hours.
    assert Enrolment.objects.filter(project=project, status="completed").count() == 5
    page = browser_login(personas.finance)
    page.goto(f"{live_server.url}/finance/contracts/")
    page.click(f"[data-testid=settle-{contract.reference}]")
    page.click(f"[data-testid=statement-{contract.reference}-360121]")
    assert page.inner_text("[data-testid=statement-amount]").strip() == "¥5,000.00"
    assert "草稿" in page.inner_text("[data-testid=statement-status]")
