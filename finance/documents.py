"""Settlement statement (结算单) PDF with signature blocks, and the reconciliation workbook: one sheet per
institution, a row per contract × county, formulas that foot to a summary sheet."""
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table

from backoffice.documents import page_number_footer, para, styles, table_style
from backoffice.spreadsheets import Book, Col, Formula, typed
from finance import selectors
from backoffice.money import grouped_amount, money, yuan


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
        [_("unit price per trainee-hour"), yuan(statement.unit_price)],
        [_("training hours"), str(statement.hours)],
        [_("trainees settled"), str(statement.trainees)],
        [_("amount due"), yuan(statement.amount)],
        [_("status"), statement.get_status_display()],
    ]
    cell = st["cell"]
    table = Table([[para(a, cell), para(b, cell)] for a, b in facts], colWidths=[50 * mm, 120 * mm])
    table.setStyle(table_style(header_rows=0))
    story = [para(title, st["title"]),
             para(_("Amount due = unit price per trainee-hour × training hours × trainees settled."),
                       st["small"]), Spacer(1, 5 * mm), table]
    adjustments = list(selectors.statement_adjustments(statement))
    if adjustments:
        rows = [[_("recorded at"), _("change in trainees"), _("amount"), _("reason")]] + [
            [timezone.localtime(a.created_at).strftime("%Y-%m-%d"), str(a.trainees_delta), yuan(a.amount),
             a.reason] for a in adjustments]
        adj_table = Table([[para(v, cell) for v in r] for r in rows],
                          colWidths=[30 * mm, 25 * mm, 30 * mm, 85 * mm])
        adj_table.setStyle(table_style())
        story += [Spacer(1, 5 * mm), para(_("Adjustment entries"), st["h2"]), adj_table,
                  para(_("Total due after adjustments: ¥%(amount)s") % {
                      "amount": grouped_amount(selectors.statement_due(statement))}, st["body"])]
    payments = list(selectors.statement_payments(statement))
    advance = sum((p.amount for p in statement.contract.payments.filter(statement__isnull=True)), money(0))
    rows = [[_("payment date"), _("tranche"), _("amount"), _("bank reference")]] + [
        [p.paid_on.strftime("%Y-%m-%d"), p.get_tranche_display(), yuan(p.amount), p.reference]
        for p in payments]
    pay_table = Table([[para(v, cell) for v in r] for r in rows], colWidths=[30 * mm, 30 * mm, 35 * mm, 75 * mm])
    pay_table.setStyle(table_style())
    story += [Spacer(1, 5 * mm), para(_("Payments"), st["h2"]), pay_table,
              para(_("Advance paid against the contract %(contract)s before training: ¥%(amount)s.") % {
                  "contract": contract.reference, "amount": grouped_amount(advance)}, st["body"])]
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


WIDTHS = {"contract number": 22, "county": 24, "differences": 60}
HEADERS = ["contract number", "county", "amount due", "invoiced", "paid", "due not invoiced", "due not paid",
           "differences"]


def reconciliation_workbook(rows) -> io.BytesIO:
    buf = io.BytesIO()
    reconciliation_write(buf, rows)
    buf.seek(0)
    return buf


def reconciliation_write(target, rows, progress=None) -> int:
    """One sheet per institution; columns F and G are formulas, the last row sums every money column, and the
    summary sheet refers to those totals so the whole book foots. Sheet titles are made safe (an institution's
    name may hold : / \\ ? * [ ]) and the summary's references use the titles actually given. Written
    write-only to `target` (the export job's file); `progress(rows written)` after each institution. Returns
    the number of contract × county rows."""
    book = Book()
    summary = book.sheet(_("Summary"), [Col(_("institution"), 30)] + [
        Col(h, 16) for h in (_("amount due"), _("invoiced"), _("paid"), _("due not invoiced"), _("due not paid"))])
    by_institution, written = {}, 0
    for row in rows:
        by_institution.setdefault(row.institution, []).append(row)
    for institution, items in sorted(by_institution.items(), key=lambda kv: kv[0].name):
        ws = book.sheet(institution.name, [Col(_(h), WIDTHS.get(h, 14), "money" if 2 <= i <= 6 else None)
                                           for i, h in enumerate(HEADERS)])
        for i, r in enumerate(items, start=2):
            ws.append([r.contract.reference, r.label, money(r.due), money(r.invoiced), money(r.paid),
                       Formula(f"=C{i}-D{i}"), Formula(f"=C{i}-E{i}"), "；".join(text for _code, text in r.flags)])
        last = len(items) + 1
        total = last + 1
        ws.append([typed(_("Total"), bold=True), None]
                  + [typed(Formula(f"=SUM({col}2:{col}{last})"), "money", bold=True) for col in "CDEFG"])
        summary.append([institution.name] + [typed(Formula(f"={ws.ref(f'{col}{total}')}"), "money")
                                             for col in "CDEFG"])
        written += len(items)
        if progress:
            progress(written)
    n = summary.rows
    summary.append([_("Total")] + [typed(Formula(f"=SUM({col}2:{col}{n})"), "money") for col in "BCDEF"])
    book.save(target)
    return written
