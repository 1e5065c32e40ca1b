"""Pages: scope per role, refused roles, constant query counts, the PDF and the workbook."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from finance import services
from finance.models import SettlementStatement
from tests.factories.finance import contract_for, trainees

pytestmark = pytest.mark.django_db

READ_URLS = ["finance:budget_overview", "finance:contract_list", "finance:reconciliation"]
EXPORT_URLS = ["finance:reconciliation_xlsx", "finance:statement_export", "finance:budget_export"]


def _urls(settled, project):
    return [reverse(n) for n in READ_URLS] + [
        reverse("finance:project_budget", args=[project.pk]),
        reverse("finance:statement_list"), reverse("finance:invoice_list"),
        reverse("finance:statement_detail", args=[settled.pk]),
        reverse("finance:statement_pdf", args=[settled.pk]),
        reverse("finance:contract_detail", args=[settled.contract_id]),
    ]


@pytest.mark.parametrize("role", ["school", "county", "expert", "office", "henan_province"])
def test_every_finance_page_refuses_other_roles(login, personas, settled, project, role):
    client = login(personas[role])
    for url in _urls(settled, project) + [reverse("finance:invoice_upload")]:
        assert client.get(url).status_code in (403, 404), url
    for url in (reverse("finance:settle"), reverse("finance:payment_create", args=[settled.pk]),
                reverse("finance:statement_action", args=[settled.pk]),
                reverse("finance:contract_commit", args=[settled.contract_id]),
                reverse("finance:contract_advance", args=[settled.contract_id]),
                reverse("finance:project_budget", args=[project.pk]), reverse("finance:invoice_upload"),
                *(reverse(name) for name in EXPORT_URLS)):
        assert client.post(url, {"transition": "approve", "basis": "enrolled"}).status_code in (403, 404), url
    settled.refresh_from_db()
    assert settled.status == "approved" and not settled.contract.payments.exists()


def test_finance_officer_and_auditor_read_every_page(login, personas, settled, project):
    for user in (personas.finance, personas.auditor):
        client = login(user)
        for url in _urls(settled, project):
            assert client.get(url).status_code == 200, (user, url)


def test_auditor_changes_nothing(login, personas, settled, project):
    client = login(personas.auditor)
    assert client.post(reverse("finance:settle")).status_code == 403
    assert client.post(reverse("finance:payment_create", args=[settled.pk]), {
        "tranche": "interim", "amount": "1", "paid_on": "2026-08-01"}).status_code == 403
    assert client.post(reverse("finance:contract_advance", args=[settled.contract_id]), {
        "amount": "1", "paid_on": "2026-08-01"}).status_code == 403
    assert client.post(reverse("finance:project_budget", args=[project.pk]), {"form": "line"}).status_code == 403
    client.post(reverse("finance:statement_action", args=[settled.pk]), {"transition": "approve"})
    assert not settled.contract.payments.exists()


def test_institution_sees_only_its_own_statements_and_invoices(login, personas, orgs, settled):
    other = contract_for(institution=orgs.other_institution)
    trainees(other.lot.projects.get(), "360121", 2)
    services.settlement_compute(actor=personas.finance, contracts=[other])
    theirs = other.statements.get()
    client = login(personas.institution)
    page = client.get(reverse("finance:statement_list")).content.decode()
    assert settled.contract.reference in page and other.reference not in page
    assert client.get(reverse("finance:statement_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("finance:statement_detail", args=[settled.pk])).status_code == 200
    assert client.get(reverse("finance:budget_overview")).status_code == 403
    assert client.get(reverse("finance:reconciliation")).status_code == 403


def test_institution_confirms_and_uploads_an_invoice_through_the_pages(login, personas, contract, project):
    trainees(project, "360121", 4)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = contract.statements.get()
    client = login(personas.institution)
    client.post(reverse("finance:statement_action", args=[statement.pk]), {"transition": "confirm"})
    statement.refresh_from_db()
    assert statement.status == "confirmed"
    response = client.post(reverse("finance:invoice_upload"), {
        "contract": contract.pk, "county": statement.county_id, "number": "INV-1", "amount": "4000",
        "issued_on": "2026-07-30"})
    assert response.status_code == 302
    response = client.post(reverse("finance:invoice_upload"), {
        "contract": contract.pk, "county": statement.county_id, "number": "INV-1", "amount": "1",
        "issued_on": "2026-07-30"})
    assert "已" in response.content.decode() or response.status_code == 200


def test_finance_officer_settles_and_pays_through_the_pages(login, personas, contract, project):
    trainees(project, "360121", 10)
    client = login(personas.finance)
    client.post(reverse("finance:settle"), {"contract": contract.pk})
    statement = SettlementStatement.objects.get()
    services.settlement_confirm(actor=personas.institution, statement=statement)
    client.post(reverse("finance:statement_action", args=[statement.pk]), {"transition": "approve"})
    client.post(reverse("finance:contract_advance", args=[contract.pk]), {"amount": "3000", "paid_on": "2026-06-01"})
    advance = contract.payments.get()
    assert (advance.amount, advance.tranche, advance.statement_id) == (Decimal("3000.00"), "advance", None)
    client.post(reverse("finance:payment_create", args=[statement.pk]), {
        "tranche": "interim", "amount": "4000", "paid_on": "2026-08-01"})
    assert statement.payments.get().amount == Decimal("4000.00")  # 70% of 10,000 less the advance
    page = client.get(reverse("finance:contract_detail", args=[contract.pk])).content.decode()
    assert 'data-testid="advance-form"' in page and "¥7,000.00" in page
    response = client.post(reverse("finance:project_budget", args=[project.pk]), {
        "form": "line", "line-category": "other", "line-amount": "999999", "line-note": ""})
    assert response.status_code == 200 and "3%" in response.content.decode()


def _world(personas, orgs, n):
    for i in range(n):
        c = contract_for(institution=orgs.institution if i % 2 else orgs.other_institution)
        trainees(c.lot.projects.get(), "360121", 2)
        trainees(c.lot.projects.get(), "360112", 1)
    services.settlement_compute(actor=personas.finance)
    for s in SettlementStatement.objects.filter(status="draft").select_related("contract"):
        inst = personas.institution if s.contract.institution_id == orgs.institution.pk else personas.other_institution
        services.settlement_confirm(actor=inst, statement=s)


@pytest.mark.parametrize("name", ["finance:statement_list", "finance:invoice_list", "finance:reconciliation",
                                  "finance:budget_overview", "finance:contract_list",
                                  "dashboard"])
def test_lists_use_a_constant_number_of_queries(login, personas, orgs, django_assert_max_num_queries, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(personas.finance)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    _world(personas, orgs, 2)
    small = count()
    _world(personas, orgs, 6)
    assert count() == small
    with django_assert_max_num_queries(30):
        client.get(reverse(name))


def test_statement_pdf_is_chinese_with_signature_blocks(login, personas, settled):
    services.adjustment_add(actor=personas.finance, statement=settled, trainees_delta=1, reason="补录学员")
    response = login(personas.finance).get(reverse("finance:statement_pdf", args=[settled.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    assert "结算单" in text
    assert "¥37,000.00" in text and "¥38,000.00" in text
    assert "承训机构" in text and "盖章" in text and "签字" in text
    assert settled.contract.reference in text


def test_reconciliation_workbook_one_sheet_per_institution_with_footing_formulas(login, personas, orgs, settled,
                                                                                 contract, exported):
    services.invoice_upload(actor=personas.institution, contract=contract, county=settled.county, number="F1",
                            amount=Decimal("30000"), issued_on=dt.date(2026, 7, 30))
    services.payment_record(actor=personas.finance, contract=contract, tranche="advance", amount=Decimal("11100"),
                            paid_on=dt.date(2026, 8, 1))
    other = contract_for(institution=orgs.other_institution)
    trainees(other.lot.projects.get(), "360112", 3)
    services.settlement_compute(actor=personas.finance, contracts=[other])
    services.settlement_confirm(actor=personas.other_institution, statement=other.statements.get())
    response = exported(login(personas.finance), reverse("finance:reconciliation_xlsx"))
    wb = load_workbook(io.BytesIO(response.content_bytes))
    assert len(wb.sheetnames) == 3  # summary + one per institution
    ws = wb[orgs.institution.name]
    assert [c.value for c in ws[2]][:5] == [contract.reference, settled.county.full_name, 37000, 30000, 11100]
    assert ws["F2"].value == "=C2-D2" and ws["G2"].value == "=C2-E2"
    assert ws["C3"].value == "=SUM(C2:C2)"
    assert "发票" in ws["H2"].value  # the missing invoice is explained
    summary = wb[wb.sheetnames[0]]
    [mine] = [r for r in summary.iter_rows(min_row=2) if r[0].value == orgs.institution.name]
    assert mine[1].value == f"='{orgs.institution.name}'!C3"
    assert summary["B4"].value == "=SUM(B2:B3)"


def test_reconciliation_flags_and_explains_differences(login, personas, contract, project, settled):
    from finance.selectors import reconciliation_rows
    from projects.enrolment.models import Enrolment

    services.invoice_upload(actor=personas.institution, contract=contract, county=settled.county, number="F1",
                            amount=Decimal("37000"), issued_on=dt.date(2026, 7, 30))
    services.payment_record(actor=personas.finance, contract=contract, statement=settled, tranche="interim",
                            amount=Decimal("25900"),
                            paid_on=dt.date(2026, 8, 1))
    [row] = reconciliation_rows(user=personas.finance)
    assert {c for c, _t in row.flags} == {"awaiting_payment"}
    # Outcomes corrected after confirmation: the due drops below what was invoiced.
    ids = list(Enrolment.objects.filter(project=project, status="completed").values_list("pk", flat=True)[:12])
    Enrolment.objects.filter(pk__in=ids).update(status="not_completed")
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    [row] = reconciliation_rows(user=personas.finance)
    assert row.due == Decimal("25000.00")
    codes = {c for c, _t in row.flags}
    assert {"over_invoiced", "overpayment", "outcome_changed"} <= codes
    page = login(personas.finance).get(reverse("finance:reconciliation")).content.decode()
    assert 'data-flag="overpayment"' in page


def test_dashboard_panel_draws_the_execution_chart(login, personas, settled):
    page = login(personas.finance).get(reverse("dashboard")).content.decode()
    assert 'data-testid="execution-chart"' in page and "<rect" in page
    assert "execution-chart" not in login(personas.school).get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "https:///evil.example/"])
def test_settle_does_not_follow_next_to_another_site(login, personas, contract, target):
    response = login(personas.finance).post(reverse("finance:settle"), {"contract": contract.pk, "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("finance:statement_list")


def test_settle_follows_next_to_a_page_of_this_site(login, personas, contract):
    target = reverse("finance:contract_detail", args=[contract.pk])
    response = login(personas.finance).post(reverse("finance:settle"), {"contract": contract.pk, "next": target})
    assert response["Location"] == target


def test_institution_reads_its_own_contract_payments_without_forms(login, personas, orgs, settled):
    services.payment_record(actor=personas.finance, contract=settled.contract, tranche="interim",
                            statement=settled, amount=Decimal("100.00"), paid_on=dt.date(2026, 8, 1))
    client = login(personas.institution)
    statement_page = client.get(reverse("finance:statement_detail", args=[settled.pk])).content.decode()
    url = reverse("finance:contract_detail", args=[settled.contract_id])
    assert url in statement_page
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and "¥100.00" in page
    assert 'data-testid="advance-form"' not in page and "/advance/" not in page
    assert f'href="{reverse("finance:contract_list")}"' not in page
    other = contract_for(institution=orgs.other_institution)
    assert client.get(reverse("finance:contract_detail", args=[other.pk])).status_code == 404
    assert login(personas.other_institution).get(url).status_code in (403, 404)
    assert client.post(reverse("finance:contract_advance", args=[settled.contract_id]),
                       {"amount": "1", "paid_on": "2026-06-01"}).status_code == 403


def test_reconciliation_explains_differences_in_the_site_money_format(login, personas, contract, settled):
    """37 trainees × 80 h × ¥12.50 = ¥37,000.00 due, nothing invoiced: the explanation reads ¥37,000.00."""
    page = login(personas.finance).get(reverse("finance:reconciliation")).content.decode()
    assert "¥37,000.00" in page and "¥37000.00" not in page


def test_reconciliation_xlsx_with_an_institution_named_with_sheet_title_characters(login, personas, orgs, settled,
                                                                                   exported):
    # issue 11 #8: ': / \ ? * [ ]' are not allowed in a sheet title; the download was a 500. Hostile text in the
    # name and the contract reference stays text (issue 11 #5); the product's own formulas stay formulas.
    from backoffice.models import Organisation
    from tests.backoffice.hostile import assert_no_formula

    Organisation.objects.filter(pk=orgs.institution.pk).update(name="A:B/C\\D?E*F[G]")
    settled.contract.__class__.objects.filter(pk=settled.contract.pk).update(reference="=HYPERLINK(\"http://x\")")
    data = exported(login(personas.finance), reverse("finance:reconciliation_xlsx")).content_bytes
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[1] == "A_B_C_D_E_F_G_"
    ws = wb["A_B_C_D_E_F_G_"]
    # The product's own formulas are the money columns' (B to G); text columns A and H hold none.
    own = {(t, cell.coordinate) for t in wb.sheetnames for row in wb[t].iter_rows() for cell in row
           if cell.column_letter in "BCDEFG"}
    assert_no_formula(data, allowed=own)
    assert ws["A2"].value == "=HYPERLINK(\"http://x\")" and ws["A2"].data_type == "s"
    assert ws["C2"].value == 37000 and ws["C2"].number_format == "#,##0.00"
    summary = wb[wb.sheetnames[0]]
    assert summary["A2"].value == "A:B/C\\D?E*F[G]" and summary["B2"].value == "='A_B_C_D_E_F_G_'!C3"


def test_reconciliation_constant_queries(login, personas, orgs, settled, django_assert_max_num_queries):
    client = login(personas.finance)
    with django_assert_max_num_queries(30) as small:
        assert client.get(reverse("finance:reconciliation")).status_code == 200
    for _i in range(3):
        other = contract_for(institution=orgs.other_institution)
        trainees(other.lot.projects.get(), "360112", 2)
        services.settlement_compute(actor=personas.finance, contracts=[other])
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("finance:reconciliation")).content.decode()
    assert page.count("新建区") >= 3
