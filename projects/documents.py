"""The annual plan as a PDF (reportlab, embedded TrueType CJK font): facts, a table of projects and totals."""
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from backoffice.documents import page_number_footer, para, styles, table_style
from backoffice.money import grouped_amount
from backoffice.when import when
from projects.selectors import plan_summary


def plan_pdf(*, plan, projects) -> bytes:
    st = styles()
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=14 * mm, bottomMargin=16 * mm, title=plan.title, author=plan.province.name)
    summary = plan_summary(plan=plan)
    story = [
        para(plan.title, st["title"]),
        para(_("%(province)s · %(year)s · status: %(status)s") % {
            "province": plan.province.name, "year": plan.year, "status": plan.get_status_display()}, st["body"]),
        para(_("Central subsidy allocated: ¥%(subsidy)s; project budgets: ¥%(budget)s; not yet allocated: "
                    "¥%(remaining)s.") % {"subsidy": grouped_amount(plan.central_subsidy), "budget": grouped_amount(summary["budget"]),
                                          "remaining": grouped_amount(summary["remaining"])}, st["body"]),
        para(_("Quota %(quota)s, of which %(priority)s (%(share)s%%) reserved for rural teachers of national key "
                    "counties.") % {"quota": summary["quota"], "priority": summary["priority_quota"],
                                   "share": summary["priority_share"]}, st["body"]),
        Spacer(1, 4 * mm),
    ]
    cell = st["cell"]
    header = [_("No."), _("Project code"), _("Project name"), _("Project type"), _("Category"), _("Mode"),
              _("Hours"), _("Quota"), _("Dates"), _("Responsible project office"), _("Budget (yuan)"), _("Status")]
    data = [[Paragraph(str(h), cell) for h in header]]
    count = 0
    for index, p in enumerate(projects, start=1):
        count += 1
        data.append([
            str(index), para(p.code, cell), para(p.name, cell), para(p.get_project_type_display(), cell),
            para(p.get_category_display(), cell), para(p.get_mode_display(), cell), str(p.hours),
            str(p.quota), Paragraph(f"{p.start_date:%Y-%m-%d}<br/>{p.end_date:%Y-%m-%d}", cell),
            para(p.office.name, cell), grouped_amount(p.budget), para(p.get_status_display(), cell),
        ])
    data.append(["", "", Paragraph(_("Total (%(count)s projects, cancelled excluded)") % {"count": summary["count"]},
                                   cell), "", "", "", "", str(summary["quota"]), "", "", grouped_amount(summary["budget"]), ""])
    widths = [10, 24, 58, 24, 30, 18, 12, 12, 22, 40, 26, 18]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    style = table_style()
    style.add("ALIGN", (6, 1), (7, -1), "RIGHT")
    style.add("ALIGN", (10, 1), (10, -1), "RIGHT")
    style.add("SPAN", (2, len(data) - 1), (6, len(data) - 1))
    table.setStyle(style)
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_("Generated on %(date)s.") % {"date": when(timezone.now())},
                           st["small"]))
    footer = page_number_footer(plan.title)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
