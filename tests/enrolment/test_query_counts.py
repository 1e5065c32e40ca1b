"""Lists fetch what they show in a constant number of queries (STYLE): the same count for 2 rows and for 12,
including the credit-hours list, whose every row carries its action buttons."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.enrolment.models import CreditRecord

pytestmark = pytest.mark.django_db
PAGES = ["enrolment:credit_list", "enrolment:enrolment_list", "enrolment:certificate_list",
         "enrolment:exemption_list", "enrolment:project_list"]


def _counts(login, personas, project):
    found = {}
    for who in ("office", "province", "institution", "county"):
        client = login(personas[who])
        for url in [reverse(u) for u in PAGES] + [reverse("enrolment:project_detail", args=[project.pk])]:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code in (200, 403, 404)
            found[(who, url)] = len(queries)
    return found


def test_list_pages_query_count_does_not_grow_with_rows(login, personas, make_project, make_teacher, enrol):
    project = make_project(status="in_progress", start=timezone.localdate() - dt.timedelta(days=2))

    def add(n):
        for _ in range(n):
            e = enrol(project, make_teacher(), "completed")
            CreditRecord.objects.create(enrolment=e, hours=project.hours, year=project.end_date.year)

    add(2)
    few = _counts(login, personas, project)
    add(10)
    assert _counts(login, personas, project) == few
