"""Issue 13: exports that can pass 10,000 rows run as background jobs (R2 scope, R3 audit, R30 masking), stream
through backoffice.spreadsheets with safe text, and report their progress."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from backoffice.exceptions import DomainError
from backoffice.exports import export_job_start
from backoffice.models import AuditEvent, ExportJob
from backoffice.spreadsheets import Col, stream_table
from backoffice.tasks import run_export_job
from projects.enrolment import services
from tests.backoffice.hostile import assert_no_formula

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def outcomes(make_project, make_teacher, enrol, personas):
    project = make_project(status="in_progress", start=TODAY() - dt.timedelta(days=5),
                           end=TODAY() + dt.timedelta(days=1))
    done = [enrol(project, make_teacher(), "in_training") for _ in range(3)]
    for e in done:
        services.enrolment_complete(actor=personas.institution, enrolment=e)
    enrol(project, make_teacher(name="=HYPERLINK(\"http://x\",\"点我\")"), "no_show")
    return project


def _rows(download):
    sheet = load_workbook(io.BytesIO(download.content_bytes)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_r30_trainee_list_export_is_a_job_with_the_lists_filter_and_masked_ids(login, personas, outcomes, exported):
    client = login(personas.province)
    page = client.get(reverse("enrolment:enrolment_list"), {"status": "completed"}).content.decode()
    assert reverse("enrolment:trainee_export") in page and 'name="status" value="completed"' in page
    download = exported(client, reverse("enrolment:trainee_export"), {"status": "completed"})
    rows = _rows(download)
    assert rows[0][:2] == ["姓名", "身份证号"] and len(rows) == 1 + 3
    assert {r[5] for r in rows[1:]} == {"结业"}
    assert all("*" in r[1] for r in rows[1:])  # R30
    job = ExportJob.objects.get()
    assert (job.status, job.progress, job.rows, job.created_by) == ("succeeded", 100, 3, personas.province)
    assert "3" in job.message
    assert AuditEvent.objects.filter(action="export", actor=personas.province).exists()  # R3


def test_export_writes_a_hostile_name_as_text(login, personas, outcomes, exported):
    download = exported(login(personas.province), reverse("enrolment:trainee_export"), {"status": "no_show"})
    values = assert_no_formula(download.content_bytes)
    assert '=HYPERLINK("http://x","点我")' in values


def test_r2_the_export_holds_only_the_users_scope(login, personas, outcomes, exported, make_teacher, enrol, orgs):
    enrol(outcomes, make_teacher(school=orgs.other_school), "no_show")
    province = _rows(exported(login(personas.province), reverse("enrolment:trainee_export")))
    county = _rows(exported(login(personas.county), reverse("enrolment:trainee_export")))
    assert len(province) == 1 + 5 and len(county) == 1 + 4


@pytest.mark.parametrize("who", ["expert", "finance"])
def test_roles_without_business_cannot_start_an_export(login, personas, who):
    client = login(personas[who])
    assert client.post(reverse("enrolment:trainee_export")).status_code == 403
    assert client.post(reverse("enrolment:credit_export"), {"year": "2026"}).status_code == 403
    with pytest.raises(DomainError) as refused:
        export_job_start(actor=personas[who], kind="enrolment.trainees")
    assert refused.value.code == "forbidden" and not ExportJob.objects.exists()


def test_a_project_outside_scope_cannot_be_exported(login, personas, outcomes):
    assert login(personas.other_institution).post(
        reverse("enrolment:project_export", args=[outcomes.pk])).status_code == 404
    with pytest.raises(DomainError) as refused:
        export_job_start(actor=personas.other_institution, kind="enrolment.project_trainees",
                         params={"project": outcomes.pk})
    assert refused.value.code == "not_found"


def test_only_the_author_sees_and_downloads_an_export(login, personas, outcomes, exported):
    exported(login(personas.province), reverse("enrolment:trainee_export"))
    job = ExportJob.objects.get()
    for who in ("office", "auditor", "henan_province"):
        client = login(personas[who])
        assert client.get(reverse("export_job", args=[job.pk])).status_code == 404
        assert client.get(reverse("export_job_file", args=[job.pk])).status_code == 404
    assert login(personas.province).get(reverse("export_job_status", args=[job.pk])).json()["done"] is True


def test_an_export_runs_once_however_often_it_is_delivered(personas, outcomes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_start(actor=personas.province, kind="enrolment.trainees")
    events = AuditEvent.objects.filter(action="export").count()
    assert run_export_job(job.pk) == "skipped"
    assert AuditEvent.objects.filter(action="export").count() == events == 1


def test_unknown_export_is_refused(personas):
    with pytest.raises(DomainError) as refused:
        export_job_start(actor=personas.province, kind="nothing")
    assert refused.value.code == "unknown_export"


def test_export_progress_grows_as_rows_are_written(personas, outcomes, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    from backoffice import exports

    seen = []
    real = exports.stream_table

    def small_steps(target, title, columns, rows, *, progress=None, every=10_000):
        return real(target, title, columns, rows, progress=progress, every=1)

    monkeypatch.setattr(exports, "stream_table", small_steps)
    monkeypatch.setattr(ExportJob.objects, "filter", _recording(ExportJob.objects.filter, seen))
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_start(actor=personas.province, kind="enrolment.trainees")
    job.refresh_from_db()
    assert seen == sorted(seen) and len(seen) >= 3 and max(seen) <= 95
    assert (job.status, job.progress) == ("succeeded", 100)


def _recording(filter_, seen):
    class Recorder:
        def __init__(self, qs):
            self.qs = qs

        def update(self, **values):
            if set(values) == {"progress"}:
                seen.append(values["progress"])
            return self.qs.update(**values)

        def __getattr__(self, name):
            return getattr(self.qs, name)

    return lambda *a, **k: Recorder(filter_(*a, **k))


def test_stream_table_writes_rows_to_a_file_and_reports_progress(tmp_path):
    reported = []
    path = tmp_path / "big.xlsx"
    rows = ([i, f"=cmd|'/c calc'!A{i}", dt.date(2026, 1, 1)] for i in range(25))
    count = stream_table(path, "学员", [Col("n", kind="int"), Col("text"), Col("date", kind="date")], rows,
                         progress=reported.append, every=10)
    assert count == 25 and reported == [10, 20]
    values = assert_no_formula(path.read_bytes())
    assert "=cmd|'/c calc'!A24" in values and load_workbook(path).active.max_row == 26
