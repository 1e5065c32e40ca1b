"""Reading an uploaded .xlsx without trusting it.

Before any parser sees the file: its size, its zip directory (the declared unpacked size of every part) and the
sheet's declared `<dimension ref=...>`, read from the first bytes of the sheet's XML. The declared dimension may
lie, and python-calamine allocates the whole rectangle of the cells present (A1 plus ZZ1000000 is 702 million
cells, 22 GB), so the sheet XML is then streamed once to bound the cells really holding something: a quick pass of
byte searches for the form every writer uses, or a full lxml scan (constant memory) for anything else. Within the
limits calamine reads it; a rectangle too large for memory is streamed by openpyxl's read-only mode instead.
Trailing empty rows and columns are dropped.
"""
import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from .limits import (
    SpreadsheetRefused,
    check_upload_size,
    damaged,
    limit,
    not_a_workbook,
    too_big_unpacked,
    too_many_columns,
    too_many_rows,
)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Above this many cells in the used rectangle calamine's dense grid (~32 bytes a cell) would pass ~130 MB.
CALAMINE_MAX_CELLS = 4_000_000
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z0-9:$]+)\"")
_REF = re.compile(r"([A-Z]{1,3})([0-9]+)$")
# The quick check reads the sheet XML as bytes with C-speed searches that match nothing in an ordinary file: a
# cell (not self-closing, so holding something) whose reference has two or more letters or a row of six or more
# digits. It relies on the form every writer uses (Excel, WPS, LibreOffice, openpyxl): `<c r="A1"`, the reference
# first and plain; a file written any other way gets the full scan.
# Far cells: the row of any cell with a six-digit row, the column of any cell with a two- or three-letter column;
# found with findall and max() at C speed (a 200,000-row sheet has a million six-digit cells).
_FAR_ROW = re.compile(rb'<c r="[A-Za-z]{1,3}([0-9]{6,})"[^>]*(?<!/)>')
_FAR_COLUMN = re.compile(rb'<c r="([A-Za-z]{2,3})[0-9]+"[^>]*(?<!/)>')
# A reference in lower case is as unusual as the rest (no writer makes one): the quick pass looks for the widest
# one-letter column in upper case only.
_UNUSUAL = re.compile(rb'<c[\t\r\n>/]|:c[\s>/]|<c r="[^"]*[^A-Z0-9"]')
QUICK_ROWS = 99_999  # what a sheet without a far reference can hold


@dataclass
class Sheet:
    """The used part of one sheet: `rows` as lists (None for an empty cell), merged ranges as
    ((row, col), (row, col)), 0-based like python-calamine's."""
    name: str
    rows: list
    merged: list = field(default_factory=list)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    from django.utils.translation import gettext as _

    if data[:8] == OLE2:
        raise SpreadsheetRefused("xls_refused", _(
            "This is an old .xls workbook; open it in Excel or WPS and save it as .xlsx."))
    if data[:4] != b"PK\x03\x04":
        raise not_a_workbook()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise not_a_workbook() from exc
    # A zip bomb: the directory's declared sizes, summed before anything is inflated.
    if sum(i.file_size for i in infos) > limit("SPREADSHEET_MAX_UNCOMPRESSED_BYTES"):
        raise too_big_unpacked()
    if "xl/workbook.xml" not in zf.namelist():
        raise not_a_workbook()
    return zf


def _small_xml(zf, name):
    """A workbook part that is small in any real file (the sheet list, relationships)."""
    try:
        info = zf.getinfo(name)
        if info.file_size > 5 * 1024 * 1024:
            raise damaged()
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        return etree.fromstring(zf.read(info), parser)
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise damaged() from exc


