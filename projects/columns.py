"""The project list's spreadsheet columns: one definition for the Excel export, the import template and the import."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.models import Organisation, Region, SchoolStage, Subject, TeacherPost
from backoffice.numbers import finite_decimal
from projects.models import ProjectCategory, ProjectMode, ProjectType

SEP = "、"


class CellError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    field: str
    header: object  # lazy translation
    kind: str  # text, int, money, date, choice, choices, bool, office, owner, regions
    required: bool = True
    choices: type | None = None
    width: int = 14


COLUMNS = [
    Column("code", gettext_lazy("Project code"), "text", width=14),
    Column("name", gettext_lazy("Project name"), "text", width=32),
    Column("project_type", gettext_lazy("Project type"), "choice", choices=ProjectType),
    Column("category", gettext_lazy("Category"), "choice", choices=ProjectCategory, width=20),
    Column("mode", gettext_lazy("Mode"), "choice", choices=ProjectMode),
    Column("hours", gettext_lazy("Training hours"), "int", width=8),
    Column("quota", gettext_lazy("Quota"), "int", width=8),
    Column("priority_quota", gettext_lazy("Quota reserved for key counties"), "int", required=False),
    Column("start_date", gettext_lazy("Start date"), "date", width=12),
    Column("end_date", gettext_lazy("End date"), "date", width=12),
    Column("shadowing_days", gettext_lazy("Shadowing days"), "int", required=False, width=8),
    Column("offline_start", gettext_lazy("Offline part starts"), "date", required=False, width=12),
    Column("offline_end", gettext_lazy("Offline part ends"), "date", required=False, width=12),
    Column("budget", gettext_lazy("Budget (yuan)"), "money", width=14),
    Column("office", gettext_lazy("Responsible project office"), "office", width=26),
    Column("owner", gettext_lazy("Owning office"), "owner", width=26),
    Column("regions", gettext_lazy("Regions served (codes)"), "regions", required=False, width=20),
    Column("target_stages", gettext_lazy("Target school stages"), "choices", required=False, choices=SchoolStage),
    Column("target_subjects", gettext_lazy("Target subjects"), "choices", required=False, choices=Subject),
    Column("target_posts", gettext_lazy("Target posts"), "choices", required=False, choices=TeacherPost),
    Column("rural_only", gettext_lazy("Rural teachers only"), "bool", required=False, width=8),
    Column("priority_counties_only", gettext_lazy("Key counties only"), "bool", required=False, width=8),
    Column("min_years_teaching", gettext_lazy("Minimum years of teaching"), "int", required=False, width=8),
    Column("max_age", gettext_lazy("Maximum age"), "int", required=False, width=8),
    Column("topics", gettext_lazy("Topics covered"), "text", required=False, width=30),
]


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def to_cell(project, column: Column):
    """The value written to a workbook cell for a project."""
    value = getattr(project, column.field) if column.field != "regions" else None
    if column.kind == "choice":
        return str(column.choices(value).label)
    if column.kind == "choices":
        labels = dict(column.choices.choices)
        return SEP.join(str(labels.get(v, v)) for v in value or [])
    if column.kind == "bool":
        return yes_no(value)
    if column.kind in ("office", "owner"):
        return value.name
    if column.kind == "regions":
        return SEP.join(r.code for r in project.regions.all())
    if column.kind == "money":
        return value  # a Decimal: the spreadsheet writer keeps it a number, formatted as money
    return value if value not in (None, "") else None


def _choice(value, choices):
    text = str(value).strip()
    for key, label in choices.choices:
        if text in (key, str(label)):
            return key
    raise CellError(_("“%(value)s” is not one of: %(allowed)s.") % {
        "value": text, "allowed": SEP.join(str(label) for _, label in choices.choices)})


def from_cell(raw, column: Column, *, context: dict):
    """Parse one cell; raises CellError with a Chinese message. `context` carries lookups (offices, regions)."""
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    if empty:
        if column.required:
            raise CellError(_("This cell is required."))
        return {"choices": [], "bool": False, "int": 0 if column.field in ("priority_quota", "shadowing_days") else None,
                "regions": [], "text": ""}.get(column.kind)
    if column.kind == "text":
        return str(raw).strip()
    if column.kind == "int":
        number = finite_decimal(str(raw).strip())
        if number is None or number != number.to_integral_value():
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": raw})
        if number < 0:
            raise CellError(_("The number cannot be negative."))
        return int(number)
    if column.kind == "money":
        amount = finite_decimal(str(raw).strip().replace(",", "").replace("¥", ""))
        if amount is None:
            raise CellError(_("“%(value)s” is not an amount.") % {"value": raw})
        return amount.quantize(Decimal("0.01"))
    if column.kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip().replace("/", "-"))
        except ValueError:
            raise CellError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw}) from None
    if column.kind == "choice":
        return _choice(raw, column.choices)
    if column.kind == "choices":
        return [_choice(part, column.choices) for part in str(raw).replace(",", SEP).replace("，", SEP).split(SEP)
                if part.strip()]
    if column.kind == "bool":
        text = str(raw).strip().lower()
        if text in ("是", "yes", "y", "true", "1"):
            return True
        if text in ("否", "no", "n", "false", "0"):
            return False
        raise CellError(_("Write 是 or 否."))
    if column.kind in ("office", "owner"):
        found = context[column.kind].get(str(raw).strip())
        if found is None:
            raise CellError(_("No such organisation in this province: “%(value)s”.") % {"value": raw})
        return found
    if column.kind == "regions":
        codes = [c.strip() for c in str(raw).replace(",", SEP).replace("，", SEP).split(SEP) if c.strip()]
        found = [context["regions"].get(c) for c in codes]
        missing = [c for c, f in zip(codes, found) if f is None]
        if missing:
            raise CellError(_("Unknown region codes in this province: %(codes)s.") % {"codes": SEP.join(missing)})
        return found
    raise CellError(column.kind)


def lookup_context(plan) -> dict:
    from projects.services import OWNER_KINDS

    orgs = Organisation.objects.filter(region__code__startswith=plan.province.prefix, kind__in=OWNER_KINDS)
    regions = Region.objects.filter(code__startswith=plan.province.prefix)
    return {
        "office": {o.name: o for o in orgs if o.kind == "project_office"},
        "owner": {o.name: o for o in orgs},
        "regions": {r.code: r for r in regions},
    }
