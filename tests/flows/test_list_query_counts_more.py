"""Issue 13: the lists and dashboards the load harness does not open (reminders, overdue items, review queue,
publicity, evaluation dashboard and systems, award notices, the institution's portal, the expert's panels) and the
lists as the other roles that read them: each takes the same number of queries at two data sizes
(django_assert_num_queries). Meant for PostgreSQL (the capped count and list indexes live there); SQLite runs the
same code."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.flows.test_list_query_counts import _grow

pytestmark = pytest.mark.django_db

PAGES = [
    ("province", "/notices/"), ("province", "/deadlines/overdue/"), ("province", "/projects/queue/"),
    ("office", "/projects/queue/"), ("institution", "/projects/queue/"),
    ("province", "/enrolment/publicity/"), ("province", "/evaluation/dashboard/"), ("province", "/evaluation/systems/"),
    ("province", "/tendering/notices/"), ("institution", "/tendering/portal/"),
    ("institution", "/tendering/portal/bids/"), ("expert", "/tendering/panels/"),
    # Lists the harness opens as one role, here as the others that read them.
    ("ministry", "/projects/"), ("county", "/projects/"), ("institution", "/projects/"),
    ("ministry", "/tendering/"), ("office", "/tendering/"),
    ("auditor", "/finance/"), ("auditor", "/finance/contracts/"), ("institution", "/finance/statements/"),
    ("institution", "/finance/invoices/"), ("auditor", "/finance/reconciliation/"),
    ("ministry", "/audit/"), ("auditor", "/audit/?q=%E9%A2%84%E7%AE%97%E8%B0%83%E6%95%B4"),
    ("province", "/projects/?year=2026"), ("province", "/tendering/?status=contracted"),
]


def _grow_more(personas, orgs, contracts: int, per_county: int):
    """The list data of the harness (contracts, trainees, statements, audit events) plus what these pages read:
    the province's reminders and the expert's panels on the new contracts' lots."""
    from backoffice.models import Notice
    from tendering.models import Lot, Panel, PanelMember

    before = set(Lot.objects.values_list("pk", flat=True))
    _grow(personas, orgs, contracts, per_county)
    now = timezone.now()
    for lot in Lot.objects.exclude(pk__in=before):
        panel = Panel.objects.create(lot=lot, seed="s", size=1, drawn_by=personas.office)
        PanelMember.objects.create(panel=panel, user=personas.expert)
        Notice.objects.create(user=personas.province, kind="test", object_key=f"lot-{lot.pk}", stage="due",
                              due_at=now + dt.timedelta(days=1), subject=f"提醒 {lot.pk}")


def _counts(login, personas):
    found = {}
    for who, url in PAGES:
        client = login(personas[who])
        client.get(url)  # the first visit may fill per-process caches (content types, settings)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, (who, url)
        found[(who, url)] = len(queries)
    return found


def test_issue13_other_lists_take_the_same_queries_at_two_data_sizes(login, personas, orgs,
                                                                      django_assert_num_queries):
    _grow_more(personas, orgs, contracts=2, per_county=3)
    small = _counts(login, personas)
    _grow_more(personas, orgs, contracts=23, per_county=4)  # past a page (50) of statements and trainees
    for (who, url), n in small.items():
        client = login(personas[who])
        with django_assert_num_queries(n, info=f"{who} {url}"):
            client.get(url)
