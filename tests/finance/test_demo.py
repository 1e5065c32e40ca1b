from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


def test_demo_step_settles_a_contract_idempotently_and_the_finance_officer_sees_it(client, monkeypatch):
    from backoffice import demo
    from backoffice.models import User
    from finance.demo import demo_step
    from finance.models import BudgetLine, Invoice, Payment, SettlementStatement
    from finance.selectors import reconciliation_rows
    from projects.enrolment.demo import demo_enrolment

    monkeypatch.setattr(demo, "DEMO_STEPS", [(200, demo_enrolment), (250, demo_step)])
    demo.seed_demo(teachers_per_school=4)
    counts = (SettlementStatement.objects.count(), Payment.objects.count(), BudgetLine.objects.count(),
              Invoice.objects.count())
    demo.seed_demo(teachers_per_school=4)
    assert (SettlementStatement.objects.count(), Payment.objects.count(), BudgetLine.objects.count(),
            Invoice.objects.count()) == counts
    statement = SettlementStatement.objects.get()
    assert statement.status == "approved" and statement.trainees > 0
    finance = User.objects.get(username="finance")
    [row] = reconciliation_rows(user=finance)
    assert "missing_invoice" in {c for c, _t in row.flags}
    # R56: the finished 2025 project spent what a real one does (about 95% of its budget), so it is not flagged.
    from finance.selectors import execution_rows

    [past] = [r for r in execution_rows(user=finance) if r.project.code == statement.project.code]
    assert Decimal("0.94") < past.rate < Decimal("0.96") and not past.flagged
    assert statement.contract.payments.get().statement_id is None  # the advance was paid at signing (R54)
    client.force_login(finance)
    page = client.get("/").content.decode()
    assert 'data-testid="execution-chart"' in page and "<rect" in page
    assert client.get("/finance/").status_code == 200
