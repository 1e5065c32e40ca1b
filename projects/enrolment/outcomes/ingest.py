"""Learning records from the institutions' platforms (R47): the one ingest service, the file reader and the template.

`ingest_learning_records` is used by the upload page (through a job) and by the API (R5). Each row is converted
on its own in Python (types, ranges, a key repeated in the delivery); everything that needs the database - enrolled
in the project, the period inside the project's dates, minutes within the period, unchanged figures - is
checked set-based in SQL after one bulk load (COPY on PostgreSQL) into a temporary table, then the current figures
are replaced and the new rows inserted in two statements. Nobody edits a record by hand: the product has no
other write path to them."""
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError, ScopeError
from backoffice.identity import normalise_id_number
from backoffice.spreadsheets import (
    NumberInTextColumn,
)

from . import permissions as perms
from .models import LearningRecord, LearningRecordBatch

# (key, English header marked for translation, required, kind) - the template's and the API's fields.
FIELDS = [
    ("id_number", gettext_noop("ID number"), True, "text"),
    ("name", gettext_noop("Full name"), False, "text"),
    ("period_start", gettext_noop("Period from"), True, "date"),
    ("period_end", gettext_noop("Period to"), True, "date"),
    ("minutes", gettext_noop("Learning minutes"), True, "int"),
    ("assignments_submitted", gettext_noop("Assignments submitted"), False, "int"),
    ("assignments_passed", gettext_noop("Assignments passed"), False, "int"),
    ("achievements", gettext_noop("Training results submitted"), False, "int"),
    ("assessment_score", gettext_noop("Final assessment score"), False, "score"),
    ("activities", gettext_noop("Activities taken part in"), False, "int"),
]
HEADERS = {key: label for key, label, _r, _k in FIELDS}
INT_FIELDS = ("minutes", "assignments_submitted", "assignments_passed", "achievements", "activities")
CENT = Decimal("0.01")  # scores keep 2 decimals, rounded half up as PostgreSQL's numeric(5,2) rounds
MAX_COUNT = 100_000  # far above any real figure; keeps the integers in the columns' range
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
# The enrolments that may receive records: enrolled, training, or with an outcome (late records are kept).
RECEIVING = ("enrolled", "in_training", "completed", "not_completed", "no_show", "dismissed")
TMP_COLUMNS = ("rownum", "id_number", "period_start", "period_end", "minutes", "assignments_submitted",
               "assignments_passed", "achievements", "assessment_score", "activities")


@dataclass
class IngestResult:
    """What a delivery did. `errors`: [{"row", "column", "value", "message"}] in Chinese, one per refused cell or
    row; `written` rows became the current figure; `unchanged` rows repeated the current figure exactly."""

    rows_total: int = 0
    written: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: list = field(default_factory=list)
    batch_id: int | None = None
    replayed: bool = False
    valid_only: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row, column, value, message):
        self.errors.append({"row": row, "column": str(column or ""), "value": "" if value is None else str(value),
                            "message": str(message)})


def _header(key) -> str:
    return _(HEADERS[key])


