"""The plan as an Excel workbook, and the blank import template with Chinese headers (backoffice.spreadsheets)."""
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.spreadsheets import Book, Col, typed
from backoffice.when import when
from projects.columns import COLUMNS, SEP, to_cell
from projects.models import ProjectCategory, ProjectMode, ProjectType
from projects.selectors import plan_summary

KINDS = {"money": "money", "date": "date"}


def projects_sheet_title() -> str:
    return _("Projects")


def _columns():
    return [Col(c.header, c.width, KINDS.get(c.kind)) for c in COLUMNS]


def plan_workbook(*, plan, projects) -> bytes:
    """Sheet 1 the plan and its totals; sheet 2 the projects in the import template's columns (round trip)."""
    summary = plan_summary(plan=plan)
    book = Book()
    ws = book.sheet(_("Plan"), widths={"A": 34, "B": 44})
    rows = [
        (_("Annual plan"), plan.title), (_("Province"), plan.province.name), (_("Year"), plan.year),
        (_("Status"), plan.get_status_display()),
        (_("Central subsidy allocated"), typed(plan.central_subsidy, "money")),
        (_("Projects"), summary["count"]), (_("Total budget"), typed(summary["budget"], "money")),
        (_("Subsidy not yet allocated"), typed(summary["remaining"], "money")), (_("Total quota"), summary["quota"]),
        (_("Quota reserved for key counties"), summary["priority_quota"]),
        (_("Share of quota reserved for key counties (%)"), typed(summary["priority_share"], "number")),
        (_("Exported at"), when(timezone.now())),
    ]
    for label, value in rows:
        ws.append([label, value])
    sheet = book.sheet(projects_sheet_title(), _columns())
    for project in projects:
        sheet.append([to_cell(project, c) for c in COLUMNS])
    return book.to_bytes()


def import_template() -> bytes:
    book = Book()
    book.sheet(projects_sheet_title(), _columns())
    notes = book.sheet(_("Instructions"), [Col(_("Column"), 30), Col(_("What to write"), 100)], freeze=False)
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
    return book.to_bytes()
