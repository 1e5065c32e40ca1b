"""Excel import of teachers and of applicants (R30, R32, R37): the set-based fast path.

parse → resolve → write: the file is read through backoffice.spreadsheets (limits checked before parsing), every
row is checked in Python against data fetched in a constant number of queries (schools by code, the registry by ID
number, the project's applicants), and only when no row fails is anything written, in one transaction. Re-importing
the same file changes nothing.
"""
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from simple_history.utils import bulk_update_with_history

from backoffice.audit import audit_record
from backoffice.identity import id_number_error, normalise_id_number
from backoffice.models import (
    Organisation,
    OrganisationKind,
    SchoolStage,
    Subject,
    Teacher,
    TeacherPost,
    TeacherTitle,
)
from backoffice.punctuation import enum
from backoffice.scoping import scope_for
from backoffice.spreadsheets import (
    Book,
    Col,
    NumberInTextColumn,
    SpreadsheetRefused,
    cell_date,
    cell_text,
    normalise_text,
    read_sheet,
)
from backoffice.spreadsheets.reading import OLE2
from projects.models import ProjectCategory

from .bulk_insert import (  # noqa: F401 (bench)
    TEACHER_COLUMNS,
    fast_insert,
    insert_teachers,
    values_in,
    write_by_copy,
    write_through_temp_table,
)
from .import_columns import columns_converted as _columns_converted
from .models import Enrolment, EnrolmentStatus, ImportKind, Nominator

# Kept under its old name: the import job and its callers catch it.
FileRefused = SpreadsheetRefused


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English, marked for translation; users see the Chinese
    required: bool = True
    choices: tuple = ()
    width: int = 14
    text_only: bool = False  # a number here is refused, never converted (R30)

    @property
    def header(self) -> str:
        return _(self.label)


YES_NO = (("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")))
COLUMNS = [
    Column("name", gettext_noop("Full name"), width=10),
    Column("id_number", gettext_noop("ID number"), width=22, text_only=True),
    Column("school_code", gettext_noop("School code"), width=16),
    Column("region_code", gettext_noop("County code"), width=10),
    Column("stage", gettext_noop("School stage"), choices=tuple(SchoolStage.choices)),
    Column("subject", gettext_noop("Subject"), choices=tuple(Subject.choices)),
    Column("post", gettext_noop("Post"), required=False, choices=tuple(TeacherPost.choices)),
    Column("title", gettext_noop("Professional title"), required=False, choices=tuple(TeacherTitle.choices), width=18),
    Column("started_on", gettext_noop("Started teaching on")),
    Column("is_rural", gettext_noop("Rural teacher"), choices=YES_NO, width=10),
    Column("phone", gettext_noop("Phone"), required=False, width=14),
]
TEXT_FORMAT_KEYS = {"id_number", "school_code", "region_code", "phone"}
TEACHER_FIELDS = ("name", "school_id", "region_id", "stage", "subject", "post", "title", "teaching_since",
                  "is_rural", "is_priority_county", "phone")


@dataclass
class ImportResult:
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applications_created: int = 0
    errors: list = field(default_factory=list)  # [{"row", "column", "value", "message"}]
    refused_code: str = ""  # why the whole file was refused, when it was (the API's problem code)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row, column, value, message):
        self.errors.append({"row": row, "column": str(column) if column else "", "value": "" if value is None else str(value),
                            "message": str(message)})


@dataclass
class Resolved:
    """What the write does: new registry rows (row, tuple), changed teachers, and every row's teacher pk."""
    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged_pks: list = field(default_factory=list)
    apply_pks_by_row: list = field(default_factory=list)
    already_applied: set = field(default_factory=set)


# -- the file ------------------------------------------------------------------------------------------------
def check_name(name: str, data: bytes) -> None:
    """Only .xlsx; an old .xls is left to the reader, which says how to convert it."""
    if name and not name.lower().endswith(".xlsx") and data[:8] != OLE2:
        raise FileRefused("not_xlsx", _("Only .xlsx files can be imported."))


