import datetime as dt

import pytest
from django.utils import timezone

from backoffice.demo import make_id_number
from projects.enrolment.models import Enrolment
from projects.models import AnnualPlan, Project
from tests.factories import AnnualPlanFactory, ProjectFactory, TeacherFactory, region

TODAY = timezone.localdate


def plan_for(year, user):
    plan = AnnualPlan.objects.filter(province=region("360000"), year=year).first()
    return plan or AnnualPlanFactory(year=year, created_by=user)


@pytest.fixture
def make_project(personas, orgs):
    def _make(*, status="contracted", start=None, end=None, institution=None, **kwargs):
        start = start or TODAY() + dt.timedelta(days=30)
        end = end or start + dt.timedelta(days=9)
        project = ProjectFactory(plan=plan_for(start.year, personas.province), start_date=start, end_date=end,
                                 office=orgs.office, owner=orgs.office, created_by=personas.province, **kwargs)
        Project.objects.filter(pk=project.pk).update(status=status, institution=institution or orgs.institution)
        project.refresh_from_db()
        return project

    return _make


@pytest.fixture
def project(make_project):
    return make_project(quota=2)


_seq = {"n": 0}


@pytest.fixture
def make_teacher(orgs):
    def _make(school=None, **kwargs):
        _seq["n"] += 1
        school = school or orgs.school
        kwargs.setdefault("id_number", make_id_number(school.region.code, dt.date(1985, 3, 1), _seq["n"] % 1000))
        return TeacherFactory(school=school, **kwargs)

    return _make


@pytest.fixture
def teacher(make_teacher):
    return make_teacher(name="王芳")


@pytest.fixture
def enrol(personas):
    """An enrolment put straight into a status (tests of later steps start there)."""

    def _enrol(project, teacher, status="applied", **extra):
        e = Enrolment.objects.create(project=project, teacher=teacher, applied_by=personas.county)
        Enrolment.objects.filter(pk=e.pk).update(status=status, **extra)
        e.refresh_from_db()
        return e

    return _enrol


@pytest.fixture
def past_project(make_project):
    def _past(year=2024, *, end=None, category="backbone", name=None, **kwargs):
        start = dt.date(year, 6, 20)
        end = end or dt.date(year, 7, 1)
        return make_project(status="completed", start=start, end=end, category=category,
                            name=name or f"{year}年骨干教师提升培训", **kwargs)

    return _past



@pytest.fixture(autouse=True)
def forget_celery_backend():
    """Eager tasks make Celery cache its 'disabled' result backend on the app; forget it afterwards so a later
    test that points the app at Redis (tests/backoffice/test_celery_worker.py) gets a real one."""
    yield
    from backoffice.celery import app

    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    # ...and the producer pool it opened on the default broker while the tasks ran eagerly.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def exported(django_capture_on_commit_callbacks):
    """POST an export button, let the job run (eager, as the embedded default) and download the workbook."""
    from django.urls import reverse

    def _exported(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data or {})
        assert response.status_code == 302 and "/exports/" in response.url, response
        page = client.get(response.url)
        assert page.context["job"].status == "succeeded", page.context["job"].message
        download = client.get(reverse("export_job_file", args=[page.context["job"].pk]))
        download.content_bytes = b"".join(download.streaming_content)
        return download

    return _exported


# -- learning records and outcomes (R47, R48) ------------------------------------------------------------------
@pytest.fixture
def online(make_project, personas):
    """An online project in progress for twenty days, with an approved completion scheme."""
    from .outcome_helpers import TODAY, approved_scheme

    start = TODAY() - dt.timedelta(days=20)
    project = make_project(status="in_progress", start=start, end=start + dt.timedelta(days=60), mode="online",
                           hours=48)
    approved_scheme(project, personas)
    return project


@pytest.fixture
def trainee(online, make_teacher, enrol):
    return enrol(online, make_teacher(name="李雷"), "in_training")
