"""The finance main path through the UI: the finance officer pays the advance against the signed contract before
training (R54), settles the contract, the institution confirms the statement, finance approves it, finds the
missing invoice in the reconciliation workbook, records the interim payment, and the budget execution chart
moves each time money is paid."""
import io

import pytest
from openpyxl import load_workbook

from tests.factories.finance import contract_for, trainees

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_finance_officer_settles_reconciles_and_pays(regions, personas, orgs, browser_login, live_server, page,
                                                     tmp_path):
    contract = contract_for(institution=orgs.institution, unit_price="12.50", hours=80, quota=50)
    project = contract.lot.projects.get()
    trainees(project, "360121", 37)
    trainees(project, "360121", 3, status="not_completed")
    url = live_server.url

    # 0. Before any statement, the finance officer pays the advance against the contract; the chart moves.
    browser_login(personas.finance)
    assert page.get_attribute(f"[data-testid=execution-chart] g[data-project='{project.code}']", "data-rate") == "0.00"
    page.goto(f"{url}/finance/contracts/")
    page.click(f"[data-testid=contract-{contract.reference}]")
    page.fill("[data-testid=advance-form] input[name=amount]", "15000.01")  # over 30% of 50,000
    page.click("[data-testid=advance-form] button[type=submit]")
    assert "15000.00" in page.inner_text("body") and "BANK-A" not in page.inner_text("[data-testid=contract-payments]")
    page.fill("[data-testid=advance-form] input[name=amount]", "11100")
    page.fill("[data-testid=advance-form] input[name=reference]", "BANK-A")
    page.click("[data-testid=advance-form] button[type=submit]")
    assert "BANK-A" in page.inner_text("[data-testid=contract-payments]")
    page.goto(f"{url}/")
    assert page.get_attribute(f"[data-testid=execution-chart] g[data-project='{project.code}']",
                              "data-rate") == "2.22"  # 11,100 ÷ 500,000

    # 1. The finance officer settles the contract from the contract list.
    page.goto(f"{url}/finance/contracts/")
    page.click(f"[data-testid=settle-{contract.reference}]")
    page.click(f"[data-testid=statement-{contract.reference}-360121]")
    assert page.inner_text("[data-testid=statement-amount]").strip() == "¥37,000.00"
    assert "草稿" in page.inner_text("[data-testid=statement-status]")
    statement_url = page.url
    page.screenshot(path=str(tmp_path / "1-finance-draft.png"), full_page=True)

    # 2. The institution confirms it; 3. finance approves it.
    browser_login(personas.institution)
    page.goto(statement_url)
    page.click("button[data-transition=confirm]")
    assert "已确认" in page.inner_text("[data-testid=statement-status]")
    browser_login(personas.finance)
    page.goto(statement_url)
    page.click("button[data-transition=approve]")
    assert "财务已审核" in page.inner_text("[data-testid=statement-status]")

    # 4. The reconciliation workbook shows the missing invoice.
    page.goto(f"{url}/finance/reconciliation/")
    assert "缺少发票" in page.inner_text(f"[data-row='{contract.reference}-360121']")
    page.click("[data-testid=reconciliation-xlsx]")  # a background job (in-process here); its page offers the file
    with page.expect_download() as download:
        page.click("[data-testid=export-download]")
    wb = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    ws = wb[orgs.institution.name]
    assert ws["A2"].value == contract.reference and ws["C2"].value == 37000 and ws["D2"].value == 0
    assert ws["E2"].value == 11100  # the advance is set off against the county's due
    assert ws["F2"].value == "=C2-D2" and "缺少发票" in ws["H2"].value

    # 5. Finance records the interim payment: 70% of the due less the advance; the execution chart moves.
    page.goto(statement_url)
    assert "¥14,800.00" in page.inner_text("[data-testid=limits]")
    page.select_option("[data-testid=payment-form] select[name=tranche]", "interim")
    page.fill("[data-testid=payment-form] input[name=amount]", "14800")
    page.fill("[data-testid=payment-form] input[name=reference]", "BANK-0001")
    page.click("[data-testid=payment-form] button[type=submit]")
    assert "BANK-0001" in page.inner_text("[data-testid=payments]")
    page.goto(f"{url}/")
    assert page.get_attribute(f"[data-testid=execution-chart] g[data-project='{project.code}']",
                              "data-rate") == "5.18"  # 25,900 ÷ 500,000
    page.screenshot(path=str(tmp_path / "2-finance-chart.png"), full_page=True)