def _lookup(choices) -> dict:
    """Values accepted for a coded column: the code, and its label in Chinese or English."""
    table = {}
    for value, label in choices:
        table[str(value)] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                table[str(label)] = value
    table.update({"是": "yes", "否": "no", "Y": "yes", "N": "no", "1": "yes", "0": "no", "TRUE": "yes",
                  "FALSE": "no"} if choices is YES_NO else {})
    return table


def header_map(header_row) -> tuple[dict, list]:
    """Column index per key; accepts the Chinese or the English header."""
    want = {}
    for col in COLUMNS:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                want[normalise_text(_(col.label))] = col.key
    found, missing = {}, []
    for index, cell in enumerate(header_row):
        key = want.get(cell_text(cell).replace("*", "").strip())
        if key and key not in found:
            found[key] = index
    for col in COLUMNS:
        if col.required and col.key not in found:
            missing.append(col)
    return found, missing


# -- parse: every row on its own -----------------------------------------------------------------------------
def _refused_sheet(sheet, result: ImportResult) -> dict | None:
    """The header's column map, or None after reporting why the whole sheet cannot be imported."""
    if sheet.merged:
        for (r1, _c1), (r2, _c2) in sheet.merged[:50]:
            result.error(r1 + 1, "", "", _("Merged cells from row %(r1)s to row %(r2)s; unmerge them and fill every cell.") % {
                "r1": r1 + 1, "r2": r2 + 1})
        return None
    if not sheet.rows:
        result.error(1, "", "", _("The sheet is empty."))
        return None
    columns, missing = header_map(sheet.rows[0])
    for col in missing:
        result.error(1, col.header, "", _("The column “%(col)s” is missing; use the template.") % {"col": col.header})
    return None if missing else columns


def _refused_actor(actor, kind, project, result: ImportResult) -> bool:
    if kind == ImportKind.APPLICANTS and project is None:
        result.error(0, "", "", _("Choose the project the applicants apply for."))
        return True
    # Teachers: the county, city, school or province (R30); applicants: who puts an application forward (R32).
    perm = "enrolment.import_teacher" if kind == ImportKind.TEACHERS else "enrolment.apply_enrolment"
    if not actor.has_perm(perm):
        result.error(0, "", "", _("Your role does not allow this import."))
        return True
    if project is not None and project.category == ProjectCategory.WHOLE_STAFF:
        # R49: whole-staff training has no applications or selection; the county enrols everyone at once.
        result.error(0, "", "", _("A whole-staff project takes no applications; the county enrols all its "
                                  "teachers at once."))
        result.refused_code = "whole_staff_no_applications"
        return True
    if project is not None and project.status != "contracted":
        result.error(0, "", "", _("The project is not open for applications (it must be contracted and not started)."))
        return True
    return False


def _cell(raw, text, col, key, lookup, *, index, today, result):
    """(value, ok) of one non-empty cell (`text` is its text), its error reported on the row."""
    if lookup is not None:
        value = lookup.get(text)
        if value is None:
            result.error(index, col.header, text, _("Not one of the allowed values: %(values)s.") % {
                "values": enum(str(label) for _v, label in col.choices)})
        return value, value is not None
    if key == "started_on":
        value = cell_date(raw)
        if value is None:
            result.error(index, col.header, text, _("Not a date; write it as 2010-09-01."))
            return None, False
        if value > today:
            result.error(index, col.header, text, _("The date is in the future."))
            return value, False
        return value, True
    return text, True


def _parse_row(row, plan, absent, *, index, today, result):
    """(record, bad), or (None, False) for a row without any text."""
    rec = dict.fromkeys(absent)
    bad, blank = False, True
    for key, i, required, lookup, col in plan:
        raw = row[i]
        try:
            text = cell_text(raw, text_only=col.text_only)
        except NumberInTextColumn as exc:
            result.error(index, col.header, raw, exc.message)
            rec[key], bad, blank = None, True, False
            continue
        if not text:
            bad = bad or required
            rec[key] = None
            continue
        blank = False
        rec[key], ok = _cell(raw, text, col, key, lookup, index=index, today=today, result=result)
        bad = bad or not ok
    if blank:
        return None, False
    if bad:
        for key, i, required, lookup, col in plan:
            if required and rec[key] is None and not cell_text(row[i]):
                result.error(index, col.header, "", _("Required."))
    return rec, bad


