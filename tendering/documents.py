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
from backoffice.money import yuan
from backoffice.spreadsheets import Col, table_xlsx
from tendering.models import BidStatus
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
    for line in [footer] if isinstance(footer, str) else footer:
        if line:
            story += [Spacer(1, 4 * mm), para(line, st["body"])]
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


def question_instructions(notice) -> str:
    """R27: how a bidder lodges a question, with the deadline and who answers in how many working days."""
    lot = notice.lot
    facts = {"deadline": _local(lot.question_deadline) or "—", "office": str(lot.tender.office),
             "days": notice.answer_working_days}
    if lot.question_deadline and timezone.now() > lot.question_deadline:
        return _("The question window closed at %(deadline)s. Questions lodged in time were answered by "
                 "%(office)s within %(days)s working days.") % facts
    return _("A bidder of this lot who considers the result wrong may lodge a written question until %(deadline)s: "
             "log in to this platform, open the lot under Tenders open and choose Lodge a question. %(office)s "
             "answers within %(days)s working days; no contract for this lot is signed while a question is "
             "open.") % facts


def award_notice_pdf(notice):
    """The award notice (公示, R27) as a clerk files it: winner, unit price, ranking with scores, dates, how to
    lodge a question. `notice` comes from tendering.selectors.award_notice_get."""
    lot, tender = notice.lot, notice.lot.tender
    facts = {"ref": tender.reference, "n": lot.number, "name": lot.name, "inst": notice.winner or "—",
             "price": yuan(notice.unit_price) if notice.unit_price is not None else "—"}
    if notice.winner is None:
        subtitle = _("Tender %(ref)s, lot %(n)s %(name)s. Winning institution: — (no winning bid or contract is "
                     "recorded for this lot).") % facts
    else:
        subtitle = _("Tender %(ref)s, lot %(n)s %(name)s. Winning institution: %(inst)s, unit price %(price)s "
                     "per trainee-hour.") % facts
    if lot.notice_published_at:
        subtitle += " " + _("Notice from %(start)s to %(end)s; bidders may lodge a question until %(q)s.") % {
            "start": _local(lot.notice_published_at), "end": _local(lot.notice_ends_at),
            "q": _local(lot.question_deadline)}
    else:
        subtitle += " " + _("No notice period is recorded for this lot.")
    if notice.contract is not None:
        subtitle += " " + _("Contract %(ref)s signed on %(at)s.") % {"ref": notice.contract.reference,
                                                                    "at": _local(notice.contract.signed_at)}
    rows = [[r.rank, r.bid.institution.name, yuan(r.bid.price), str(show(r.price_score)),
             str(show(r.technical_score)), str(r.bonus), str(r.total)] for r in notice.results]
    if not rows:
        rows = [["—", _("No ranking is recorded for this lot."), "", "", "", "", ""]]
    footer = [_("How to lodge a question"), question_instructions(notice), str(tender.office)]
    return _pdf(_("Award notice") + f" · {tender.title}", subtitle, NOTICE_HEADERS, rows, footer=footer)


NOTICE_HEADERS = [gettext_lazy("rank"), gettext_lazy("institution"), gettext_lazy("unit price per trainee-hour"),
                  gettext_lazy("price score"), gettext_lazy("technical score"), gettext_lazy("track-record bonus"),
                  gettext_lazy("total score")]


# -- the contract (R28) ---------------------------------------------------------------------------------------
def contract_pdf(contract):
    """The signed contract (R28) as a clerk files it: the parties, the lot and its projects, the unit price per
    trainee-hour, quota, trainee-hours, amount and settlement basis (R52), and the signature. Portrait A4."""
    st = styles()
    lot, tender = contract.lot, contract.lot.tender
    buf = io.BytesIO()
    title = _("Training services contract")
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{title} {contract.reference}")
    cell = st["cell"]

    def facts_table(pairs, widths):
        table = Table([[para(k, cell), para(v, cell)] for k, v in pairs], colWidths=widths)
        style = table_style(header_rows=0)
        style.add("BACKGROUND", (0, 0), (0, -1), "#f1f5f9")
        table.setStyle(style)
        return table

    parties = [
        (_("contract number"), contract.reference),
        (_("Party A (purchaser)"), str(tender.office)),
        (_("Party B (training institution)"), contract.institution.name),
        (_("tender"), f"{tender.reference} {tender.title}"),
        (_("lot"), f"{lot.number} {lot.name}"),
    ]
    terms = [
        (_("unit price per trainee-hour"), yuan(contract.unit_price)),
        (_("quota"), str(contract.quota)),
        (_("trainee-hours"), f"{contract.trainee_hours:,}"),
        (_("contract amount"), yuan(contract.amount)),
        (_("settlement basis"), str(contract.get_settlement_basis_display())),
    ]
    projects = list(lot.projects.order_by("code"))
    headers = [_("project code"), _("project name"), _("training hours"), _("quota"), _("dates")]
    rows = [[p.code, p.name, str(p.hours), str(p.quota), f"{p.start_date:%Y-%m-%d} – {p.end_date:%Y-%m-%d}"]
            for p in projects]
    project_table = Table([[para(h, cell) for h in headers]] + [[para(v, cell) for v in r] for r in rows],
                          colWidths=[28 * mm, 70 * mm, 20 * mm, 18 * mm, 38 * mm], repeatRows=1)
    project_table.setStyle(table_style())
    clauses = [
        _("1. Party B delivers the training of the projects below at the unit price it offered in its winning bid, "
          "for the quota and hours of each project, under the national programme's rules."),
        _("2. The amount due is settled per county and school year: unit price per trainee-hour × project hours × "
          "the trainees counted on the settlement basis above. Teachers are never charged."),
        _("3. Payment is made in an advance, interim payments and a final tranche; the final tranche is released "
          "according to the project's performance evaluation grade."),
        _("4. Party B keeps the learning records and outcomes of every trainee and reports them through the "
          "platform; Party A may inspect the training at any time."),
    ]
    signed = _("Signed on %(at)s by %(who)s for Party A.") % {
        "at": _local(contract.signed_at), "who": str(contract.signed_by)}
    story = [para(title, st["title"]), Spacer(1, 4 * mm), facts_table(parties, [50 * mm, 124 * mm]),
             Spacer(1, 5 * mm), para(_("Projects"), st["h2"]), project_table, Spacer(1, 5 * mm),
             para(_("Price and settlement"), st["h2"]), facts_table(terms, [50 * mm, 124 * mm]), Spacer(1, 5 * mm),
             para(_("Terms"), st["h2"])]
    story += [para(c, st["body"]) for c in clauses]
    story += [Spacer(1, 8 * mm), para(signed, st["body"]), Spacer(1, 12 * mm),
              para(_("Party A (seal): %(a)s") % {"a": tender.office}, st["body"]), Spacer(1, 8 * mm),
              para(_("Party B (seal): %(b)s") % {"b": contract.institution.name}, st["body"])]
    footer = page_number_footer(f"{title} {contract.reference}")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    buf.seek(0)
    return buf