# -- per row: types and ranges ----------------------------------------------------------------------------------
def _date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _int(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= MAX_COUNT * 60 else None
    if isinstance(value, float) and value.is_integer():
        return _int(int(value))
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _score(value):
    """The assessment score with 2 decimals (rounded half up), None when empty; ValueError unless 0 to 100."""
    if value is None or value == "":
        return None
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    if not score.is_finite() or not (0 <= score <= 100):
        raise ValueError(value)
    return score.quantize(CENT, ROUND_HALF_UP)


def _convert(rec: dict, index: int, result: IngestResult, seen: set):
    """The row as a tuple in TMP_COLUMNS order, or None after reporting every bad cell of it. The common case
    (text cells as a CSV gives them, all valid) takes the short path, with the same converters as the long one:
    this runs once per row wherever SQL does not convert the rows (SQLite, the API, rows SQL is unsure of)."""
    raw_id, start, end = rec.get("id_number"), rec.get("period_start"), rec.get("period_end")
    try:
        if raw_id.__class__ is str and raw_id.isascii() and start.__class__ is str and end.__class__ is str:
            number = raw_id.strip().upper()
            start, end = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            counts = [0 if c is None or c == "" else _int(c) for c in map(rec.get, INT_FIELDS)]
            if (None not in counts and len(number) == 18 and _ID_SHAPE.fullmatch(number) and start <= end
                    and max(counts[1:]) <= MAX_COUNT and rec.get("minutes") not in (None, "")):
                return _once((rec.get("row") or index, number, start, end, counts[0], counts[1], counts[2],
                              counts[3], _score(rec.get("assessment_score")), counts[4]), result, seen)
    except (ValueError, ArithmeticError, TypeError, AttributeError):
        pass
    return _convert_slow(rec, index, result, seen)


def _once(row, result, seen):
    # R47: a key once per delivery; a repeat is refused with its row.
    key = (row[1], row[2], row[3])
    if key in seen:
        result.error(row[0], _header("period_start"), row[2], _message("repeated", None, None))
        return None
    seen.add(key)
    return row


def _convert_slow(rec: dict, index: int, result: IngestResult, seen: set):
    rownum = rec.get("row") or index
    bad = False
    raw_id = rec.get("id_number")
    if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
        result.error(rownum, _header("id_number"), raw_id, NumberInTextColumn().message)  # R30
        bad, number = True, ""
    else:
        number = normalise_id_number(raw_id)
        if not _ID_SHAPE.fullmatch(number):
            result.error(rownum, _header("id_number"), raw_id, _("Not an 18-character ID number."))
            bad = True
    start, end = _date(rec.get("period_start")), _date(rec.get("period_end"))
    for key, value in (("period_start", start), ("period_end", end)):
        if value is None:
            result.error(rownum, _header(key), rec.get(key), _("Not a date; write it as 2026-03-01."))
            bad = True
    if start and end and end < start:
        result.error(rownum, _header("period_end"), rec.get("period_end"), _("The period ends before it starts."))
        bad = True
    counts = []
    for key in INT_FIELDS:
        value = rec.get(key)
        if value is None or value == "":
            if key == "minutes":
                result.error(rownum, _header(key), "", _("Required."))
                bad = True
            counts.append(0)
            continue
        number_ = _int(value)
        if number_ is None or (key != "minutes" and number_ > MAX_COUNT):
            result.error(rownum, _header(key), value, _("Not a whole number from 0 up."))
            bad = True
        counts.append(number_ or 0)
    try:
        score = _score(rec.get("assessment_score"))
    except ValueError:
        result.error(rownum, _header("assessment_score"), rec.get("assessment_score"),
                     _("The assessment score is a number from 0 to 100."))
        bad, score = True, None
    if bad:
        return None
    return _once((rownum, number, start, end, counts[0], counts[1], counts[2], counts[3], score, counts[4]),
                 result, seen)


# -- the service ------------------------------------------------------------------------------------------------
def ingest_learning_records(*, actor, project, rows, source: str, valid_only: bool, idempotency_key: str = "",
                            api_key=None, progress=None) -> IngestResult:
    """Ingest a delivery of learning records for `project` from the platform `source` (R47).

    `rows`: an iterable of dicts with the keys
      - "id_number": the teacher's 18-character ID number, as text (a number is refused, R30);
      - "period_start", "period_end": the period's first and last day (date or "YYYY-MM-DD");
      - "minutes": learning minutes in the period (whole number, required, not above the period's minutes);
      - "assignments_submitted", "assignments_passed", "achievements" (研修成果 submitted), "activities":
        whole numbers ≥ 0, default 0;
      - "assessment_score": the final assessment, 0-100 with up to 2 decimals, or empty;
      - optional "row": the row number to report errors against (default: the position, from 1);
      - optional "name": ignored (the template carries it for people).
    or a `RecordFile` from `read_records_file` (whose plain CSV PostgreSQL parses itself, in COPY).
    Records are keyed (project, teacher, period, source): a re-sent key replaces the current figure and the
    earlier record is kept; a row repeating the current figure exactly changes nothing. Every row is checked
    (enrolled in the project, period inside the project's dates, minutes within the period, numbers in range,
    the key once per delivery); with `valid_only` False any refused row means nothing is written (all or
    nothing), with True the valid rows are written and the refused ones reported. A non-empty
    `idempotency_key` makes a repeated delivery (same project, source and key) answer the first one's result
    without writing anything. `api_key` (R5) is recorded on the delivery when the API calls.
    Returns an IngestResult (counts and per-row Chinese errors)."""
    if not perms.records_uploader.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the project's institution sends its learning records."))
    source = (source or "").strip()[:64]
    if not source:
        raise DomainError("source_required", _("Name the platform the records come from."))
    idempotency_key = (idempotency_key or "").strip()[:128]
    result = IngestResult(valid_only=valid_only)
    if idempotency_key:
        done = LearningRecordBatch.objects.filter(project=project, source=source,
                                                  idempotency_key=idempotency_key).first()
        if done is not None:
            return _replayed(done, valid_only)
    progress = progress or (lambda pct: None)
    try:
        with transaction.atomic():
            _stage(project, source, rows, result)
            progress(60)
            for rownum, code, value in _refused_rows():
                result.error(rownum, _column_of(code), value, _message(code, value, project))
            result.errors.sort(key=lambda e: (e["row"], e["column"]))
            result.refused = len({e["row"] for e in result.errors})
            if result.errors and not valid_only:
                _drop()
                return result
            batch = LearningRecordBatch.objects.create(
                project=project, source=source, idempotency_key=idempotency_key, received_by=actor,
                api_key_id=str(getattr(api_key, "pk", "") or ""), rows_total=result.rows_total)
            result.written, result.unchanged = _write(project, batch, source)
            progress(90)
            LearningRecordBatch.objects.filter(pk=batch.pk).update(
                rows_written=result.written, rows_unchanged=result.unchanged, rows_refused=result.refused)
            result.batch_id = batch.pk
            audit_record(obj=batch, actor=actor, action="create", reason=_("Learning records received"),
                         changes={"rows_written": (None, result.written), "rows_unchanged": (None, result.unchanged),
                                  "rows_refused": (None, result.refused), "api_key": (None, batch.api_key_id)})
            _drop()
    except IntegrityError:
        if idempotency_key:  # the same delivery, sent twice at once: the first one's result
            done = LearningRecordBatch.objects.filter(project=project, source=source,
                                                      idempotency_key=idempotency_key).first()
            if done is not None:
                return _replayed(done, valid_only)
        raise
    return result


def _replayed(batch, valid_only) -> IngestResult:
    return IngestResult(rows_total=batch.rows_total, written=batch.rows_written, unchanged=batch.rows_unchanged,
                        refused=batch.rows_refused, batch_id=batch.pk, replayed=True, valid_only=valid_only)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _stage(project, source, rows, result: IngestResult) -> None:
    """Every row classified into the temporary table lr_ok (converted figures, enrolment, earlier current record,
    refusal code); conversion errors already in `result`. A plain CSV on PostgreSQL never passes through Python
    row by row: COPY parses it and SQL converts it (rows SQL is unsure of go through `_convert`, the one
    definition of a valid row); anything else is converted here and loaded."""
    if _pg():
        with connection.cursor() as cursor:
            # Plans of a few statements over a million rows: compiling them (JIT) costs more than it saves, and
            # the hashes of a million keys fit in 64 MB. For this transaction only.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
    from .ingest_copy import _copy_raw, _mark_repeated, _raw_source, _recheck

    if _pg() and isinstance(rows, RecordFile) and rows.csv_body is not None and _copy_raw(rows):
        raw = _raw_source(rows)
        if raw is not None:
            result.rows_total = _classify(project, source, raw[0], create=True, raw=True, rows_params=raw[1])
            _recheck(project, source, rows, result)
            _mark_repeated()
            return
    if isinstance(rows, RecordFile):
        converted = _convert_table(rows, result)
    else:
        converted, seen = [], set()
        append = converted.append
        for index, rec in enumerate(rows, start=1):
            row = _convert(rec, index, result, seen)
            if row is not None:
                append(row)
    result.rows_total = len(converted) + len({e["row"] for e in result.errors})
    _load(converted)
    _classify(project, source, "SELECT * FROM lr_in", create=True)


def _create_lr_in() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS lr_in")
        cursor.execute(
            "CREATE TEMP TABLE lr_in (rownum integer, id_number varchar(18), period_start date, period_end date, "
            "minutes integer, assignments_submitted integer, assignments_passed integer, achievements integer, "
            "assessment_score numeric(5,2), activities integer)" + (" ON COMMIT DROP" if _pg() else ""))


def _load(rows: list) -> None:
    """The converted rows into a temporary table: COPY on PostgreSQL, executemany elsewhere."""
    _create_lr_in()
    with connection.cursor() as cursor:
        if _pg():
            with cursor.cursor.copy(f"COPY lr_in ({', '.join(TMP_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO lr_in VALUES ({', '.join(['%s'] * len(TMP_COLUMNS))})",
                               [r[:8] + (None if r[8] is None else str(r[8]), r[9]) for r in rows])


def _drop() -> None:
    if not _pg():
        with connection.cursor() as cursor:
            for table in ("lr_in", "lr_ok"):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _classify(project, source, rows_sql: str, *, create: bool, raw: bool = False, rows_params=()) -> int:
    """Classify every loaded row in one statement into lr_ok (enrolment, earlier current record, refusal code);
    answer the number of rows classified. `rows_sql`: lr_in's rows, or (`raw`) `_raw_source`'s SELECT with
    `clean` and the texts of the rows to recheck."""
    from ..models import Enrolment

    pg = _pg()
    days = "(c.period_end - c.period_start + 1)" if pg else \
        "(julianday(c.period_end) - julianday(c.period_start) + 1)"
    same = "IS NOT DISTINCT FROM" if pg else "IS"
    lr = LearningRecord._meta.db_table
    select = f"""
        SELECT c.rownum, c.id_number, c.period_start, c.period_end, c.minutes, c.assignments_submitted,
               c.assignments_passed, c.achievements, c.assessment_score, c.activities,
               e.enrolment_id, cur.id AS previous_id,
               CASE WHEN {"NOT c.clean OR e.enrolment_id IS NULL" if raw else "1 = 0"} THEN 'recheck'
                    WHEN e.enrolment_id IS NULL THEN 'not_enrolled'
                    WHEN c.period_start < %s OR c.period_end > %s THEN 'period_outside'
                    WHEN c.minutes > {days} * 1440 THEN 'too_many_minutes'
                    WHEN cur.id IS NOT NULL AND cur.minutes = c.minutes
                         AND cur.assignments_submitted = c.assignments_submitted
                         AND cur.assignments_passed = c.assignments_passed
                         AND cur.achievements = c.achievements AND cur.activities = c.activities
                         AND cur.assessment_score {same} c.assessment_score THEN 'unchanged'
                    ELSE '' END AS code
        FROM ({rows_sql}) c
        LEFT JOIN (SELECT t.id_number, en.id AS enrolment_id FROM {Enrolment._meta.db_table} en
                   JOIN backoffice_teacher t ON t.id = en.teacher_id
                   WHERE en.project_id = %s AND en.status IN ({", ".join(["%s"] * len(RECEIVING))})) e
               ON e.id_number = c.id_number
        LEFT JOIN (SELECT id, enrolment_id, period_start, period_end, minutes, assignments_submitted,
                          assignments_passed, achievements, assessment_score, activities FROM {lr}
                   WHERE project_id = %s AND source = %s AND is_current) cur
               ON cur.enrolment_id = e.enrolment_id AND cur.period_start = c.period_start
                  AND cur.period_end = c.period_end
    """
    params = [project.start_date, project.end_date, *rows_params, project.pk, *RECEIVING, project.pk, source]
    with connection.cursor() as cursor:
        if create:
            cursor.execute("DROP TABLE IF EXISTS lr_ok")
            if raw:
                cursor.execute("ANALYZE lr_raw")  # a sample, so the joins are planned for a million rows
            cursor.execute(f"CREATE TEMP TABLE lr_ok {'ON COMMIT DROP' if pg else ''} AS {select}", params)
        else:
            cursor.execute(f"INSERT INTO lr_ok {select}", params)
        return cursor.rowcount


def _refused_rows() -> list[tuple]:
    """The refused rows [(row, code, value)] SQL found, in row order."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rownum, code, CASE code WHEN 'not_enrolled' THEN id_number "
                       "WHEN 'too_many_minutes' THEN CAST(minutes AS varchar(12)) "
                       "ELSE CAST(period_start AS varchar(12)) END "
                       "FROM lr_ok WHERE code NOT IN ('', 'unchanged', 'recheck') ORDER BY rownum")
        return cursor.fetchall()


def _write(project, batch, source) -> tuple[int, int]:
    """Replace the current figures of the re-sent keys (kept, no longer current) and insert the accepted rows."""
    lr = LearningRecord._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {lr} SET is_current = false WHERE id IN "
                       f"(SELECT previous_id FROM lr_ok WHERE code = '' AND previous_id IS NOT NULL)")
        cursor.execute(f"""
            INSERT INTO {lr} (project_id, enrolment_id, period_start, period_end, source, minutes,
                              assignments_submitted, assignments_passed, achievements, assessment_score, activities,
                              is_current, batch_id, received_at)
            SELECT %s, enrolment_id, period_start, period_end, %s, minutes, assignments_submitted,
                   assignments_passed, achievements, assessment_score, activities, true, %s, %s
            FROM lr_ok WHERE code = ''
        """, [project.pk, source, batch.pk, now])
        written = cursor.rowcount
        cursor.execute("SELECT COUNT(*) FROM lr_ok WHERE code = 'unchanged'")
        unchanged = cursor.fetchone()[0]
    return written, unchanged


_COLUMN_OF = {"not_enrolled": "id_number", "period_outside": "period_start", "too_many_minutes": "minutes",
              "repeated": "period_start"}


def _column_of(code) -> str:
    return _header(_COLUMN_OF.get(code, "id_number"))


def _message(code, value, project) -> str:
    if code == "not_enrolled":
        return _("This teacher is not enrolled in the project.")
    if code == "period_outside":
        return _("The period lies outside the project's dates (%(start)s to %(end)s).") % {
            "start": project.start_date, "end": project.end_date}
    if code == "too_many_minutes":
        return _("%(minutes)s minutes is more than the period holds.") % {"minutes": value}
    if code == "repeated":
        return _("The same teacher and period appear in an earlier row of this delivery.")
    return code


# Files and the column pass live in record_files (imported here last: it reads this module's converters).
from .record_files import (  # noqa: F401 (the upload, the job, the demo and the bench import them from here)
    RecordFile,
    _convert_table,
    read_records_file,
    template_csv,
    template_workbook,
)
