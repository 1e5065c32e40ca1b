"""Excel import of teachers and of applicants (R30, R32, R37): the set-based fast path.

The whole file is read with python-calamine, every row is checked in Python against data fetched in a
constant number of queries (schools by code, the registry by ID number, the project's applicants), and only
when no row fails is anything written, in one transaction. Re-importing the same file changes nothing.
"""
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from simple_history.utils import bulk_update_with_history

from backoffice.audit import audit_record
from backoffice.identity import id_number_error, normalise_id_number
from backoffice.models import Organisation, OrganisationKind, Role, SchoolStage, Subject, Teacher, TeacherPost, TeacherTitle
from backoffice.scoping import scope_for

from .models import Enrolment, EnrolmentStatus, ImportKind, Nominator


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English, marked for translation; users see the Chinese
    required: bool = True
    choices: tuple = ()
    width: int = 14

    @property
    def header(self) -> str:
        return _(self.label)


YES_NO = (("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")))
COLUMNS = [
    Column("name", gettext_noop("Full name"), width=10),
    Column("id_number", gettext_noop("ID number"), width=22),
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
TEACHER_FIELDS = ("name", "school_id", "region_id", "stage", "subject", "post", "title", "teaching_since",
                  "is_rural", "is_priority_county", "phone")


class FileRefused(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, str(message)


@dataclass
class ImportResult:
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applications_created: int = 0
    errors: list = field(default_factory=list)  # [{"row", "column", "value", "message"}]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row, column, value, message):
        self.errors.append({"row": row, "column": str(column) if column else "", "value": "" if value is None else str(value),
                            "message": str(message)})


# -- the file ------------------------------------------------------------------------------------------------
def check_file(data: bytes, name: str = "") -> None:
    """Only real .xlsx files: an .xls (OLE2) or anything else renamed .xlsx is refused with a clear reason."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused("xls_refused", _("This is an old .xls workbook; open it in Excel or WPS and save it as .xlsx."))
    if name and not name.lower().endswith(".xlsx"):
        raise FileRefused("not_xlsx", _("Only .xlsx files can be imported."))
    if data[:4] != b"PK\x03\x04":
        raise FileRefused("not_excel", _("This file is not an Excel workbook, whatever its name says."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                raise FileRefused("not_excel", _("This file is not an Excel workbook, whatever its name says."))
    except zipfile.BadZipFile as exc:
        raise FileRefused("not_excel", _("This file is not an Excel workbook, whatever its name says.")) from exc


def read_rows(data: bytes) -> tuple[list, list]:
    """(rows as lists, merged ranges) of the first sheet, parsed by python-calamine."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except FileRefused:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise FileRefused("unreadable", _("The workbook cannot be read: %(error)s") % {"error": exc}) from exc
    return rows, merged


# -- cell parsing --------------------------------------------------------------------------------------------
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # Most cells are plain ASCII; only the others need full-width digits folded.
        return value.strip() if value.isascii() else normalise_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_text(str(value))


_FULL = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９－／．"}


def normalise_text(text: str) -> str:
    return text.translate(_FULL).replace("\u3000", " ").strip()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # the template's own format, the common case
            return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            return None
    text = _text(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-").strip("-")
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts) == 2:
            return dt.date(int(parts[0]), int(parts[1]), 1)
        if len(parts) == 1 and len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
    return None


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


def values_in(field_name: str, values: list[str]):
    """`field IN (one bound parameter)`: a whole file's keys in one query on SQLite and PostgreSQL, without
    hitting their limits on the number of bound parameters."""
    payload = json.dumps(values)
    if connection.vendor == "postgresql":
        return {f"{field_name}__in": RawSQL("SELECT jsonb_array_elements_text(%s::jsonb)", [payload])}
    return {f"{field_name}__in": RawSQL("SELECT value FROM json_each(%s)", [payload])}


# -- validation and writing ----------------------------------------------------------------------------------
def header_map(header_row) -> tuple[dict, list]:
    """Column index per key; accepts the Chinese or the English header."""
    want = {}
    for col in COLUMNS:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                want[normalise_text(_(col.label))] = col.key
    found, missing = {}, []
    for index, cell in enumerate(header_row):
        key = want.get(_text(cell).replace("*", "").strip())
        if key and key not in found:
            found[key] = index
    for col in COLUMNS:
        if col.required and col.key not in found:
            missing.append(col)
    return found, missing


def run_import(*, actor, kind: str, data: bytes, name: str = "", project=None, progress=None,
               nominated_by: str = Nominator.SCHOOL) -> ImportResult:
    """Validate every row, then write all or nothing. `progress(percent)` is called along the way."""
    progress = progress or (lambda pct: None)
    result = ImportResult()
    check_file(data, name)
    rows, merged = read_rows(data)
    progress(20)
    if merged:
        for (r1, c1), (r2, c2) in merged[:50]:
            result.error(r1 + 1, "", "", _("Merged cells from row %(r1)s to row %(r2)s; unmerge them and fill every cell.") % {
                "r1": r1 + 1, "r2": r2 + 1})
        return result
    if not rows:
        result.error(1, "", "", _("The sheet is empty."))
        return result
    columns, missing = header_map(rows[0])
    if missing:
        for col in missing:
            result.error(1, col.header, "", _("The column “%(col)s” is missing; use the template.") % {"col": col.header})
        return result
    if kind == ImportKind.APPLICANTS and project is None:
        result.error(0, "", "", _("Choose the project the applicants apply for."))
        return result
    scope = scope_for(actor)
    allowed_roles = {Role.COUNTY_STAFF, Role.CITY_STAFF, Role.SCHOOL_ADMIN}
    if kind == ImportKind.TEACHERS:
        allowed_roles |= {Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF}
    if not scope.can_write or (actor.role not in allowed_roles and not actor.is_superuser):
        result.error(0, "", "", _("Your role does not allow this import."))
        return result
    if project is not None and project.status != "contracted":
        result.error(0, "", "", _("The project is not open for applications (it must be contracted and not started)."))
        return result

    # One plan per column, so the loop over 100,000 rows does the least work per cell.
    plan = [(c.key, columns[c.key], c.required, _lookup(c.choices) if c.choices else None, c)
            for c in COLUMNS if c.key in columns]
    present = {c.key for c in COLUMNS if c.key in columns}
    absent = [c.key for c in COLUMNS if c.key not in present]
    width = max(columns.values()) + 1
    id_index = columns["id_number"]
    today = timezone.localdate()
    parsed = []  # (row number, dict)
    seen: dict[str, int] = {}
    for index, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue  # an empty row is skipped, wherever it is
        if len(row) < width:
            row = list(row) + [None] * (width - len(row))
        rec = dict.fromkeys(absent)
        bad = False
        blank = True
        for key, i, required, lookup, col in plan:
            raw = row[i]
            text = _text(raw)
            if not text:
                if required:
                    bad = True
                rec[key] = None
                continue
            blank = False
            if lookup is not None:
                value = lookup.get(text)
                if value is None:
                    result.error(index, col.header, text, _("Not one of the allowed values: %(values)s.") % {
                        "values": "、".join(str(label) for _v, label in col.choices)})
                    bad = True
                rec[key] = value
            elif key == "started_on":
                value = _date(raw)
                if value is None:
                    result.error(index, col.header, text, _("Not a date; write it as 2010-09-01."))
                    bad = True
                elif value > today:
                    result.error(index, col.header, text, _("The date is in the future."))
                    bad = True
                rec[key] = value
            else:
                rec[key] = text
        if blank:
            continue  # only spaces: an empty row too
        result.rows_total += 1
        if bad:
            for key, i, required, lookup, col in plan:
                if required and rec[key] is None and not _text(row[i]):
                    result.error(index, col.header, "", _("Required."))
        number = rec["id_number"]
        if number:
            number = normalise_id_number(number)
            error = id_number_error(number, today=today)
            if error:
                result.error(index, _("ID number"), row[id_index], error[1])
                bad = True
            elif number in seen:
                result.error(index, _("ID number"), row[id_index], _("The same ID number is on row %(row)s.") % {
                    "row": seen[number]})
                bad = True
            else:
                seen[number] = index
                started = rec["started_on"]
                if started and started.year - int(number[6:10]) < 16:
                    result.error(index, _("Started teaching on"), started, _("Started teaching before the age of 16."))
                    bad = True
        rec["id_number"] = number
        if not bad:
            parsed.append((index, rec))
    progress(40)

    # Everything the rows refer to, in a constant number of queries.
    school_codes = sorted({rec["school_code"] for _i, rec in parsed})
    schools = {s.code: s for s in scope.organisations(
        Organisation.objects.filter(kind=OrganisationKind.SCHOOL, code__in=school_codes).select_related("region"))}
    if actor.role == Role.SCHOOL_ADMIN:
        schools = {c: s for c, s in schools.items() if s.pk == actor.organisation_id}
    numbers = [rec["id_number"] for _i, rec in parsed]
    existing = {row[0]: row[1:] for row in Teacher.objects.filter(**values_in("id_number", numbers))
                .values_list("id_number", "pk", "created_at", *TEACHER_FIELDS)} if numbers else {}
    already_applied = set()
    if project is not None:
        already_applied = set(Enrolment.objects.filter(project=project).values_list("teacher_id", flat=True))
    progress(55)

    new, changed, unchanged_pks, apply_pks_by_row = [], [], [], []
    for index, rec in parsed:
        school = schools.get(rec["school_code"])
        if school is None:
            result.error(index, _("School code"), rec["school_code"], _("No school with this code in your area."))
            continue
        if rec["region_code"] != school.region.code:
            result.error(index, _("County code"), rec["region_code"], _("The school %(school)s is in county %(code)s.") % {
                "school": school.name, "code": school.region.code})
            continue
        values = {
            "name": rec["name"], "school_id": school.pk, "region_id": school.region_id, "stage": rec["stage"],
            "subject": rec["subject"], "post": rec["post"] or TeacherPost.TEACHER,
            "title": rec["title"] or TeacherTitle.NONE, "teaching_since": rec["started_on"].year,
            "is_rural": rec["is_rural"] == "yes", "is_priority_county": school.region.is_priority_county,
            "phone": rec["phone"] or "",
        }
        found = existing.get(rec["id_number"])
        if found is None:
            # A plain tuple in TEACHER_COLUMNS order (no model instance: 100,000 of those cost seconds).
            new.append((index, (rec["id_number"], *(values[f] for f in TEACHER_FIELDS))))
            continue
        pk, created_at, *old = found
        old = dict(zip(TEACHER_FIELDS, old))
        if old["name"] != values["name"]:
            result.error(index, _("ID number"), rec["id_number"][:6] + "********" + rec["id_number"][-4:],
                         _("This ID number is already in the registry under another name (%(name)s).") % {"name": old["name"]})
            continue
        if old != values:
            teacher = Teacher(pk=pk, id_number=rec["id_number"], created_at=created_at, **values)
            changed.append(teacher)
        else:
            unchanged_pks.append(pk)
        apply_pks_by_row.append((index, pk))
    progress(65)
    if result.errors:
        result.errors.sort(key=lambda e: (e["row"], e["column"]))
        return result

    if connection.vendor == "sqlite":
        # A bigger page cache for this connection: index pages of 100,000 inserts stay in memory.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")
    with transaction.atomic():
        now = timezone.now()
        created_pks = _insert_teachers([t for _i, t in new], actor=actor, now=now) if new else {}
        if changed:
            bulk_update_with_history(changed, Teacher, fields=[f for f in TEACHER_FIELDS if f != "name"],
                                     batch_size=2000, default_user=actor, default_change_reason="import")
        progress(85)
        result.created, result.updated = len(new), len(changed)
        result.unchanged = len(unchanged_pks)
        if project is not None:
            wanted = sorted(apply_pks_by_row + [(i, created_pks[t[0]]) for i, t in new])
            # R32: the reserve list follows submission order; one timestamp for the file, and the rows are
            # inserted in file order so the primary key breaks the tie the same way.
            rows = [(project.pk, pk, EnrolmentStatus.APPLIED, nominated_by, actor.pk, now, "", "", "", "")
                    for _i, pk in wanted if pk not in already_applied]
            fast_insert(Enrolment, ["project_id", "teacher_id", "status", "nominated_by", "applied_by_id",
                                    "submitted_at", "reject_rule", "reject_reason", "withdraw_reason",
                                    "outcome_reason"], rows, datetime_columns={"submitted_at"})
            result.applications_created = len(rows)
            result.unchanged = len(wanted) - len(rows)
        audit_record(obj=project or actor, actor=actor, action="import", changes={
            "kind": (None, kind), "rows": (None, result.rows_total), "teachers_created": (None, len(new)),
            "teachers_updated": (None, len(changed)), "applications_created": (None, result.applications_created)})
    progress(100)
    return result


# -- writing ----------------------------------------------------------------------------------------------
TEACHER_COLUMNS = ["id_number", "name", "school_id", "region_id", "stage", "subject", "post", "title",
                   "teaching_since", "is_rural", "is_priority_county", "phone", "created_at"]


def fast_insert(model, columns: list[str], rows: list[tuple], *, datetime_columns=frozenset()) -> None:
    """Insert plain tuples in one statement per backend: COPY on PostgreSQL, executemany on SQLite.

    The ORM's bulk_create spends most of its time preparing each value and, on SQLite, splits the rows into
    batches of ~60 to respect the bound-parameter limit; 100,000 rows need neither."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:  # psycopg's write_row is C-accelerated; measured faster than building text
                    copy.write_row(row)
            return
        positions = [i for i, c in enumerate(columns) if c in datetime_columns]
        if positions:
            adapt = connection.ops.adapt_datetimefield_value
            cache = {}

            def convert(row):
                row = list(row)
                for i in positions:
                    value = row[i]
                    if value not in cache:
                        cache[value] = adapt(value)
                    row[i] = cache[value]
                return row

            rows = [convert(r) for r in rows]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _insert_teachers(teachers: list[tuple], *, actor, now) -> dict[str, int]:
    """New registry rows (tuples in TEACHER_COLUMNS order, without created_at) and their creation history (R3).
    Returns {id_number: pk} of the new rows."""
    rows = [t + (now,) for t in teachers]
    fast_insert(Teacher, TEACHER_COLUMNS + ["updated_at"], [r + (now,) for r in rows],
                datetime_columns={"created_at", "updated_at"})
    pks = dict(Teacher.objects.filter(**values_in("id_number", [t[0] for t in teachers]))
               .values_list("id_number", "pk"))
    history = Teacher.history.model
    fast_insert(history, ["id"] + TEACHER_COLUMNS + ["history_date", "history_change_reason", "history_type",
                                                      "history_user_id"],
                [(pks[r[0]],) + r + (now, "import", "+", actor.pk) for r in rows],
                datetime_columns={"created_at", "history_date"})
    return pks


# -- the template --------------------------------------------------------------------------------------------
def template_workbook(kind: str) -> bytes:
    """The import template: Chinese headers, drop-down lists for coded columns, instructions on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = str(_("Applicants")) if kind == ImportKind.APPLICANTS else str(_("Teachers"))
    lists = wb.create_sheet(str(_("Allowed values")))
    guide = wb.create_sheet(str(_("Instructions")))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index, value=str(col.header) + ("*" if col.required else ""))
        cell.font, cell.fill = bold, fill
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = col.width
        if col.key in {"id_number", "school_code", "region_code", "phone"}:
            for r in range(2, 2002):
                ws.cell(row=r, column=index).number_format = "@"
        if col.choices:
            lists.cell(row=1, column=index, value=str(col.header)).font = bold
            for r, (_v, label) in enumerate(col.choices, start=2):
                lists.cell(row=r, column=index, value=str(label))
            dv = DataValidation(type="list", allow_blank=not col.required,
                                formula1=f"='{lists.title}'!${letter}$2:${letter}${len(col.choices) + 1}")
            dv.error, dv.errorTitle = str(_("Choose a value from the list.")), str(_("Invalid value"))
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}20000")
        if col.key == "started_on":
            dv = DataValidation(type="date", operator="greaterThan", formula1="DATE(1950,1,1)")
            dv.error = str(_("Write a date such as 2010-09-01."))
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}20000")
    ws.freeze_panes = "A2"
    lines = [
        _("Fill one teacher per row from row 2; columns marked * are required."),
        _("ID number: 18 characters; the last may be X. Write it as text so Excel keeps every digit."),
        _("School code and county code: as given by the county education bureau; the school must be in your area."),
        _("Do not merge cells, and do not change the header row."),
        _("Nothing is imported while any row has an error; the error report lists every row."),
        _("Importing the same file again changes nothing."),
    ]
    for r, line in enumerate(lines, start=1):
        guide.cell(row=r, column=1, value=str(line))
    guide.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
