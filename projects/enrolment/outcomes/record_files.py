"""Learning-record files (R47): CSV or xlsx with Chinese or English headers, read for the ingest, converted column
by column where SQL does not convert them; and the project's template. Import through `ingest`."""
import csv
import io

from django.utils import translation
from django.utils.translation import gettext as _

from backoffice.identity import normalise_id_number
from backoffice.spreadsheets import Book, Col, cell_text, normalise_text, read_sheet

from .ingest import (
    _ID_SHAPE,
    FIELDS,
    MAX_COUNT,
    RECEIVING,
    TMP_COLUMNS,
    IngestResult,
    _convert,
    _date,
    _header,
    _int,
    _once,
    _score,
)

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