def _sheet_parts(zf) -> list[tuple[str, str]]:
    """(sheet name, path of its XML in the zip), in workbook order."""
    book = _small_xml(zf, "xl/workbook.xml")
    rels = _small_xml(zf, "xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in zf.namelist() else None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter("{*}Relationship")} if rels is not None else {}
    parts = []
    for sheet in book.iter("{*}sheet"):
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid, "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        parts.append((sheet.get("name", ""), path))
    return parts


def _declared_dimension(zf, path) -> tuple[int, int] | None:
    """(rows, columns) from the sheet's <dimension ref>, read from the first 64 KB of its XML, never the sheet."""
    with zf.open(path) as stream:
        head = stream.read(65536)
    found = _DIMENSION.search(head)
    if not found:
        return None
    try:
        _c1, _r1, c2, r2 = range_boundaries(found.group(1).decode().replace("$", ""))
    except (ValueError, TypeError):
        return None
    return r2 or 0, c2 or 0


def _check_extent(rows: int, cols: int, *, max_rows: int) -> None:
    if rows > max_rows:
        raise too_many_rows()
    if cols > limit("SPREADSHEET_MAX_COLUMNS"):
        raise too_many_columns()


def _last_filled_column(row) -> int:
    """Column number of the row's last cell holding anything (a value, a string or a formula); 0 if none. Cells
    without a child are only formatting: calamine skips them, so they do not count."""
    children = list(row)
    for pos in range(len(children) - 1, -1, -1):
        cell = children[pos]
        if len(cell):
            ref = cell.get("r")
            if ref:
                match = _REF.match(ref)
                if not match:
                    raise damaged()
                return column_index_from_string(match.group(1))
            col = 0  # no reference: the position is counted from the row's start
            for c in children[:pos + 1]:
                match = _REF.match(c.get("r") or "")
                col = column_index_from_string(match.group(1)) if match else col + 1
            return col
    return 0


def _quick_bounds(zf, path, *, max_rows: int) -> tuple[int, int] | None:
    """Upper bounds (rows, columns) of the filled cells, or None when only the full scan can tell."""
    rows = cols = narrow = 0
    carry = b""
    with zf.open(path) as stream:
        while True:
            chunk = stream.read(1 << 20)
            buf = carry + chunk
            cut = buf.rfind(b"<") if chunk else len(buf)
            buf, carry = buf[:cut], buf[cut:]  # every tag lies wholly in one buffer
            if buf.count(b"<c ") != buf.count(b'<c r="') or _UNUSUAL.search(buf):
                return None
            far_rows = _FAR_ROW.findall(buf)
            if far_rows:
                rows = max(rows, max(map(int, far_rows)))
            for letters in set(_FAR_COLUMN.findall(buf)):
                cols = max(cols, column_index_from_string(letters.decode().upper()))
            narrow = max(narrow, _widest_letter(buf, narrow))
            _check_extent(rows, cols, max_rows=max_rows)
            if not chunk:
                return max(rows, QUICK_ROWS), max(cols, narrow)


def _widest_letter(buf: bytes, known: int) -> int:
    """The widest one-letter column (1-26) of a cell in `buf` beyond `known`, by byte searches from Z down: a
    10-column sheet's bound is 10, not 26, so 200,000 rows stay within calamine's cells."""
    for number in range(26, known, -1):
        needle = b'<c r="' + bytes([64 + number])
        at = buf.find(needle)
        while at != -1:
            if buf[at + 7:at + 8].isdigit():  # "K12", not the start of "KA12" (a far column, counted apart)
                return number
            at = buf.find(needle, at + 7)
    return known


def _scan(zf, path, *, max_rows: int) -> tuple[int, int, list]:
    """(last filled row, last filled column, merged ranges), streaming the sheet XML in constant memory."""
    rows = cols = index = 0
    merged = []
    try:
        with zf.open(path) as stream:
            for _event, el in etree.iterparse(stream, events=("end",), tag=("{*}row", "{*}mergeCell"),
                                              resolve_entities=False, no_network=True, huge_tree=False):
                if el.tag.endswith("mergeCell"):
                    if len(merged) < 100 and el.get("ref"):
                        merged.append(el.get("ref"))
                else:
                    r = el.get("r")
                    index = int(r) if r and r.isdigit() else index + 1
                    last = _last_filled_column(el)
                    if last:
                        rows, cols = index, max(cols, last)
                        _check_extent(rows, cols, max_rows=max_rows)
                el.clear()
                previous = el.getprevious()  # the tree keeps one row at a time
                if previous is not None:
                    el.getparent().remove(previous)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise damaged() from exc
    return rows, cols, merged


def _merged(refs) -> list:
    out = []
    for ref in refs:
        try:
            c1, r1, c2, r2 = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        out.append(((r1 - 1, c1 - 1), (r2 - 1, c2 - 1)))
    return out


def _rows_calamine(data, name, rows, cols) -> list:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name)
    # iter_rows keeps the empty rows above the data but drops the empty columns left of it.
    pad = [None] * sheet.start[1] if sheet.start else []
    out = []
    for values in sheet.iter_rows():
        if len(out) == rows:
            break
        out.append((pad + [None if v == "" else v for v in values])[:cols])
    return out, list(sheet.merged_cell_ranges or [])


def _like_calamine(value):
    """openpyxl's values as calamine gives them, so importers see one set of types whichever reader ran."""
    if value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _rows_openpyxl(data, name, rows, cols) -> list:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb[name]
    ws.reset_dimensions()  # the declared dimension is not trusted: bounds come from the scan
    out = [[_like_calamine(v) for v in values]
           for values in ws.iter_rows(min_row=1, max_row=rows, min_col=1, max_col=cols, values_only=True)]
    wb.close()
    return out


def read_sheet(data: bytes, *, names: tuple = (), header_rows: int = 1) -> Sheet:
    """The first sheet whose name is in `names`, else the first sheet, with the checks above. Raises
    SpreadsheetRefused (a DomainError) with a Chinese message; a damaged file is never a server error."""
    check_upload_size(len(data))
    zf = _open_zip(data)
    parts = _sheet_parts(zf)
    if not parts:
        raise damaged()
    index = next((i for i, (n, _p) in enumerate(parts) if n in names), 0)
    name, path = parts[index]
    if path not in zf.namelist():
        raise damaged()
    max_rows = limit("SPREADSHEET_MAX_ROWS") + header_rows
    declared = _declared_dimension(zf, path)
    if declared:
        _check_extent(*declared, max_rows=max_rows)
    try:
        bounds = _quick_bounds(zf, path, max_rows=max_rows)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise damaged() from exc
    if bounds is None or bounds[0] * bounds[1] > CALAMINE_MAX_CELLS:
        bounds = _scan(zf, path, max_rows=max_rows)  # exact, and refuses as soon as a limit is passed
    rows, cols = bounds[0], bounds[1]
    try:
        if rows * cols <= CALAMINE_MAX_CELLS:
            values, merged = _rows_calamine(data, name, rows, cols)
        else:
            values, merged = _rows_openpyxl(data, name, rows, cols), _merged(bounds[2])
    except SpreadsheetRefused:
        raise
    except Exception as exc:  # calamine and openpyxl raise their own types for damaged files
        raise damaged() from exc
    while values and not any(v is not None for v in values[-1]):
        values.pop()  # trailing rows holding only empty strings
    return Sheet(name=name, rows=values, merged=merged)
