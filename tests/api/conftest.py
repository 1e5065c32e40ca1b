"""API test data: one contracted project of 南昌县 with a completed trainee (credit hours audited, certificate
issued), a settled statement and an advance payment; and API keys issued by personas."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from backoffice.api.keys import api_key_issue
from backoffice.api.scopes import SCOPES
from projects.enrolment.models import CreditRecord
from tests.factories import region
from tests.factories.finance import contract_for, trainees


class World(dict):
    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # throttling counts live in the cache; each test starts with none


@pytest.fixture
def api_world(personas, orgs):
    from finance import services as finance
    from projects.enrolment import services as enrolment

    w = World(personas=personas, orgs=orgs)
    w.contract = contract_for(institution=orgs.institution, unit_price="12.50", hours=80, quota=50,
                              office=orgs.office, start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 10))
    w.project = w.contract.lot.projects.get()
    w.project.regions.set([region("360121")])
    w.plan = w.project.plan
    w.enrolment = trainees(w.project, "360121", 1)[0]
    # The fixture's school for 南昌县 is the personas' school: the trainee is one of its teachers.
    w.enrolment.teacher.school = orgs.school
    w.enrolment.teacher.save()
    w.teacher = w.enrolment.teacher
    w.credit = CreditRecord.objects.create(enrolment=w.enrolment, hours=80, year=2026, status="approved",
                                           audited_at=timezone.now())
    w.certificate = enrolment.certificates_issue(actor=personas.institution, project=w.project)[0]
    finance.settlement_compute(actor=personas.finance, contracts=[w.contract])
    w.statement = w.contract.statements.get()
    # The tender went all the way (its own walk is tendering's tests): announced, opened, awarded, notice published.
    lot = w.contract.lot
    w.tender = lot.tender
    type(w.tender).objects.filter(pk=w.tender.pk).update(
        status="completed", announced_at=timezone.now() - dt.timedelta(days=60),
        bid_deadline=timezone.now() - dt.timedelta(days=35), opened_at=timezone.now() - dt.timedelta(days=35))
    type(lot).objects.filter(pk=lot.pk).update(recommended_bid=w.contract.bid,
                                               notice_published_at=timezone.now() - dt.timedelta(days=30))
    w.tender.refresh_from_db()
    w.lot = lot
    w.payment = finance.payment_record(actor=personas.finance, contract=w.contract, tranche="advance",
                                       amount=Decimal("1000.00"), paid_on=dt.date(2026, 2, 20))
    return w


@pytest.fixture
def issue_key():
    """issue_key(user, scopes=..., organisation=None) -> token."""

    def _issue(user, scopes=tuple(SCOPES), organisation=None, days=30, label="测试平台"):
        return api_key_issue(actor=user, organisation=organisation or user.organisation, label=label,
                             scopes=list(scopes), days=days)[1]

    return _issue


@pytest.fixture
def api(client):
    """api(token=None, user=None): a client sending the key, or logged in as the user, or anonymous."""

    def _api(*, token=None, user=None):
        client.logout()
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        if token:
            client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {token}"
        if user:
            client.force_login(user)
        return client

    return _api


_rows = {"n": 0}


@pytest.fixture
def make_row(orgs):
    """make_row(**overrides): one applicant of the personas' school, as the roster batch takes it."""
    from backoffice.demo import make_id_number

    if not orgs.school.code:
        orgs.school.code = "36012100001"
        orgs.school.save(update_fields=["code"])

    def _row(**overrides):
        _rows["n"] += 1
        n = _rows["n"]
        row = {"name": f"接口教师{n}", "id_number": make_id_number("360121", dt.date(1986, 1, 1) + dt.timedelta(days=n),
                                                                  500 + n % 400),
               "school_code": orgs.school.code, "region_code": "360121", "stage": "primary", "subject": "maths",
               "started_on": "2010-09-01", "is_rural": True}
        row.update(overrides)
        return row

    return _row