def parse_rows(rows, columns, *, result: ImportResult) -> list:
    """[(row number, record)] of the rows that passed their own checks (R30 ID number included).

    Issue 13: the checks run column by column, once per distinct cell value (a file of 100,000 teachers holds
    a few dozen distinct stages, subjects, schools and dates); a row whose every cell passed takes no further
    step. Any other row - a cell refused, a blank row, a repeated ID number, an early start - is checked again on
    its own by `_parse_row`, the one definition of the row checks, which reports every error it finds."""
    # One plan per column, so the loop over 100,000 rows does the least work per cell.
    plan = [(c.key, columns[c.key], c.required, _lookup(c.choices) if c.choices else None, c)
            for c in COLUMNS if c.key in columns]
    absent = [c.key for c in COLUMNS if c.key not in columns]
    width = max(columns.values()) + 1
    today = timezone.localdate()
    body = [row if len(row) >= width else list(row) + [None] * (width - len(row)) for row in rows[1:]]
    converted, refused = _columns_converted(body, plan, today)
    keys = [key for key, *_r in plan] + absent
    blanks = (None,) * len(absent)
    numbers = converted[keys.index("id_number")]
    starts = converted[keys.index("started_on")] if "started_on" in keys else [None] * len(body)
    parsed, seen = [], {}
    total = 0
    for offset, values in enumerate(zip(*converted) if converted else ()):
        index = offset + 2
        if offset not in refused:
            number, started = numbers[offset], starts[offset]
            if number not in seen and (started is None or started.year - int(number[6:10]) >= 16):
                seen[number] = index
                total += 1
                parsed.append((index, dict(zip(keys, values + blanks))))
                continue
        row = body[offset]
        if not any(v is not None for v in row):
            continue  # an empty row is skipped, wherever it is
        rec, bad = _parse_row(row, plan, absent, index=index, today=today, result=result)
        if rec is None:
            continue  # only spaces: an empty row too
        result.rows_total += 1
        if rec["id_number"]:
            bad = _check_id_number(rec, row[columns["id_number"]], seen, index=index, today=today,
                                   result=result) or bad
        if not bad:
            parsed.append((index, rec))
    result.rows_total += total
    return parsed


def _check_id_number(rec, raw, seen, *, index, today, result) -> bool:
    """R30: a valid, unique ID number consistent with the start date; True when the row is bad."""
    number = normalise_id_number(rec["id_number"])
    rec["id_number"] = number
    error = id_number_error(number, today=today)
    if error:
        result.error(index, _("ID number"), raw, error[1])
        return True
    if number in seen:
        result.error(index, _("ID number"), raw, _("The same ID number is on row %(row)s.") % {"row": seen[number]})
        return True
    seen[number] = index
    started = rec["started_on"]
    if started and started.year - int(number[6:10]) < 16:
        result.error(index, _("Started teaching on"), started, _("Started teaching before the age of 16."))
        return True
    return False

