"""R32 under concurrency: two institution staff selecting at the same moment cannot both take the last place."""

import pytest
from django.db import connection

from projects.enrolment import services
from projects.enrolment.models import Enrolment
from tests.concurrency import race


@pytest.mark.django_db(transaction=True)
def test_r32_last_place_goes_to_one_applicant_only(regions, personas, make_project, make_teacher, enrol):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite ignores row locks; run on PostgreSQL")
    project = make_project(quota=1)
    a, b = enrol(project, make_teacher(), "recommended"), enrol(project, make_teacher(), "recommended")
    done, refused, errors = race([
        lambda e=e: services.enrolment_select(actor=personas.institution, enrolment=e).status for e in (a, b)])
    assert errors == [] and refused == []
    assert sorted(done) == ["reserve", "selected"]
    assert Enrolment.objects.filter(project=project, status="selected").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_delivered_twice_at_once_runs_once(regions, personas):
    """Issue 11 #6: the sweep may queue a job the broker had after all; two workers then get it together."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite ignores row locks; run on PostgreSQL")
    from django.core.files.base import ContentFile

    from projects.enrolment.models import ImportJob
    from projects.enrolment.tasks import _claim

    job = ImportJob.objects.create(kind="teachers", file=ContentFile(b"x", name="a.xlsx"), original_name="a.xlsx",
                                   created_by=personas.county)
    claimed, refused, errors = race([lambda: _claim(ImportJob, job.pk) is not None] * 4)
    assert errors == [] and refused == [] and sorted(claimed) == [False, False, False, True]
    job.refresh_from_db()
    assert job.status == "running"
