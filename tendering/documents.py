"""Opening record and scoring summary (PDF + Excel) and the award notice (PDF). Callers check the seal first;
these functions also refuse a sealed tender, so no export path can leak a price before the opening (R23)."""
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table

from backoffice.documents import page_number_footer, para, styles, table_style
from backoffice.spreadsheets import Col, table_xlsx
from tendering.models import BidStatus, Contract
from tendering.scoring import show
from tendering.sealing import SealedError


def _check_open(tender):
    if tender.is_sealed:
        raise SealedError("r23_sealed", _("Bids are sealed until the opening."))


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M:%S") if dt else ""


def opening_rows(tender):
    _check_open(tender)
    rows = []
    for lot in tender.lots.all():
        for bid in lot.bids.filter(status__in=[BidStatus.QUALIFIED, BidStatus.DISQUALIFIED]).select_related("institution"):
            rows.append([f"{lot.number} {lot.name}", bid.institution.name, _local(bid.received_at), bid.price,
                         bid.chief_expert, bid.get_status_display(), bid.disqualification_reason, bid.receipt_sha256])
        if lot.status == "failed":
            rows.append([f"{lot.number} {lot.name}", "—", "", "", "", lot.get_status_display(), lot.fail_reason, ""])
    return rows


PRICE_COLUMN = 3  # the unit price in an opening row: a Decimal (a number in Excel, "50.00" in the PDF)

OPENING_HEADERS = [gettext_lazy("lot"), gettext_lazy("institution"), gettext_lazy("received at"), gettext_lazy("unit price per trainee-hour"), gettext_lazy("chief expert"),
                   gettext_lazy("status"), gettext_lazy("note"), gettext_lazy("receipt hash (SHA-256)")]


def _pdf(title, subtitle, headers, rows, *, widths=None, footer=""):
    st = styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=15 * mm, title=title)
    cell = st["cell"]
    data = [[para(h, cell) for h in headers]] + [[para(v, cell) for v in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(table_style())
    story = [para(title, st["title"]), para(subtitle, st["body"]), Spacer(1, 6 * mm), table]
    if footer:
        story += [Spacer(1, 6 * mm), para(footer, st["body"])]
    doc.build(story, onFirstPage=page_number_footer(title), onLaterPages=page_number_footer(title))
    buf.seek(0)
    return buf


def _money_text(value):
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value or "")


def _xlsx(sheet_title, headers, rows, *, money_columns=()):
    """Money columns are written as numbers (format 0.00), not as text, so they can be summed and sorted; every
    text (institution names, reasons typed by staff) is safe text."""
    columns = [Col(h, 16, "price" if i in money_columns else None) for i, h in enumerate(headers)]
    buf = io.BytesIO(table_xlsx(sheet_title, columns, rows))
    buf.seek(0)
    return buf


def opening_record_pdf(tender):
    rows = opening_rows(tender)
    subtitle = _("Tender %(ref)s · opened at %(at)s") % {"ref": tender.reference, "at": _local(tender.opened_at)}
    widths = [35 * mm, 45 * mm, 32 * mm, 25 * mm, 22 * mm, 22 * mm, 40 * mm, 50 * mm]
    return _pdf(_("Opening record") + f" · {tender.title}", subtitle, OPENING_HEADERS,
                [r[:PRICE_COLUMN] + [_money_text(r[PRICE_COLUMN])] + r[PRICE_COLUMN + 1:7]
                 + [r[7][:16] + "…" if r[7] else ""] for r in rows], widths=widths)


def opening_record_xlsx(tender):
    return _xlsx(_("Opening record"), OPENING_HEADERS, opening_rows(tender), money_columns=(PRICE_COLUMN,))


SCORE_HEADERS = [gettext_lazy("rank"), gettext_lazy("institution"), gettext_lazy("unit price per trainee-hour"), gettext_lazy("price score"),
                 gettext_lazy("technical score"), gettext_lazy("track-record bonus"), gettext_lazy("total score"), gettext_lazy("outlier scores")]


def scoring_rows(lot):
    from tendering.services import lot_outliers, lot_ranking

    _check_open(lot.tender)
    bids = {b.pk: b for b in lot.bids.select_related("institution")}
    flagged = lot_outliers(lot)
    return [[r.rank, bids[r.key].institution.name, str(r.price), str(show(r.price_score)), str(show(r.technical)),
             str(r.bonus), str(r.total), len(flagged.get(r.key, []))] for r in lot_ranking(lot)]


def scoring_summary_pdf(lot):
    subtitle = _("Price weight %(w)s%% · base price = lowest qualified price · totals rounded half-up to 2 decimals") % {
        "w": (lot.tender.price_weight * 100).normalize()}
    return _pdf(_("Scoring summary") + f" · {lot}", subtitle, SCORE_HEADERS, scoring_rows(lot))


def scoring_summary_xlsx(lot):
    wb_rows = scoring_rows(lot)
    return _xlsx(_("Scoring summary"), SCORE_HEADERS, wb_rows)


def _award_winner(lot):
    """(institution name, unit price) as recorded: the recommended bid, else the signed contract (a lot can be
    contracted without a recorded recommendation, like the demo's 2025 lot); (None, None) when neither exists."""
    if lot.recommended_bid_id:
        return lot.recommended_bid.institution.name, lot.recommended_bid.price
    contract = Contract.objects.filter(lot=lot).select_related("institution").first()
    if contract is not None:
        return contract.institution.name, contract.unit_price
    return None, None


def award_notice_pdf(lot):
    tender = lot.tender
    name, price = _award_winner(lot)
    rows = [[r.rank, r.bid.institution.name, _money_text(r.bid.price), str(r.total)]
            for r in lot.results.select_related("bid__institution")]
    facts = {"ref": tender.reference, "n": lot.number, "name": lot.name, "inst": name or "—",
             "price": _money_text(price) or "—"}
    if name is None:
        subtitle = _("Tender %(ref)s, lot %(n)s %(name)s. Winning institution: — (no winning bid or contract is "
                     "recorded for this lot).") % facts
    else:
        subtitle = _("Tender %(ref)s, lot %(n)s %(name)s. Winning institution: %(inst)s, unit price %(price)s yuan "
                     "per trainee-hour.") % facts
    if lot.notice_published_at:
        subtitle += " " + _("Notice from %(start)s to %(end)s; bidders may lodge a question until %(q)s.") % {
            "start": _local(lot.notice_published_at), "end": _local(lot.notice_ends_at),
            "q": _local(lot.question_deadline)}
    else:
        subtitle += " " + _("No notice period is recorded for this lot.")
    return _pdf(_("Award notice") + f" · {tender.title}", subtitle,
                [_("rank"), _("institution"), _("unit price per trainee-hour"), _("total score")], rows,
                footer=str(tender.office))
