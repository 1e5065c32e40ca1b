"""Outputs: the evaluation report PDF of one project (reportlab, embedded CJK font, bar charts drawn with
reportlab.graphics), the Excel of every evaluation of a year, and the anonymous survey answers (shuffled, R61)."""
import random
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table

from backoffice.documents import (
    page_number_footer,
    para,
    register_font,
    styles,
    table_style,
)
from backoffice.punctuation import enum
from backoffice.spreadsheets import Book, Col, table_xlsx
from backoffice.when import when

from . import charts, scoring
from .models import DIMENSIONS, Source


def _bar_chart(labels, values, *, max_value, title, width=170 * mm, bar_height=14):
    font = register_font()
    height = len(labels) * (bar_height + 6) + 40
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 75 * mm, 10
    chart.width, chart.height = width - 90 * mm, height - 35
    chart.data = [[float(v or 0) for v in values]]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, max_value
    chart.valueAxis.labels.fontName = font
    chart.categoryAxis.categoryNames = [str(label) for label in labels]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.labels.textAnchor = "end"
    chart.categoryAxis.reverseDirection = True
    chart.bars[0].fillColor = colors.HexColor("#2563eb")
    chart.barLabelFormat = "%.2f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 12
    drawing.add(chart)
    drawing.add(String(0, height - 14, str(title), fontName=font, fontSize=10))
    return drawing


def evaluation_report_pdf(*, evaluation) -> bytes:
    st = styles()
    project = evaluation.project
    out = BytesIO()
    title = _("Performance evaluation report: %(project)s") % {"project": project.name}
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=title, author=project.plan.province.name)
    labels = dict(Source.choices)
    story = [
        para(title, st["title"]),
        para(_("Project code %(code)s · %(type)s · %(category)s · %(hours)s hours · %(start)s to %(end)s") % {
            "code": project.code, "type": project.get_project_type_display(), "category": project.get_category_display(),
            "hours": project.hours, "start": f"{project.start_date:%Y-%m-%d}", "end": f"{project.end_date:%Y-%m-%d}"},
            st["body"]),
        para(_("Training institution: %(institution)s. Indicator system: %(system)s.") % {
            "institution": project.institution or "—", "system": evaluation.system}, st["body"]),
        para(_("Weighted total %(total)s, grade %(grade)s (status: %(status)s).") % {
            "total": scoring.display(evaluation.total), "grade": evaluation.get_grade_display() or "—",
            "status": evaluation.get_status_display()}, st["h2"]),
        Spacer(1, 3 * mm),
    ]
    cell = st["cell"]
    header = [_("Indicator"), _("Weight"), _("Value"), _("Score (0-100)"), _("Weighted points")]
    data = [[para(str(h), cell) for h in header]]
    rows = evaluation.breakdown or []
    available_weight = sum(float(row["weight"]) for row in rows if row["score"] is not None) or 1
    missing = []
    for row in rows:
        label = str(labels.get(row["source"], row["source"]))
        if row["score"] is None:
            missing.append(label)
            points = _("not available")
        else:
            points = f"{float(row['weight']) * float(row['score']) / available_weight:.2f}"
        value = "—" if row["ratio"] is None else f"{float(row['ratio']) * 100:.1f}%"
        data.append([para(label, cell), scoring.display(row["weight"]), value,
                     scoring.display(row["score"]) if row["score"] is not None else _("not available"), points])
    table = Table(data, colWidths=[62 * mm, 22 * mm, 26 * mm, 30 * mm, 38 * mm], repeatRows=1)
    table.setStyle(table_style())
    story.append(table)
    if missing:
        story.append(Spacer(1, 2 * mm))
        story.append(para(_("Not available: %(list)s. Their weight is shared out over the other indicators in "
                                 "proportion to their weights.") % {"list": enum(missing)}, st["small"]))
    story.append(Spacer(1, 5 * mm))
    scored = [row for row in rows if row["score"] is not None]
    if scored:
        story.append(_bar_chart([labels.get(row["source"], row["source"]) for row in scored],
                                [float(row["score"]) for row in scored], max_value=100,
                                title=_("Indicator scores")))
    survey = scoring.survey_summary(evaluation)
    story.append(Spacer(1, 4 * mm))
    story.append(para(_("Satisfaction survey"), st["h2"]))
    story.append(para(_("%(n)s anonymous responses from %(expected)s trainees.") % {
        "n": survey.responses, "expected": survey.expected}, st["body"]))
    if survey.shown:
        story.append(_bar_chart([charts.dimension_label(d) for d in DIMENSIONS], [survey.means[d] for d in DIMENSIONS],
                                max_value=5, title=_("Satisfaction by dimension (1-5)")))
    else:
        story.append(para(_("Results are shown from %(n)s responses or %(share)s%% of trainees.") % {
            "n": survey.threshold_responses, "share": survey.threshold_share}, st["small"]))
    results = list(evaluation.results.all())
    if results:
        story.append(Spacer(1, 4 * mm))
        heading = para(_("Published results"), st["h2"])
        hist = [[_("Published at"), _("Weighted total"), _("Grade"), _("Reason for reopening")]]
        for res in results:
            hist.append([f"{timezone.localtime(res.published_at):%Y-%m-%d %H:%M}", scoring.display(res.total),
                         res.get_grade_display(), para(res.reopen_reason or "—", cell)])
        t = Table(hist, colWidths=[38 * mm, 30 * mm, 24 * mm, 86 * mm], repeatRows=1)
        t.setStyle(table_style())
        story.append(KeepTogether([heading, t]))
    story.append(Spacer(1, 4 * mm))
    story.append(para(_("Generated on %(date)s.") % {"date": when(timezone.now())},
                           st["small"]))
    footer = page_number_footer(project.name)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def year_xlsx(*, evaluations, year) -> bytes:
    sources = list(Source.choices)
    columns = ([Col(_("Project code"), 14), Col(_("Project name"), 30), Col(_("Project type"), 14),
                Col(_("Training institution"), 26), Col(_("Status"), 10)]
               + [Col(label, 12, "number") for _s, label in sources]
               + [Col(_("Weighted total"), 12, "number"), Col(_("Grade"), 8), Col(_("Published at"), 12, "date")])
    book = Book()
    ws = book.sheet(_("Evaluations %(year)s") % {"year": year}, columns)
    for ev in evaluations:
        scores = {row["source"]: row["score"] for row in (ev.breakdown or [])}
        ws.append([ev.project.code, ev.project.name, ev.project.get_project_type_display(),
                   str(ev.project.institution or ""), ev.get_status_display()]
                  + [float(scores[s]) if scores.get(s) is not None else None for s, _l in sources]
                  + [float(ev.total) if ev.total is not None else None, ev.get_grade_display(), ev.published_at])
    return book.to_bytes()


def responses_xlsx(*, evaluation) -> bytes:
    """R61: rows in a fresh random order on every export, no row number, no time, no key. Comments are the
    anonymous public's text: written as safe text (formula injection)."""
    rows = list(evaluation.responses.values_list(*DIMENSIONS, "comment"))
    random.SystemRandom().shuffle(rows)
    columns = [Col(charts.dimension_label(d), 12) for d in DIMENSIONS] + [Col(_("Comment"), 60)]
    return table_xlsx(_("Survey"), columns, rows)
