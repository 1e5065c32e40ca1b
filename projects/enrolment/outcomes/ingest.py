"""Learning records from the institutions' platforms (R47): the one ingest service, the file reader and the template.

`ingest_learning_records` is used by the upload page (through a job) and by the API (R5). Each row is converted
on its own in Python (types, ranges, a key repeated in the delivery); everything that needs the database - enrolled
in the project, the period inside the project's dates, minutes within the period, unchanged figures - is
checked set-based in SQL after one bulk load (COPY on PostgreSQL) into a temporary table, then the current figures
are replaced and the new rows inserted in two statements. Nobody edits a record by hand: the product has no
other write path to them."""
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError, ScopeError
from backoffice.identity import normalise_id_number
from backoffice.spreadsheets import (
    Book,
    Col,
    NumberInTextColumn,
    cell_text,
    normalise_text,
    read_sheet,
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


_BAD = object()  # a cell the column pass leaves to `_convert`


def _cell_converter(key):
    """The value `_convert` gives one cell of column `key` when it accepts it, else _BAD."""
    if key == "id_number":
        def convert(value):
            if value.__class__ is not str:
                return _BAD  # a number is refused (R30), and an empty cell
            number = normalise_id_number(value)
            return number if _ID_SHAPE.fullmatch(number) else _BAD
    elif key in ("period_start", "period_end"):
        def convert(value):
            day = _date(value)
            return _BAD if day is None else day
    elif key == "assessment_score":
        def convert(value):
            try:
                return _score(value)
            except ValueError:
                return _BAD
    else:
        def convert(value, required=key == "minutes", top=MAX_COUNT * 60 if key == "minutes" else MAX_COUNT):
            if value is None or value == "":
                return _BAD if required else 0
            number = _int(value)
            return _BAD if number is None or number > top else number
    return convert


def _convert_table(file: "RecordFile", result: IngestResult) -> list:
    """A file's rows converted column by column: each column's distinct cells once (a million rows hold a few
    hundred distinct dates and figures), so a row whose cells all passed costs a tuple. Any other row goes to
    `_convert` whole, in file order, and reports its errors as every row always has; a key repeated in the
    delivery is refused on its later rows."""
    table = file.table()
    width = max(file.columns.values()) + 1
    table = [row if len(row) >= width else list(row) + [None] * (width - len(row)) for row in table]
    default = {"assessment_score": None}
    columns, refused = [], set()
    for key in TMP_COLUMNS[1:]:
        if key not in file.columns:
            columns.append([default.get(key, 0)] * len(table))
            continue
        at, convert = file.columns[key], _cell_converter(key)
        cells = [row[at] for row in table]
        try:
            distinct = set(cells)
        except TypeError:
            distinct = None
        if distinct is None or any(value.__class__ is bool for value in distinct):
            values = [_BAD] * len(cells)  # True == 1 == 1.0 share a set entry: these rows go to `_convert`
        else:
            memo = {value: convert(value) for value in distinct}
            values = list(map(memo.__getitem__, cells))
            if not any(value is _BAD for value in memo.values()):
                columns.append(values)
                continue
        refused.update(offset for offset, value in enumerate(values) if value is _BAD)
        columns.append(values)
    items = list(file.columns.items())
    converted, seen = [], set()
    append = converted.append
    for offset, values in enumerate(zip(*columns)):
        index = offset + 2
        if offset not in refused and values[1] <= values[2]:
            row = _once((index, *values), result, seen)
        else:
            rec = {key: table[offset][at] for key, at in items}
            if not any(value not in (None, "") for value in rec.values()):
                continue  # an empty row is skipped, wherever it is
            rec["row"] = index
            row = _convert(rec, index, result, seen)
        if row is not None:
            append(row)
    return converted


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


# -- PostgreSQL: the CSV parsed by COPY, converted by SQL -------------------------------------------------------
def _copy_raw(file: "RecordFile") -> bool:
    """The CSV's body into lr_raw, one text column per header column, numbered in file order. False (nothing
    left behind) when COPY reads it otherwise than Python would - a blank line, a row with more or fewer
    columns than the header - so the caller converts it in Python."""
    import psycopg

    columns = ", ".join(f"c{i}" for i in range(file.width))
    data = file.csv_body.encode("utf-8")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS lr_raw")
            cursor.execute(f"CREATE TEMP TABLE lr_raw (rownum integer GENERATED ALWAYS AS IDENTITY, "
                           f"{', '.join(f'c{i} text' for i in range(file.width))}) ON COMMIT DROP")
            with cursor.cursor.copy(f"COPY lr_raw ({columns}) FROM STDIN (FORMAT csv)") as copy:
                view = memoryview(data)
                for at in range(0, len(data), 1 << 20):
                    copy.write(view[at:at + (1 << 20)])
    except (DatabaseError, psycopg.Error):  # COPY's own errors come through psycopg's cursor unwrapped
        return False
    return True


# The converters' kinds of the cells SQL converts itself.
_KINDS = {"period_start": "date", "period_end": "date", "minutes": "int", "assignments_submitted": "int",
          "assignments_passed": "int", "achievements": "int", "assessment_score": "score", "activities": "int"}
_SCORE_TEXT = re.compile(r"[0-9]{1,3}(\.[0-9]+)?")
MAX_ODD = 200  # more distinct odd cells than this: the file is converted row by row in Python instead


def _canonical(key: str, text: str) -> bool:
    """Whether PostgreSQL's cast of `text` gives exactly what the Python converters give (and they accept it)."""
    kind = _KINDS[key]
    if kind == "date":
        value = _date(text) if len(text) == 10 and text.isascii() else None
        return value is not None and value.isoformat() == text
    if kind == "int":
        value = _int(text) if text.isascii() and text.isdigit() else None
        return value is not None and (key == "minutes" or value <= MAX_COUNT)
    if not _SCORE_TEXT.fullmatch(text):
        return False
    try:
        return _score(text) is not None  # numeric(5,2) rounds half up as _score does
    except ValueError:
        return False


def _raw_source(file: "RecordFile") -> tuple[str, list] | None:
    """A SELECT over lr_raw giving lr_in's columns plus `clean`, and its parameters; None when the file has too
    many odd cells for it. Each column's distinct cells (a few hundred in a million rows) are checked here by
    the Python converters; a column whose every distinct cell is canonical is converted by SQL's cast, which then
    gives the same value; rows holding an odd cell (spaces, 2026/03/01, 十, 101, ...) or no cell where one is
    required are not clean: `_recheck` converts them in Python."""
    present = [key for key in _KINDS if key in file.columns]
    cell = {key: f"r.c{file.columns[key]}" for key in file.columns}
    odd = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(f'GROUPING({cell[k]}), {cell[k]}' for k in present)} FROM lr_raw r "
                       f"GROUP BY GROUPING SETS ({', '.join(f'({cell[k]})' for k in present)})")
        for found in cursor.fetchall():
            for at, key in enumerate(present):
                text = found[2 * at + 1]
                if found[2 * at] == 0 and text is not None and not _canonical(key, text):
                    odd.setdefault(key, []).append(text)
    if sum(map(len, odd.values())) > MAX_ODD:
        return None
    required = ("period_start", "period_end", "minutes")
    doubts = [f"{cell[k]} IS NULL" for k in required] + [f"coalesce({cell[k]} = ANY(%s), false)" for k in odd]
    params = list(odd.values())

    def cast(key, sql_type, empty):
        if key not in cell:
            return f"CAST({empty} AS {sql_type}) AS {key}"
        value = f"{cell[key]}::{sql_type}" if empty == "NULL" else f"coalesce({cell[key]}::{sql_type}, {empty})"
        return f"CASE WHEN r.ok THEN {value} END AS {key}"

    typed = ", ".join([cast("period_start", "date", "NULL"), cast("period_end", "date", "NULL"),
                       cast("minutes", "integer", "NULL")]
                      + [cast(key, "integer", "0") for key in INT_FIELDS[1:]]
                      + [cast("assessment_score", "numeric(5,2)", "NULL")])
    cells = ", ".join(f"r.c{i}" for i in range(file.width))
    # lr_raw's rownum counts data rows from 1; the file's row number counts the header too.
    checked = (f"SELECT r.rownum, {cells}, NOT ({' OR '.join(doubts)}) AS ok FROM lr_raw r "
               f"WHERE num_nonnulls({cells}) > 0 OFFSET 0")
    select = (f"SELECT y.rownum + 1 AS rownum, y.id_number, y.period_start, y.period_end, y.minutes, "
              f"y.assignments_submitted, y.assignments_passed, y.achievements, y.assessment_score, y.activities, "
              f"coalesce(y.ok AND y.period_start <= y.period_end, false) AS clean "
              f"FROM (SELECT r.rownum, r.ok, upper({cell['id_number']}) AS id_number, {typed} FROM ({checked}) r) y")
    return select, params


