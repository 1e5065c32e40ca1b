"""Issue 12's walk through the pages, without a browser (the same walk runs in Chromium in
tests/e2e/test_outcomes_walk.py where Chromium is installed): records uploaded → distribution reviewed → one override
with a reason → all confirmed → the county audits (the override first) → hours counted → certificates → finance
settles on the new counts. Assertions read what each page shows, in Chinese."""
import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from lxml import html

from projects.enrolment.models import Certificate, CreditRecord, Enrolment
from projects.enrolment.outcomes.ingest import FIELDS
from projects.models import Project
from tests.enrolment.outcome_helpers import approved_scheme
from tests.factories import region
from tests.factories.finance import contract_for, trainees

pytestmark = pytest.mark.django_db


def _csv(rows) -> bytes:
    from django.utils.translation import gettext as _

    out = io.StringIO()
    with translation.override("zh-hans"):
        w = csv.writer(out)
        w.writerow([_(label) for _k, label, _r, _kd in FIELDS])
        w.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _text(response, testid) -> str:
    found = html.fromstring(response.content.decode()).xpath(f"//*[@data-testid='{testid}']")
    return " ".join(" ".join(e.text_content().split()) for e in found)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_r46_r48_r41_r52_issue12_walk_from_records_to_settlement(personas, orgs, login, settings, tmp_path,
                                                                  django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    start = today - dt.timedelta(days=14)
    contract = contract_for(institution=orgs.institution, unit_price="12.50", hours=80, quota=10, office=orgs.office,
                            mode="online", name="网络研修与校本研修整合培训", start_date=start,
                            end_date=today + dt.timedelta(days=5))
    project = contract.lot.projects.get()
    project.regions.set([region("360121")])
    Project.objects.filter(pk=project.pk).update(status="in_progress")
    approved_scheme(project, personas, indicators=[("learning_minutes", 4800, 60, 80),
                                                   ("assignments_passed", 2, 20, None), ("assessment", 100, 20, None)])
    people = trainees(project, "360121", 6, status="in_training")
    numbers, names = [e.teacher.id_number for e in people], [e.teacher.name for e in people]
    end = (start + dt.timedelta(days=6)).isoformat()
    rows = [[n, "", start.isoformat(), end, 4800, 2, 2, 1, 90, 3] for n in numbers[:4]]
    rows.append([numbers[4], "", start.isoformat(), end, 3000, 2, 2, 1, 90, 3])  # under 80% of the hours
    outcomes_url = reverse("enrolment:outcomes", args=[project.pk])

    # 1. The institution uploads the platform's file; the job writes five records.
    client = login(personas.institution)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolment:records_upload", args=[project.pk]),
                               {"file": SimpleUploadedFile("学习记录.csv", _csv(rows)), "source": "江西教师网络研修平台"})
    response = client.get(response.url)  # the job ran once the upload committed
    assert "已写入 5 条记录，0 条未变化" in _text(response, "job-message")

    # 2. Computed and reviewed: 4 completed, 1 under the minimum, 1 no-show; completion by county.
    response = client.post(reverse("enrolment:outcomes_compute", args=[project.pk]), follow=True)
    assert "已计算 6 名学员的结业结果" in _messages(response)
    assert _text(response, "count") == "结业 4 未结业 1 未参训 1"
    assert "南昌县" in _text(response, "counties") and "4/6" in _text(response, "counties")

    # 3. One override with a reason, then all confirmed in one action.
    short = Enrolment.objects.get(project=project, teacher__id_number=numbers[4])
    page = client.get(reverse("enrolment:enrolment_detail", args=[short.pk]))
    assert "未达到" in _text(page, "outcome-reason")
    response = client.post(reverse("enrolment:outcome_override", args=[short.pk]),
                           {"override": "completed", "reason": "平台故障漏记线下集中研修学时，已核实补足"}, follow=True)
    assert "县（区）审核时可见" in _messages(response)
    response = client.post(reverse("enrolment:outcomes_confirm", args=[project.pk]), follow=True)
    assert "已确认 6 名学员的结业结果" in _messages(response)

    # 4. The county reads the override first, with its reason, and audits all in one action.
    client = login(personas.county)
    page = html.fromstring(client.get(outcomes_url).content.decode())
    first = page.xpath("//*[@data-testid='audit-sample']//tbody/tr")[0]
    assert first.get("data-override") == "1"
    assert names[4] in first.text_content() and "平台故障漏记" in first.text_content()
    response = client.post(reverse("enrolment:outcomes_audit", args=[project.pk]), follow=True)
    assert "已审核 6 名学员的结业结果" in _messages(response)

    # 5. Hours counted: the five completers, 80 hours each; the no-show none.
    page = html.fromstring(client.get(reverse("enrolment:credit_list")).content.decode())
    credited = {tr.xpath("./td")[0].text_content().strip(): tr.xpath("./td")[4].text_content().strip()
                for tr in page.xpath("//*[@data-testid='credit-list']//tbody/tr") if project.name in tr.text_content()}
    assert credited == dict.fromkeys(names[:5], "80")
    assert CreditRecord.objects.filter(enrolment__project=project, status="approved").count() == 5

    # 6. The institution's certificate batch: five certificates in one PDF.
    client = login(personas.institution)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolment:certificate_batch", args=[project.pk]))
    response = client.get(response.url)
    assert Certificate.objects.filter(enrolment__project=project).count() == 5
    link = html.fromstring(response.content.decode()).xpath("//*[@data-testid='certificate-download']/@href")[0]
    assert b"".join(client.get(link).streaming_content).startswith(b"%PDF")

    # 7. Finance settles on the new counts: 5 completed × ¥12.50 × 80 hours.
    client = login(personas.finance)
    response = client.post(reverse("finance:settle"), {"contract": contract.pk}, follow=True)
    statement = contract.statements.get()
    page = client.get(reverse("finance:statement_detail", args=[statement.pk]))
    assert _text(page, "statement-amount") == "¥5,000.00" and "草稿" in _text(page, "statement-status")