# -- resolve: what the rows refer to, in a constant number of queries ----------------------------------------
def resolve(parsed, *, actor, project, result: ImportResult) -> Resolved:
    scope = scope_for(actor)
    school_codes = sorted({rec["school_code"] for _i, rec in parsed})
    schools = {s.code: s for s in scope.organisations(
        Organisation.objects.filter(kind=OrganisationKind.SCHOOL, code__in=school_codes).select_related("region"))}
    if not actor.has_perm("enrolment.import_other_schools"):
        schools = {c: s for c, s in schools.items() if s.pk == actor.organisation_id}
    # What a row takes from its school, read once per school rather than once per row.
    of_school = {code: (s, s.pk, s.region_id, s.region.code, s.region.is_priority_county) for code, s in schools.items()}
    numbers = [rec["id_number"] for _i, rec in parsed]
    existing = {row[0]: row[1:] for row in Teacher.objects.filter(**values_in("id_number", numbers))
                .values_list("id_number", "pk", "created_at", *TEACHER_FIELDS)} if numbers else {}
    out = Resolved()
    if project is not None:
        out.already_applied = set(Enrolment.objects.filter(project=project).values_list("teacher_id", flat=True))
    teacher_post, no_title = TeacherPost.TEACHER, TeacherTitle.NONE
    for index, rec in parsed:
        school = of_school.get(rec["school_code"])
        if school is None:
            result.error(index, _("School code"), rec["school_code"], _("No school with this code in your area."))
            continue
        if rec["region_code"] != school[3]:
            result.error(index, _("County code"), rec["region_code"], _(
                "The school %(school)s is in county %(code)s.") % {"school": school[0].name, "code": school[3]})
            continue
        # A plain tuple in TEACHER_FIELDS order (no model instance: 100,000 of those cost seconds).
        values = (rec["name"], school[1], school[2], rec["stage"], rec["subject"], rec["post"] or teacher_post,
                  rec["title"] or no_title, rec["started_on"].year, rec["is_rural"] == "yes", school[4],
                  rec["phone"] or "")
        number = rec["id_number"]
        found = existing.get(number)
        if found is None:
            out.new.append((index, (number, *values)))
            continue
        pk, created_at, *old = found
        if old[0] != values[0]:
            result.error(index, _("ID number"), number[:6] + "********" + number[-4:],
                         _("This ID number is already in the registry under another name (%(name)s).") % {"name": old[0]})
            continue
        if tuple(old) != values:
            out.changed.append(Teacher(pk=pk, id_number=number, created_at=created_at,
                                       **dict(zip(TEACHER_FIELDS, values))))
        else:
            out.unchanged_pks.append(pk)
        out.apply_pks_by_row.append((index, pk))
    return out


# -- write: one transaction, all rows or none ----------------------------------------------------------------
def registry_import_write(*, actor, kind: str, project, plan: Resolved, nominated_by: str, result: ImportResult,
                 progress) -> None:
    """Writes the resolved rows: new and changed registry rows with history, the applications (R32), the audit."""
    if connection.vendor == "sqlite":
        # A bigger page cache for this connection: index pages of 100,000 inserts stay in memory.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")
    with transaction.atomic():
        now = timezone.now()
        if connection.vendor == "postgresql":
            applications = write_by_copy(actor=actor, project=project, plan=plan, nominated_by=nominated_by,
                                         now=now)
        else:
            created_pks = insert_teachers([t for _i, t in plan.new], actor=actor, now=now) if plan.new else {}
        if plan.changed:
            bulk_update_with_history(plan.changed, Teacher, fields=[f for f in TEACHER_FIELDS if f != "name"],
                                     batch_size=2000, default_user=actor, default_change_reason="import")
        progress(85)
        result.created, result.updated = len(plan.new), len(plan.changed)
        result.unchanged = len(plan.unchanged_pks)
        if project is not None and connection.vendor == "postgresql":
            result.applications_created = applications
            result.unchanged = len(plan.apply_pks_by_row) + len(plan.new) - applications
        elif project is not None:
            wanted = sorted(plan.apply_pks_by_row + [(i, created_pks[t[0]]) for i, t in plan.new])
            # R32: the reserve list follows submission order; one timestamp for the file, and the rows are
            # inserted in file order so the primary key breaks the tie the same way.
            rows = [(project.pk, pk, EnrolmentStatus.APPLIED, nominated_by, actor.pk, now, "", "", "", "")
                    for _i, pk in wanted if pk not in plan.already_applied]
            fast_insert(Enrolment, ["project_id", "teacher_id", "status", "nominated_by", "applied_by_id",
                                    "submitted_at", "reject_rule", "reject_reason", "withdraw_reason",
                                    "outcome_reason"], rows, datetime_columns={"submitted_at"})
            result.applications_created = len(rows)
            result.unchanged = len(wanted) - len(rows)
        audit_record(obj=project or actor, actor=actor, action="import", changes={
            "kind": (None, kind), "rows": (None, result.rows_total), "teachers_created": (None, len(plan.new)),
            "teachers_updated": (None, len(plan.changed)), "applications_created": (None, result.applications_created)})


