"""Issue 13: bounded work per web request. PostgreSQL cancels a web request's statement after
WEB_STATEMENT_TIMEOUT_MS and the user reads a Chinese explanation (503), never a 500 page; workers and commands
are not limited."""
import threading

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from backoffice.timeouts import install_web_statement_timeout, uninstall_web_statement_timeout

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statement_timeout")


def _lock_enrolments(ready: threading.Event, release: threading.Event):
    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"], password=s["PASSWORD"],
                         dbname=s["NAME"]) as other:
        other.execute("LOCK TABLE enrolment_enrolment IN ACCESS EXCLUSIVE MODE")
        ready.set()
        release.wait(30)
        other.rollback()


@pytest.mark.django_db(transaction=True)
def test_issue13_a_list_query_cut_off_by_the_timeout_shows_a_chinese_page_not_a_500(regions, personas, login,
                                                                                    settings):
    settings.WEB_STATEMENT_TIMEOUT_MS = 300
    ready, release = threading.Event(), threading.Event()
    locker = threading.Thread(target=_lock_enrolments, args=(ready, release))
    install_web_statement_timeout()
    client = login(personas.province)
    connection.close()  # the next request opens a connection the way a web worker does
    try:
        locker.start()
        assert ready.wait(10)
        response = client.get(reverse("enrolment:enrolment_list"))
    finally:
        release.set()
        locker.join()
        uninstall_web_statement_timeout()
        connection.close()
    assert response.status_code == 503
    body = response.content.decode()
    assert "缩小" in body and "时间过长" in body, body


@pytest.mark.django_db
def test_issue13_connections_outside_the_web_entry_point_have_no_statement_timeout():
    """Celery workers, migrations and commands keep PostgreSQL's default: no limit."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
