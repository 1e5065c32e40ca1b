"""R32 under concurrency: two institution staff selecting at the same moment cannot both take the last place."""
import threading

import pytest
from django.db import connection

from projects.enrolment import services
from projects.enrolment.models import Enrolment


@pytest.mark.django_db(transaction=True)
def test_r32_last_place_goes_to_one_applicant_only(regions, personas, make_project, make_teacher, enrol):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite ignores row locks; run on PostgreSQL")
    project = make_project(quota=1)
    a, b = enrol(project, make_teacher(), "recommended"), enrol(project, make_teacher(), "recommended")
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def select(e):
        from django.db import connections

        try:
            barrier.wait()
            results[e.pk] = services.enrolment_select(actor=personas.institution, enrolment=e).status
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=select, args=(e,)) for e in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results.values()) == ["reserve", "selected"]
    assert Enrolment.objects.filter(project=project, status="selected").count() == 1