def run_import(*, actor, kind: str, data: bytes, name: str = "", project=None, progress=None,
               nominated_by: str = Nominator.SCHOOL) -> ImportResult:
    """Validate every row, then write all or nothing. `progress(percent)` is called along the way. A file refused
    as a whole (too big, not a workbook) raises FileRefused."""
    progress = progress or (lambda pct: None)
    result = ImportResult()
    check_name(name, data)
    sheet = read_sheet(data)
    progress(20)
    columns = _refused_sheet(sheet, result)
    if columns is None or _refused_actor(actor, kind, project, result):
        return result
    parsed = parse_rows(sheet.rows, columns, result=result)
    progress(40)
    plan = resolve(parsed, actor=actor, project=project, result=result)
    progress(65)
    if result.errors:
        result.errors.sort(key=lambda e: (e["row"], e["column"]))
        return result
    registry_import_write(actor=actor, kind=kind, project=project, plan=plan, nominated_by=nominated_by, result=result,
                 progress=progress)
    progress(100)
    return result


# -- the template --------------------------------------------------------------------------------------------
TEMPLATE_ROWS = 2000


def template_workbook(kind: str) -> bytes:
    """The import template: Chinese headers, drop-down lists for coded columns, ID number and code columns formatted
    as text for the first rows (R30), instructions on a third sheet."""
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Book()
    title = _("Applicants") if kind == ImportKind.APPLICANTS else _("Teachers")
    sheet = book.sheet(title, [Col(str(c.header) + ("*" if c.required else ""), c.width,
                                   "text" if c.key in TEXT_FORMAT_KEYS else None) for c in COLUMNS])
    lists = book.sheet(_("Allowed values"), [Col(str(c.header) if c.choices else "", 14) for c in COLUMNS],
                       freeze=False)
    guide = book.sheet(_("Instructions"), widths={"A": 100})
    for index, col in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if col.choices:
            dv = DataValidation(type="list", allow_blank=not col.required,
                                formula1=f"={quote_sheetname(lists.title)}!${letter}$2:${letter}${len(col.choices) + 1}")
            dv.error, dv.errorTitle = str(_("Choose a value from the list.")), str(_("Invalid value"))
        elif col.key == "started_on":
            dv = DataValidation(type="date", operator="greaterThan", formula1="DATE(1950,1,1)")
            dv.error = str(_("Write a date such as 2010-09-01."))
        else:
            continue
        dv.add(f"{letter}2:{letter}20000")
        sheet.ws.data_validations.append(dv)
    text_columns = [i for i, c in enumerate(COLUMNS) if c.key in TEXT_FORMAT_KEYS]
    for _r in range(TEMPLATE_ROWS):
        sheet.append_formatted({i: "@" for i in text_columns}, len(COLUMNS))
    depth = max(len(c.choices) for c in COLUMNS)
    for r in range(depth):
        lists.append([str(c.choices[r][1]) if r < len(c.choices) else None for c in COLUMNS])
    lines = [
        _("Fill one teacher per row from row 2; columns marked * are required."),
        _("ID number: 18 characters; the last may be X. Write it as text so Excel keeps every digit."),
        _("School code and county code: as given by the county education bureau; the school must be in your area."),
        _("Do not merge cells, and do not change the header row."),
        _("Nothing is imported while any row has an error; the error report lists every row."),
        _("Importing the same file again changes nothing."),
    ]
    for line in lines:
        guide.append([line])
    return book.to_bytes()
