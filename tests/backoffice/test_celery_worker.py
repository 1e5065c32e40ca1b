"""One real task through a real worker on the local Redis broker (CI has Redis; a bare machine skips)."""
import os
import socket

import pytest
from django.db import connection

from backoffice.celery import app as project_app
from backoffice.tasks import region_count


def _redis_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up() and not os.environ.get("CI"), reason="no Redis on this machine")
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_a_real_worker_through_redis(regions):
    from celery import Celery
    from celery.contrib.testing.worker import start_worker

    if connection.vendor == "sqlite":
        pytest.skip("the worker thread needs a database it can share: PostgreSQL")
    # A separate app on the real broker, so the project's eager in-process app is left as other tests expect.
    broker = Celery("backoffice-ci", broker="redis://127.0.0.1:6379/14", backend="redis://127.0.0.1:6379/14")
    broker.conf.task_always_eager = False
    try:
        with start_worker(broker, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = broker.tasks[region_count.name].delay("36")
            assert result.get(timeout=20) == 112  # Jiangxi: 1 province, 11 cities, 100 counties
    finally:
        # start_worker makes its app the current *and* the default one; the live server's threads read the default.
        project_app.set_current()
        project_app.set_default()