def _recheck(project, source, file: "RecordFile", result: IngestResult) -> None:
    """The rows SQL left to Python: converted by `_convert` (its errors reported), the valid ones classified
    into lr_ok like the others. A key repeated in the delivery is found afterwards for all rows at once."""
    keys = list(file.columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.rownum + 1, {', '.join(f'r.c{file.columns[k]}' for k in keys)} FROM lr_raw r "
                       f"WHERE r.rownum + 1 IN (SELECT rownum FROM lr_ok WHERE code = 'recheck') ORDER BY 1")
        found = cursor.fetchall()
    if not found:
        return
    converted = []
    for rownum, *values in found:
        rec = {key: "" if value is None else value for key, value in zip(keys, values)}
        row = _convert(dict(rec, row=rownum), rownum, result, set())
        if row is not None:
            converted.append(row)
    _load(converted)
    _classify(project, source, "SELECT * FROM lr_in", create=False)


def _mark_repeated() -> None:
    """R47: a key once per delivery. Its later rows are refused ('repeated'); one hashed pass finds whether there
    are any, and only then are they numbered."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM lr_ok WHERE code <> 'recheck' "
                       "GROUP BY id_number, period_start, period_end HAVING count(*) > 1)")
        if not cursor.fetchone()[0]:
            return
        cursor.execute("""
            UPDATE lr_ok SET code = 'repeated' FROM (
                SELECT rownum FROM (
                    SELECT rownum, row_number() OVER (PARTITION BY id_number, period_start, period_end
                                                      ORDER BY rownum) AS n
                    FROM lr_ok WHERE code <> 'recheck') w
                WHERE n > 1) d
            WHERE lr_ok.rownum = d.rownum AND lr_ok.code <> 'recheck'""")


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


# -- files: CSV or xlsx, Chinese or English headers -------------------------------------------------------------
def _header_keys() -> dict:
    found = {}
    for key, label, _r, _k in FIELDS:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                found[normalise_text(_(label))] = key
        found[key] = key
    return found


def _mapped(header, result: IngestResult) -> dict | None:
    keys = _header_keys()
    columns = {}
    for index, cell in enumerate(header):
        key = keys.get(cell_text(cell).replace("*", "").strip())
        if key and key not in columns:
            columns[key] = index
    missing = [key for key, _l, required, _k in FIELDS if required and key not in columns]
    for key in missing:
        result.error(1, _header(key), "", _("The column “%(col)s” is missing; use the template.") % {
            "col": _header(key)})
    return None if missing else columns


class RecordFile:
    """An uploaded file's rows: iterating gives the dicts `ingest_learning_records` takes from any caller. A CSV
    that PostgreSQL's COPY splits exactly as Python's csv module does (no quote character, no NUL, no "\\."
    line) also keeps its body, so on PostgreSQL no row passes through Python (issue 13)."""

    def __init__(self, rows, *, table=None, csv_body: str | None = None, width: int = 0, columns: dict | None = None):
        self._rows, self._table = rows, table
        self.csv_body, self.width, self.columns = csv_body, width, columns or {}

    def __iter__(self):
        return iter(self._rows)

    def table(self) -> list:
        """The data rows as lists of cells (below the header), read once."""
        if callable(self._table):
            self._table = self._table()
        return self._table


def read_records_file(data: bytes, name: str, result: IngestResult) -> RecordFile | None:
    """The rows of an uploaded CSV (UTF-8 or GBK) or .xlsx file as dicts for `ingest_learning_records`, each with
    its sheet row number; None after reporting why the file cannot be read (a missing column)."""
    body = None
    if name.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        rows = reader
        def table():  # read when asked for: on PostgreSQL, COPY usually reads the body instead
            return list(csv.reader(io.StringIO(text)))[1:]
        newline = text.find("\n")
        if newline > 0 and not any(mark in text for mark in ('"', "\x00", "\\.")):
            body = text[newline + 1:]
    else:
        sheet = read_sheet(data)  # limits checked before parsing (SpreadsheetRefused)
        header = sheet.rows[0] if sheet.rows else []
        table = sheet.rows[1:]
        rows = iter(table)
    columns = _mapped(header, result)
    if columns is None:
        return None
    items = list(columns.items())
    width = max(columns.values()) + 1

    def generate():
        for number, row in enumerate(rows, start=2):
            if len(row) < width:
                row = list(row) + [None] * (width - len(row))
            rec = {key: row[i] for key, i in items}
            if not any(v not in (None, "") for v in rec.values()):
                continue  # an empty row is skipped, wherever it is
            rec["row"] = number
            yield rec

    return RecordFile(generate(), table=table, csv_body=body, width=len(header), columns=columns)


def template_workbook(project) -> bytes:
    """The project's template: Chinese headers, one row per trainee who can receive records (ID number as text)."""
    from ..models import Enrolment

    book = Book()
    kinds = {"text": None, "date": "date", "int": "int", "score": "number"}
    sheet = book.sheet(_("Learning records"), [
        Col(_(label) + ("*" if required else ""), 22 if key == "id_number" else 16, kinds[kind])
        for key, label, required, kind in FIELDS])
    for number, name in (Enrolment.objects.filter(project=project, status__in=RECEIVING)
                         .order_by("teacher__region__code", "teacher__name").values_list("teacher__id_number",
                                                                                         "teacher__name")):
        sheet.append([number, name, project.start_date, project.end_date, None, None, None, None, None, None])
    notes = book.sheet(_("Instructions"), [Col(_("Instructions"), 100)])
    for line in (_("One row per trainee and period; the ID number is text (18 characters)."),
                 _("Learning minutes may not exceed the minutes of the period; the period lies within the project's "
                   "dates (%(start)s to %(end)s).") % {"start": project.start_date, "end": project.end_date},
                 _("Sending the same trainee and period again replaces the current figure; the earlier one is kept."),
                 _("The assessment score is from 0 to 100; counts are whole numbers from 0 up.")):
        notes.append([line])
    return book.to_bytes()


def template_csv(project) -> bytes:
    from ..models import Enrolment

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_(label) for _k, label, _r, _kd in FIELDS])
    for number, name in (Enrolment.objects.filter(project=project, status__in=RECEIVING)
                         .order_by("teacher__region__code", "teacher__name").values_list("teacher__id_number",
                                                                                         "teacher__name")):
        # Names are user text: one that a spreadsheet would take for a formula gets a quote.
        writer.writerow([number, _csv_safe(name), project.start_date, project.end_date, "", "", "", "", "", ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(text) -> str:
    text = str(text or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
