"""Writing workbooks: openpyxl write-only, typed cells, number formats, a header style, column widths and safe text.

Safe text: a user's text that starts with = + - @ tab or CR is what Excel, LibreOffice and WPS take for a formula
(formula injection, e.g. =HYPERLINK(...) planted in a survey comment). Every text is written as a string cell, and
those carry the quotePrefix style as well, so the text stays text even when someone edits the cell. Formulas our own
code builds are written only when wrapped in `Formula`.
"""
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"money": "#,##0.00", "price": "0.00", "number": "0.00", "int": "0", "date": "yyyy-mm-dd",
           "datetime": "yyyy-mm-dd hh:mm", "text": "@"}
NUMBER_KINDS = ("money", "price", "number", "int")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F1F5F9")
_TITLE_FORBIDDEN = re.compile(r"[:/\\?*\[\]]")


class Formula(str):
    """A formula the product itself builds (a SUM, a reference). Never wrap user text in it."""


@dataclass(frozen=True)
class Typed:
    value: object
    kind: str | None
    bold: bool = False


def typed(value, kind: str | None = None, *, bold: bool = False) -> Typed:
    """A value with its own format for one cell (a label/value sheet, a formula's money format, a total in bold)."""
    return Typed(value, kind, bold)


@dataclass(frozen=True)
class Col:
    """A column: header, width and the kind of its values (money, price, number, int, date, datetime, text)."""
    header: object
    width: float | None = None
    kind: str | None = None


def safe_title(title, used: set | None = None) -> str:
    """A sheet title Excel accepts: no : / \\ ? * [ ], not starting or ending with ', at most 31 characters,
    unique (case-insensitively) among `used`, which it updates."""
    text = _TITLE_FORBIDDEN.sub("_", str(title)).strip().strip("'") or "Sheet"
    text = text[:31]
    if used is not None:
        base, n = text, 2
        while text.lower() in used:
            suffix = f"({n})"
            text, n = base[:31 - len(suffix)] + suffix, n + 1
        used.add(text.lower())
    return text


def _text_cell(ws, text: str):
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if not text.startswith(FORMULA_STARTS):
        return text
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # openpyxl makes "=..." a formula; this keeps it a string
    cell.quotePrefix = True
    return cell


def _plain(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if value.as_tuple().exponent < -2 else value
    return value


def _default_kind(value):
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    return None


def make_cell(ws, value, kind: str | None = None):
    """The value as written: safe text for any text, numbers as numbers with the kind's format."""
    if isinstance(value, Typed):
        cell = make_cell(ws, value.value, value.kind or kind)
        if value.bold and cell is not None:
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(ws, value=cell)
            cell.font = HEADER_FONT
        return cell
    if value is None or isinstance(value, (bool, Cell)):
        return value
    if isinstance(value, Formula):
        cell = WriteOnlyCell(ws, value=str(value))
        if kind in NUMBER_KINDS:
            cell.number_format = FORMATS[kind]
        return cell
    if not isinstance(value, (int, float, Decimal, dt.date, dt.time)):
        return _text_cell(ws, str(value))  # str, lazy translations, anything else: safe text
    dated = _default_kind(value)
    if dated:
        kind = kind if kind in ("date", "datetime") else dated
    elif kind not in NUMBER_KINDS:
        return _plain(value)
    cell = WriteOnlyCell(ws, value=_plain(value))
    cell.number_format = FORMATS[kind]
    return cell


class SheetWriter:
    def __init__(self, ws, columns):
        self.ws, self.columns, self.rows = ws, columns, 0

    @property
    def title(self) -> str:
        return self.ws.title

    def append(self, values) -> None:
        kinds = [c.kind for c in self.columns] if self.columns else []
        self.ws.append([make_cell(self.ws, v, kinds[i] if i < len(kinds) else None) for i, v in enumerate(values)])
        self.rows += 1

    def append_formatted(self, formats: dict, width: int) -> None:
        """A row of empty cells, those at the given 0-based positions with a number format ("@": typed as text)."""
        row = [None] * width
        for index, number_format in formats.items():
            row[index] = WriteOnlyCell(self.ws)
            row[index].number_format = number_format
        self.ws.append(row)
        self.rows += 1

    def header(self, labels) -> None:
        cells = []
        for label in labels:
            if label in (None, ""):
                cells.append(None)
                continue
            cell = WriteOnlyCell(self.ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(label)))
            cell.data_type = "s"
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cells.append(cell)
        self.ws.append(cells)
        self.rows += 1

    def ref(self, cell: str) -> str:
        """A reference to a cell of this sheet for a formula on another sheet: 'Title'!C3."""
        return f"{quote_sheetname(self.title)}!{cell}"


class Book:
    """A write-only workbook. `sheet()` adds a sheet (title made safe and unique), with an optional header row."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)
        self._titles: set = set()

    def sheet(self, title, columns: list | None = None, *, header: bool = True, widths: dict | None = None,
              freeze: bool = True) -> SheetWriter:
        ws = self.workbook.create_sheet(title=safe_title(title, self._titles))
        columns = [c if isinstance(c, Col) else Col(c) for c in columns or []]
        for index, column in enumerate(columns, start=1):
            if column.width:
                ws.column_dimensions[get_column_letter(index)].width = column.width
        for letter, width in (widths or {}).items():
            ws.column_dimensions[letter].width = width
        sheet = SheetWriter(ws, columns)
        if columns and header:
            if freeze:
                ws.freeze_panes = "A2"
            sheet.header([c.header for c in columns])
        return sheet

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()

    def save(self, target) -> None:
        """Write the workbook to a path or a binary file; rows already went to temporary files as they were
        appended, so memory does not grow with the rows."""
        self.workbook.save(target)


def table_xlsx(title, columns: list, rows) -> bytes:
    """A one-sheet workbook: a header row from `columns` (Col or plain headers), then `rows` (any iterable)."""
    book = Book()
    sheet = book.sheet(title, columns)
    for row in rows:
        sheet.append(row)
    return book.to_bytes()


def stream_table(target, title, columns: list, rows, *, progress=None, every: int = 10_000) -> int:
    """A one-sheet workbook written to `target` (a path or a binary file) row by row: the streaming form of
    `table_xlsx` for exports of any size, with the same typed cells and safe text. `progress(rows_written)` is
    called every `every` rows. Returns the number of data rows."""
    book = Book()
    sheet = book.sheet(title, columns)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
        if progress and count % every == 0:
            progress(count)
    book.save(target)
    return count
