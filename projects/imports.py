"""Import a plan's project list from the Excel template: every row is checked first, then all rows are written
in one transaction, or none (STYLE: imports validate everything, then write)."""
from dataclasses import dataclass, field
from io import BytesIO

from django.db import transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError
from projects import rules as r
from projects.columns import COLUMNS, CellError, from_cell, lookup_context
from projects.models import AnnualPlan, PlanStatus, Project
from projects.services import PROJECT_FIELDS, _check, project_errors
from backoffice.money import grouped_amount


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def read_rows(content: bytes) -> list[list]:
    """Rows of the projects sheet (named 项目/Projects, else the first sheet), header included."""
    wb = CalamineWorkbook.from_filelike(BytesIO(content))
    names = wb.sheet_names
    from projects.exports import projects_sheet_title

    wanted = next((n for n in names if n in (projects_sheet_title(), "项目", "Projects")), names[0])
    return wb.get_sheet_by_name(wanted).to_python(skip_empty_area=False)


def _header_map(header: list) -> tuple[dict, list]:
    """Column index per field, by the Chinese or English header; the missing required headers."""
    from django.utils import translation

    names = {}
    for column in COLUMNS:
        names[str(column.header).strip()] = column
        with translation.override("en"):
            names[str(column.header).strip()] = column
    index = {}
    for i, cell in enumerate(header):
        column = names.get(str(cell or "").strip())
        if column:
            index[column.field] = i
    missing = [str(c.header) for c in COLUMNS if c.required and c.field not in index]
    return index, missing


def plan_import_projects(*, actor, plan: AnnualPlan, content: bytes) -> ImportResult:
    """Check every row; when any fails, return the row-by-row report and write nothing."""
    plan = AnnualPlan.objects.select_related("province").get(pk=plan.pk)
    _check(r.plan_can_add_project, actor, plan, what=_("add projects to this plan"))
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise DomainError("plan_not_open", _("Projects can be added only while the plan is a draft or returned."))
    try:
        rows = read_rows(content)
    except Exception as exc:  # calamine raises several types for files that are not workbooks
        raise DomainError("import_unreadable", _("The file could not be read as an Excel workbook.")) from exc
    result = ImportResult()
    if not rows:
        result.errors.append(RowError(1, "", _("The sheet is empty.")))
        return result
    index, missing = _header_map(rows[0])
    if missing:
        result.errors.append(RowError(1, "", _("Missing columns: %(names)s.") % {"names": "、".join(missing)}))
        return result
    context = lookup_context(plan)
    headers = {c.field: str(c.header) for c in COLUMNS}
    own_org_only = not (actor.is_superuser or actor.role == "province_staff")
    pending, seen_codes, running_budget = [], {}, r.plan_budget_total(plan)
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(v).strip() for v in row if v is not None):
            continue
        data, row_errors = {}, []
        for column in COLUMNS:
            if column.field not in index:
                continue
            raw = row[index[column.field]] if index[column.field] < len(row) else None
            try:
                data[column.field] = from_cell(raw, column, context=context)
            except CellError as exc:
                row_errors.append(RowError(number, headers[column.field], str(exc)))
        owner, regions = data.pop("owner", None), data.pop("regions", None)
        if owner is not None and own_org_only and owner.pk != actor.organisation_id:
            row_errors.append(RowError(number, headers["owner"], _("You may import only your own office's projects.")))
        code = data.get("code")
        if code and code in seen_codes:
            row_errors.append(RowError(number, headers["code"], _("Same project code as row %(row)s.") % {
                "row": seen_codes[code]}))
        elif code:
            seen_codes[code] = number
        # The rule checks run on the cells that parsed, so a row reports all its problems at once. The R12 check
        # counts the rows above this one; the per-project check would see only one project at a time.
        failed = {e.column for e in row_errors}
        budget = data.get("budget")
        for fname, messages in project_errors(plan=plan, data={**data, "regions": regions, "budget": None}).items():
            if headers.get(fname) in failed:
                continue
            for message in messages:
                row_errors.append(RowError(number, headers.get(fname, ""), message))
        if budget is not None:
            running_budget += budget
            if running_budget > plan.central_subsidy:  # R12
                row_errors.append(RowError(number, headers["budget"], _(
                    "Up to this row the projects total ¥%(total)s, more than the central subsidy of ¥%(subsidy)s.")
                    % {"total": grouped_amount(running_budget), "subsidy": grouped_amount(plan.central_subsidy)}))
        result.errors.extend(row_errors)
        pending.append((data, owner, regions))
    if not pending and not result.errors:
        result.errors.append(RowError(2, "", _("No project rows found.")))
    if result.errors:
        return result
    with transaction.atomic():
        AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        for data, owner, regions in pending:
            project = Project.objects.create(plan=plan, owner=owner, created_by=actor,
                                             **{k: v for k, v in data.items() if k in PROJECT_FIELDS})
            project.regions.set(regions or [])
            result.created.append(project)
        audit_record(obj=plan, actor=actor, action="import", changes={"projects": (None, len(result.created))})
        for project in result.created:
            audit_record(obj=project, actor=actor, action="create", reason=_("Imported from Excel"),
                         changes={"budget": (None, project.budget), "quota": (None, project.quota)})
    return result
