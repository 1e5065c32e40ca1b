"""The plan as an Excel workbook (openpyxl), and the blank import template with Chinese headers."""
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from projects.columns import COLUMNS, SEP, to_cell
from projects.models import ProjectCategory, ProjectMode, ProjectType
from projects.selectors import plan_summary

HEADER_FILL = PatternFill("solid", fgColor="F1F5F9")


def projects_sheet_title() -> str:
    return _("Projects")


def _header(ws):
    ws.append([str(c.header) for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"


def plan_workbook(*, plan, projects) -> bytes:
    """Sheet 1 the plan and its totals; sheet 2 the projects in the import template's columns (round trip)."""
    summary = plan_summary(plan=plan)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Plan")
    rows = [
        (_("Annual plan"), plan.title), (_("Province"), plan.province.name), (_("Year"), plan.year),
        (_("Status"), plan.get_status_display()), (_("Central subsidy allocated"), float(plan.central_subsidy)),
        (_("Projects"), summary["count"]), (_("Total budget"), float(summary["budget"])),
        (_("Subsidy not yet allocated"), float(summary["remaining"])), (_("Total quota"), summary["quota"]),
        (_("Quota reserved for key counties"), summary["priority_quota"]),
        (_("Share of quota reserved for key counties (%)"), float(summary["priority_share"])),
        (_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for label, value in rows:
        ws.append([str(label), value])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 44
    for row in ws.iter_rows(min_row=5, max_row=11, min_col=2, max_col=2):
        for cell in row:
            cell.number_format = "#,##0.00" if isinstance(cell.value, float) else cell.number_format
    sheet = wb.create_sheet(projects_sheet_title())
    _header(sheet)
    for project in projects:
        sheet.append([to_cell(project, c) for c in COLUMNS])
    for row in sheet.iter_rows(min_row=2):
        for column, cell in zip(COLUMNS, row):
            if column.kind == "date" and cell.value:
                cell.number_format = "yyyy-mm-dd"
            elif column.kind == "money":
                cell.number_format = "#,##0.00"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def import_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = projects_sheet_title()
    _header(ws)
    notes = wb.create_sheet(_("Instructions"))
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 100
    notes.append([_("Column"), _("What to write")])
    allowed = {
        "project_type": SEP.join(str(x.label) for x in ProjectType),
        "category": SEP.join(str(x.label) for x in ProjectCategory),
        "mode": SEP.join(str(x.label) for x in ProjectMode),
    }
    hints = {
        "start_date": _("Date as YYYY-MM-DD"), "end_date": _("Date as YYYY-MM-DD"),
        "offline_start": _("Blended projects only: YYYY-MM-DD"), "offline_end": _("Blended projects only: YYYY-MM-DD"),
        "budget": _("Amount in yuan, up to two decimals"),
        "office": _("Name of a project office of the province"),
        "owner": _("Name of the owning office (a project office or an education bureau of the province)"),
        "regions": _("Six-digit region codes separated by 、"),
        "target_stages": _("Separated by 、; empty for any"), "target_subjects": _("Separated by 、; empty for any"),
        "target_posts": _("Separated by 、; empty for any"),
        "rural_only": _("是 or 否"), "priority_counties_only": _("是 or 否"),
    }
    for column in COLUMNS:
        hint = allowed.get(column.field) or hints.get(column.field, "")
        required = _("required") if column.required else _("optional")
        notes.append([str(column.header), f"{required}。{hint}"])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
