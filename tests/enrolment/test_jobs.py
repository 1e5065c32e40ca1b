"""Issue 11 #6: a broker outage never loses a job. With the broker unreachable an import or a certificate batch
is saved and shown as waiting with a Chinese message (no 500); the scheduled sweep queues it again once the
broker is back and fails a job that ran past the timeout; a job is run once, however often it is queued."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from backoffice.audit import timeline_for
from backoffice.config import setting_set
from backoffice.demo import make_id_number
from backoffice.jobs import REQUEUE_AFTER, RUNNING_TIMEOUT, jobs_sweep
from backoffice.models import AuditEvent, Organisation, Teacher
from projects.enrolment import services
from projects.enrolment.models import CertificateJob, ImportJob
from projects.enrolment.tasks import run_import_job

from .xlsx import row, workbook

pytestmark = pytest.mark.django_db
WAITING = "后台服务恢复后将自动开始"


@pytest.fixture(autouse=True)
def school_code(orgs):
    Organisation.objects.filter(pk=orgs.school.pk).update(code="S3601210")


@pytest.fixture
def broker_down(settings):
    """Production's Redis broker, unreachable: tasks are sent for real (not eager) and the send fails."""
    from backoffice.celery import app

    before = (app.conf.broker_url, app.conf.task_always_eager)
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = "redis://127.0.0.1:1/0", False
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    app._pool, app.amqp._producer_pool = None, None

    def back():
        app.conf.broker_url, app.conf.task_always_eager = before
        app._pool, app.amqp._producer_pool = None, None

    yield back
    back()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def _upload(n=2):
    rows = [row(f"教师{i}", make_id_number("360121", dt.date(1985, 1, 1) + dt.timedelta(days=i), 300 + i))
            for i in range(n)]
    return SimpleUploadedFile("教师.xlsx", workbook(rows))


def _age(job, minutes, field="queued_at"):
    type(job).objects.filter(pk=job.pk).update(**{field: timezone.now() - dt.timedelta(minutes=minutes)})


def test_broker_down_import_is_kept_waiting_with_a_chinese_message_not_a_500(login, personas, broker_down, commits):
    client = login(personas.county)
    with commits(execute=True):
        response = client.post(reverse("enrolment:teacher_import"), {"file": _upload()})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("enrolment:import_job", args=[job.pk])
    assert job.status == "pending" and WAITING in job.message
    page = client.get(response.url).content.decode()
    assert WAITING in page and 'data-status="pending"' in page
    assert not Teacher.objects.exists()


def test_broker_down_certificate_batch_is_kept_waiting(login, personas, make_project, broker_down, commits):
    project = make_project(status="in_progress", start=timezone.localdate() - dt.timedelta(days=3))
    with commits(execute=True):
        response = login(personas.institution).post(reverse("enrolment:certificate_batch", args=[project.pk]))
    job = CertificateJob.objects.get()
    assert response.status_code == 302 and job.status == "pending" and WAITING in job.message


def test_sweep_queues_a_waiting_job_again_once_the_broker_is_back(login, personas, broker_down, commits):
    with commits(execute=True):
        login(personas.county).post(reverse("enrolment:teacher_import"), {"file": _upload()})
    job = ImportJob.objects.get()
    _age(job, 9)
    broker_down()  # the broker is back (eager, as the embedded default runs)
    assert jobs_sweep() == {"requeued": 0, "failed": 0}  # waited 9 of the default 10 minutes
    _age(job, 11)
    assert jobs_sweep() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == "succeeded" and Teacher.objects.count() == 2
    assert [e.transition for e in timeline_for(job)] == ["requeue", "start", "succeed"]


def test_sweep_waiting_time_is_a_setting(login, personas, broker_down, commits):
    with commits(execute=True):
        login(personas.county).post(reverse("enrolment:teacher_import"), {"file": _upload()})
    job = ImportJob.objects.get()
    _age(job, 4)
    setting_set(key=REQUEUE_AFTER, value=3, actor=personas.province)
    broker_down()
    assert jobs_sweep()["requeued"] == 1


def test_sweep_fails_a_job_running_past_the_timeout(personas):
    job = ImportJob.objects.create(kind="teachers", file=_upload(), original_name="教师.xlsx", created_by=personas.county)
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now() - dt.timedelta(minutes=59))
    assert jobs_sweep()["failed"] == 0
    _age(job, 61, field="started_at")
    assert jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and "60 分钟" in job.message and job.finished_at
    setting_set(key=RUNNING_TIMEOUT, value=30, actor=personas.province)
    other = ImportJob.objects.create(kind="teachers", file=_upload(), original_name="b.xlsx", created_by=personas.county)
    ImportJob.objects.filter(pk=other.pk).update(status="running", started_at=timezone.now() - dt.timedelta(minutes=31))
    assert jobs_sweep()["failed"] == 1


def test_running_a_finished_job_again_changes_nothing(personas, commits):
    with commits(execute=True):
        job = services.import_job_start(actor=personas.county, kind="teachers", upload=_upload(3))
    job.refresh_from_db()
    assert job.status == "succeeded" and Teacher.objects.count() == 3
    events = AuditEvent.objects.count()
    assert run_import_job(job.pk) == "skipped"  # a duplicate delivery or a re-run
    job.refresh_from_db()
    assert (job.status, Teacher.objects.count(), AuditEvent.objects.count()) == ("succeeded", 3, events)


def test_the_sweep_is_scheduled_with_celery_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="backoffice.sweep_jobs")
    assert task.enabled and (task.interval.every, task.interval.period) == (5, "minutes")
