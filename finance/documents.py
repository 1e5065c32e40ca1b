"""Settlement statement (结算单) PDF with signature blocks, and the reconciliation workbook: one sheet per
institution, a row per contract × county, formulas that foot to a summary sheet."""
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table

from backoffice.documents import page_number_footer, para, styles, table_style
from finance import selectors, services
from backoffice.money import money


def statement_pdf(statement) -> io.BytesIO:
    st = styles()
    buf = io.BytesIO()
    title = _("Programme training fee settlement statement")
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=title)
    contract = statement.contract
    facts = [
        [_("contract number"), contract.reference],
        [_("institution"), contract.institution.name],
        [_("project"), f"{statement.project.code} {statement.project.name}"],
        [_("county"), statement.county.full_name],
        [_("school year"), statement.school_year_label],
        [_("settlement basis"), statement.get_basis_display()],
        [_("unit price per trainee-hour"), f"¥{money(statement.unit_price)}"],
        [_("training hours"), str(statement.hours)],
        [_("trainees settled"), str(statement.trainees)],
        [_("amount due"), f"¥{money(statement.amount)}"],
        [_("status"), statement.get_status_display()],
    ]
    cell = st["cell"]
    table = Table([[para(a, cell), para(b, cell)] for a, b in facts], colWidths=[50 * mm, 120 * mm])
    table.setStyle(table_style(header_rows=0))
    story = [para(title, st["title"]),
             para(_("Amount due = unit price per trainee-hour × training hours × trainees settled (R52)."),
                       st["small"]), Spacer(1, 5 * mm), table]
    adjustments = list(selectors.statement_adjustments(statement))
    if adjustments:
        rows = [[_("recorded at"), _("change in trainees"), _("amount"), _("reason")]] + [
            [timezone.localtime(a.created_at).strftime("%Y-%m-%d"), str(a.trainees_delta), f"¥{money(a.amount)}",
             a.reason] for a in adjustments]
        adj_table = Table([[para(v, cell) for v in r] for r in rows],
                          colWidths=[30 * mm, 25 * mm, 30 * mm, 85 * mm])
        adj_table.setStyle(table_style())
        story += [Spacer(1, 5 * mm), para(_("Adjustment entries"), st["h2"]), adj_table,
                  para(_("Total due after adjustments: ¥%(amount)s") % {
                      "amount": money(services.statement_due(statement))}, st["body"])]
    payments = list(selectors.statement_payments(statement))
    advance = sum((p.amount for p in statement.contract.payments.filter(statement__isnull=True)), money(0))
    rows = [[_("payment date"), _("tranche"), _("amount"), _("bank reference")]] + [
        [p.paid_on.strftime("%Y-%m-%d"), p.get_tranche_display(), f"¥{money(p.amount)}", p.reference]
        for p in payments]
    pay_table = Table([[para(v, cell) for v in r] for r in rows], colWidths=[30 * mm, 30 * mm, 35 * mm, 75 * mm])
    pay_table.setStyle(table_style())
    story += [Spacer(1, 5 * mm), para(_("Payments"), st["h2"]), pay_table,
              para(_("Advance paid against the contract %(contract)s before training: ¥%(amount)s (R54).") % {
                  "contract": contract.reference, "amount": money(advance)}, st["body"])]
    signatures = [
        [_("Training institution (seal)"), _("County education bureau (seal)"), _("Finance (approval)")],
        [_("Signature:"), _("Signature:"), _("Signature:")],
        [_("Date:"), _("Date:"), _("Date:")],
    ]
    sig = Table([[para(v, st["body"]) for v in r] for r in signatures], colWidths=[57 * mm] * 3,
                rowHeights=[10 * mm, 18 * mm, 10 * mm])
    sig.setStyle(table_style(header_rows=0))
    story += [Spacer(1, 10 * mm), para(_("Signatures"), st["h2"]), sig]
    doc.build(story, onFirstPage=page_number_footer(title), onLaterPages=page_number_footer(title))
    buf.seek(0)
    return buf


HEADERS = ["contract number", "county", "amount due", "invoiced", "paid", "due not invoiced", "due not paid",
           "differences"]


def reconciliation_workbook(rows) -> io.BytesIO:
    """One sheet per institution; columns F and G are formulas, the last row sums every money column, and the
    summary sheet refers to those totals so the whole book foots."""
    wb = Workbook()
    summary = wb.active
    summary.title = _("Summary")[:31]
    summary.append([_("institution"), _("amount due"), _("invoiced"), _("paid"), _("due not invoiced"),
                    _("due not paid")])
    summary["A1"].font = Font(bold=True)
    by_institution = {}
    for row in rows:
        by_institution.setdefault(row.institution, []).append(row)
    used = set()
    for institution, items in sorted(by_institution.items(), key=lambda kv: kv[0].name):
        name = institution.name[:28]
        while name in used:
            name = name[:26] + f"{len(used)}"
        used.add(name)
        ws = wb.create_sheet(title=name)
        ws.append([_(h) for h in HEADERS])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, r in enumerate(items, start=2):
            ws.append([r.contract.reference, r.label, money(r.due), money(r.invoiced), money(r.paid),
                       f"=C{i}-D{i}", f"=C{i}-E{i}", "；".join(text for _code, text in r.flags)])
        last = len(items) + 1
        total = last + 1
        ws.append([_("Total"), "", f"=SUM(C2:C{last})", f"=SUM(D2:D{last})", f"=SUM(E2:E{last})",
                   f"=SUM(F2:F{last})", f"=SUM(G2:G{last})", ""])
        for cell in ws[total]:
            cell.font = Font(bold=True)
        for col in "CDEFG":
            for n in range(2, total + 1):
                ws[f"{col}{n}"].number_format = "#,##0.00"
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 24
        ws.column_dimensions["H"].width = 60
        ref = f"'{name}'"
        summary.append([institution.name] + [f"={ref}!{col}{total}" for col in "CDEFG"])
    n = summary.max_row
    summary.append([_("Total")] + [f"=SUM({col}2:{col}{n})" for col in "BCDEF"])
    summary.column_dimensions["A"].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf
