"""R54/R55 under concurrency: two clerks at once cannot both take the same remaining amount (PostgreSQL locks)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from finance import services
from finance.models import Invoice, Payment
from tests.concurrency import race as _race
from tests.factories.finance import contract_for, trainees

pytestmark = pytest.mark.django_db(transaction=True)


def test_r55_concurrent_invoices_never_exceed_the_due(regions, personas, orgs, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    contract = contract_for(institution=orgs.institution)
    trainees(contract.lot.projects.get(), "360121", 37)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = contract.statements.get()
    services.settlement_confirm(actor=personas.institution, statement=statement)
    services.settlement_approve(actor=personas.finance, statement=statement)

    done, refused, errors = _race([
        (lambda n=n: services.invoice_upload(actor=personas.institution, contract=contract, county=statement.county,
                                             number=f"C-{n}", amount=Decimal("37000"), issued_on=dt.date(2026, 8, 1)))
        for n in range(4)])
    assert errors == [] and len(done) == 1 and refused == ["r55_invoice_exceeds_due"] * 3
    assert Invoice.objects.count() == 1

    assert Payment.objects.count() == 0


def test_r54_simultaneous_advances_before_any_statement_never_exceed_the_cap(regions, personas, orgs, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    contract = contract_for(institution=orgs.institution)  # 50,000: the advance is at most 15,000 in all
    done, refused, errors = _race([
        (lambda: services.payment_record(actor=personas.finance, contract=contract, tranche="advance",
                                         amount=Decimal("10000"), paid_on=dt.date(2026, 6, 2)))
        for _ in range(3)])
    assert errors == [] and len(done) == 1 and refused == ["r54_advance_cap"] * 2
    assert Payment.objects.filter(contract=contract).count() == 1
