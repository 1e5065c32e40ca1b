"""Issue 13: every list page and dashboard runs the same number of statements whatever the table sizes, on
PostgreSQL (where the capped count, the row estimate, the trigram and list indexes live). Each page is opened at
a small and at a bigger data size; the bigger one must take exactly as many queries (django_assert_num_queries).
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.audit import audit_record
from tests.factories.finance import contract_for, trainees

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only list behaviour")]

# (user, url): every list and dashboard of the load harness (bench/load/run.py).
PAGES = [
    ("province", "/"), ("county", "/"), ("institution", "/"), ("finance", "/"),
    ("province", "/enrolment/trainees/"), ("province", "/enrolment/trainees/?status=completed"),
    ("province", "/enrolment/trainees/?q=%E5%AD%A6%E5%91%98"), ("county", "/enrolment/trainees/"),
    ("institution", "/enrolment/trainees/"), ("province", "/enrolment/credits/"),
    ("province", "/enrolment/certificates/"), ("province", "/enrolment/exemptions/"), ("province", "/enrolment/"),
    ("province", "/registry/teachers/?stage=primary"), ("province", "/registry/teachers/?q=%E5%AD%A6%E5%91%98"),
    ("county", "/registry/teachers/"), ("province", "/registry/organisations/"),
    ("auditor", "/audit/"), ("auditor", "/audit/?since=2020-03-01&until=2030-03-31"),
    ("province", "/projects/"), ("province", "/projects/plans/"), ("province", "/tendering/"),
    ("province", "/evaluation/"), ("finance", "/finance/"), ("finance", "/finance/contracts/"),
    ("finance", "/finance/statements/"), ("finance", "/finance/invoices/"), ("finance", "/finance/reconciliation/"),
]


def _grow(personas, orgs, contracts: int, per_county: int):
    """`contracts` contracts of the institution, each with completed trainees from two counties, settled (so
    statements, audit events, enrolments and teachers all grow together)."""
    from finance import services

    made = []
    for _ in range(contracts):
        contract = contract_for(institution=orgs.institution, quota=2 * per_county)
        project = contract.lot.projects.get()
        for county in ("360121", "360112"):
            trainees(project, county, per_county)
        audit_record(obj=project, actor=personas.province, action="update", reason="预算调整")
        made.append(contract)
    services.settlement_compute(actor=personas.finance, contracts=made)


def _counts(login, personas):
    found = {}
    for who, url in PAGES:
        client = login(personas[who])
        client.get(url)  # the first visit may fill per-process caches (content types, settings)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, (who, url)
        found[(who, url)] = len(queries)
    return found


def test_issue13_every_list_takes_the_same_queries_at_two_data_sizes(login, personas, orgs,
                                                                       django_assert_num_queries):
    _grow(personas, orgs, contracts=2, per_county=3)
    small = _counts(login, personas)
    # Past a page of rows on every list (50), and more contracts than a reconciliation page (20).
    _grow(personas, orgs, contracts=23, per_county=4)
    for (who, url), n in small.items():
        client = login(personas[who])
        with django_assert_num_queries(n):
            client.get(url)


def test_issue13_beyond_the_cap_the_list_says_roughly_how_many(login, personas, orgs, settings):
    """Past LIST_COUNT_CAP the count stops there and the page shows PostgreSQL's estimate instead."""
    settings.LIST_COUNT_CAP = 20
    _grow(personas, orgs, contracts=2, per_county=30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE enrolment_enrolment")
    page = login(personas.province).get("/enrolment/trainees/")
    body = page.content.decode()
    assert 'data-testid="rows-estimate"' in body
    assert page.context["page_obj"].paginator.num_pages == 1  # 20 rows shown at most: the first page only
    assert page.context["page_obj"].paginator.estimate >= 20


def test_issue13_under_the_cap_the_count_is_exact(login, personas, orgs):
    _grow(personas, orgs, contracts=1, per_county=30)
    page = login(personas.province).get("/enrolment/trainees/")
    assert page.context["page_obj"].paginator.count == 60
    assert not page.context["page_obj"].paginator.approximate
    assert 'data-testid="rows-estimate"' not in page.content.decode()
