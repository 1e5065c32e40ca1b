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


def _seed(monkeypatch):
    from backoffice import demo
    from finance.demo import demo_step
    from projects.enrolment.demo import demo_enrolment

    monkeypatch.setattr(demo, "DEMO_STEPS", [(200, demo_enrolment), (250, demo_step)])
    demo.seed_demo(teachers_per_school=4)


def test_demo_2025_bid_is_sealed_with_a_real_receipt_and_its_document_opens(client, monkeypatch):
    import hashlib

    from backoffice.models import User
    from finance.demo import DEMO_CONTRACT
    from tendering.models import Contract
    from tendering.sealing import canonical, unseal

    _seed(monkeypatch)
    bid = Contract.objects.get(reference=DEMO_CONTRACT).bid
    province, institution = User.objects.get(username="province"), User.objects.get(username="institution")
    content = unseal(bid, user=province)
    assert content["price"] == bid.price == Decimal("50.00")
    body = {k: v for k, v in content.items() if k != "document_b64"} | {"price": "50.00"}
    assert bid.receipt_sha256 == hashlib.sha256(canonical(body)).hexdigest() != "0" * 64
    client.force_login(province)
    assert client.get(f"/tendering/bids/{bid.pk}/document/").status_code == 200
    client.force_login(institution)
    page = client.get(f"/tendering/portal/bids/{bid.pk}/")
    assert page.status_code == 200 and bid.receipt_sha256 in page.content.decode()


def test_a_bid_whose_seal_does_not_open_is_a_chinese_message_not_a_500(client, monkeypatch):
    from backoffice.models import User
    from finance.demo import DEMO_CONTRACT
    from tendering.models import Bid, Contract

    _seed(monkeypatch)
    bid = Contract.objects.get(reference=DEMO_CONTRACT).bid
    Bid.objects.filter(pk=bid.pk).update(sealed=b"")
    client.force_login(User.objects.get(username="province"))
    response = client.get(f"/tendering/bids/{bid.pk}/document/")
    assert response.status_code == 409 and "无法" in response.content.decode()
    client.force_login(User.objects.get(username="institution"))
    response = client.get(f"/tendering/portal/bids/{bid.pk}/")
    assert response.status_code == 409 and "无法" in response.content.decode()


def test_r24_demo_2025_lot_has_three_qualified_sealed_bids_and_the_lowest_wins(client, monkeypatch):
    from backoffice import demo
    from finance.demo import DEMO_CONTRACT
    from tendering.models import Bid, Contract
    from tendering.sealing import unseal

    _seed(monkeypatch)
    demo.seed_demo(teachers_per_school=4)  # idempotent: still three bids
    contract = Contract.objects.get(reference=DEMO_CONTRACT)
    bids = list(Bid.objects.filter(lot=contract.lot).select_related("institution", "lot__tender").order_by("price"))
    assert len(bids) == 3 and {b.status for b in bids} == {"qualified"}
    assert len({b.institution_id for b in bids}) == 3
    assert bids[0] == contract.bid and bids[0].institution.name == "江西师范大学"
    assert bids[0].price == contract.unit_price == Decimal("50.00") < bids[1].price < bids[2].price
    assert all(unseal(b, opening=True)["price"] == b.price and b.receipt_sha256 != "0" * 64 for b in bids)
