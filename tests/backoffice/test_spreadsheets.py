"""The one spreadsheet module (issue 10): hostile workbooks are refused before they are parsed (issue 11 #1), an ID
number typed as a number is never converted (R30, #2), and no exported text becomes a formula (#5)."""
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from backoffice import spreadsheets
from backoffice.spreadsheets import (
    Book,
    Col,
    Formula,
    NumberInTextColumn,
    SpreadsheetRefused,
    cell_text,
    read_sheet,
    safe_title,
    typed,
)

from . import hostile


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def refused(data, **kwargs) -> SpreadsheetRefused:
    with pytest.raises(SpreadsheetRefused) as exc:
        read_sheet(data, **kwargs)
    return exc.value


def ordinary(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- reading: hostile files ------------------------------------------------------------------------------------
def test_sparse_workbook_is_refused_by_its_declared_dimension():
    data = hostile.sparse()  # A1 and ZZ1000000: 702 million cells to a dense reader
    assert len(data) < 2000
    error = refused(data)
    assert error.code == "too_many_rows"
    assert "文件超过 200,000 行的上限" in error.message


def test_sparse_workbook_whose_dimension_lies_is_refused_by_its_cells():
    assert refused(hostile.sparse(declared=False)).code == "too_many_rows"


def test_a_cell_beyond_the_column_limit_is_refused():
    error = refused(hostile.sparse(far="ZZ10", declared=False))
    assert error.code == "too_many_columns" and "60" in error.message


def test_zip_bomb_is_refused_from_the_zip_directory_before_inflating():
    data = hostile.zip_bomb(megabytes=300)
    assert len(data) < 1_000_000
    error = refused(data)
    assert error.code == "uncompressed_too_large" and "200" in error.message


def test_a_million_formatted_empty_rows_are_ignored():
    data = hostile.empty_rows(["姓名", "身份证号"], [["张三", "110105194912310029"]], count=1_000_000)
    sheet = read_sheet(data)
    assert sheet.rows == [["姓名", "身份证号"], ["张三", "110105194912310029"]]


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read():
    error = refused(b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024))
    assert error.code == "file_too_large"
    assert "50 MB" in error.message and "20 MB" in error.message


def test_limits_are_settings(settings):
    settings.SPREADSHEET_MAX_ROWS = 2
    error = refused(ordinary([["a"], ["b"], ["c"], ["d"]]))
    assert error.code == "too_many_rows" and "2 行" in error.message
    assert len(read_sheet(ordinary([["a"], ["b"], ["c"]])).rows) == 3  # two rows under the header


@pytest.mark.parametrize("data, code", [
    (b"name,id\n", "not_excel"),
    (b"PK\x03\x04garbage", "not_excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "xls_refused"),
])
def test_files_that_are_not_workbooks_are_refused_in_chinese(data, code):
    error = refused(data)
    assert error.code == code and error.message


def test_a_damaged_sheet_is_a_clear_error_not_a_crash():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(hostile.xlsx(hostile.row(1, [hostile.inline("A1", "x")])))) as src, \
            zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info, body[:-40] if info.filename.endswith("sheet1.xml") else body)
    error = refused(out.getvalue())
    assert error.code == "unreadable" and "损坏" in error.message


def test_cells_without_references_are_read_by_the_full_scan():
    body = '<row><c t="inlineStr"><is><t>姓名</t></is></c><c><v>7</v></c></row><row/><row><c><v>1</v></c></row>'
    assert read_sheet(hostile.xlsx(body)).rows == [["姓名", 7.0], [None, None], [1.0, None]]
    far = "<row><c><v>1</v></c></row>" + "<row/>" * 250_000 + "<row><c><v>2</v></c></row>"
    assert refused(hostile.xlsx(far)).code == "too_many_rows"


@pytest.mark.parametrize("cell", ['<c\tr="A1000000"><v>1</v></c>', '<x:c xmlns:x="urn:x" r="A1000000"><v>1</v></x:c>',
                                  '<c r="&#65;1000000"><v>1</v></c>', '<c s="0" r="A1000000"><v>1</v></c>'])
def test_a_far_cell_written_in_an_unusual_form_is_still_found(cell):
    body = hostile.row(1, [hostile.inline("A1", "x")]) + f'<row r="1000000">{cell}</row>'
    assert refused(hostile.xlsx(body, dimension="A1")).code == "too_many_rows"


def test_the_streaming_fallback_reads_the_same_rows(monkeypatch):
    data = ordinary([["姓名", "日期", None, "金额"], ["甲", dt.datetime(2020, 1, 2), None, 12.5], [None, None, None, None],
                     ["乙", None, "x", 3]])
    expected = read_sheet(data).rows
    monkeypatch.setattr(spreadsheets.reading, "CALAMINE_MAX_CELLS", 1)
    assert read_sheet(data).rows == expected
    assert expected[1][0] == "甲" and expected[-1] == ["乙", None, "x", 3]


def test_merged_cells_are_reported():
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.active.append(["c", "d"])
    wb.active.merge_cells("A1:A2")
    out = io.BytesIO()
    wb.save(out)
    assert read_sheet(out.getvalue()).merged == [((0, 0), (1, 0))]


# -- typed cells -----------------------------------------------------------------------------------------------
def test_r30_a_number_in_a_text_only_column_is_refused_never_converted():
    with pytest.raises(NumberInTextColumn) as exc:
        cell_text(3.60102198503172e17, text_only=True)
    assert "身份证号必须以文本格式填写" in exc.value.message
    assert cell_text("36010219850317201x", text_only=True) == "36010219850317201x"
    assert cell_text(3601210.0) == "3601210"  # other columns keep converting whole numbers


# -- writing ---------------------------------------------------------------------------------------------------
def test_hostile_text_is_written_as_text_and_numbers_stay_numbers():
    book = Book()
    sheet = book.sheet("说明", [Col("文本", 20), Col("金额", 12, "money"), Col("日期", 12, "date")])
    for text in hostile.HOSTILE:
        sheet.append([text, Decimal("1234.565"), dt.date(2025, 3, 1)])
    sheet.append([Formula("=SUM(B2:B7)"), -5, None])
    data = book.to_bytes()
    values = hostile.assert_no_formula(data, allowed={"=SUM(B2:B7)"})
    assert [v for v in values if isinstance(v, str) and v in hostile.HOSTILE] == hostile.HOSTILE
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["B2"].value == 1234.57 and ws["B2"].number_format == "#,##0.00"  # R57 half-up
    assert ws["C2"].is_date and ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["B8"].value == -5 and ws["B8"].data_type == "n"
    assert ws["A1"].font.b and ws.freeze_panes == "A2"


def test_control_characters_are_dropped_instead_of_failing_the_export():
    book = Book()
    book.sheet("x").append(["甲\x01乙\x1f", typed("=1", bold=True)])
    ws = load_workbook(io.BytesIO(book.to_bytes())).active
    assert ws["A1"].value == "甲乙" and ws["B1"].data_type == "s" and ws["B1"].font.b


def test_sheet_titles_are_made_safe_and_unique():
    used = set()
    assert safe_title("A:B/C\\D?E*F[G]", used) == "A_B_C_D_E_F_G_"
    assert safe_title("a:b/c\\d?e*f[g]", used) == "a_b_c_d_e_f_g_(2)"
    long = "江西师范大学继续教育学院国培计划项目办公室第一培训中心附属机构"
    assert len(safe_title(long, used)) == 31 and safe_title(long, used).endswith("(2)")
    assert safe_title("'引号'") == "引号"


def test_quick_bounds_take_the_widest_column_so_a_200000_row_sheet_of_10_columns_stays_with_calamine():
    """200,000 rows × a bound of 26 columns passed calamine's cell budget and sent every full-size import to the
    slow full scan; the quick pass now bounds the columns by the widest one-letter column present."""
    from backoffice.spreadsheets import reading

    def bounds(cells, transform=lambda xml: xml):
        wb = Workbook()
        for row in cells:
            wb.active.append(row)
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
        zf = zipfile.ZipFile(io.BytesIO(data))
        path = "xl/worksheets/sheet1.xml"
        if transform is not None:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as copy:
                for info in zf.infolist():
                    body = zf.read(info)
                    copy.writestr(info, transform(body) if info.filename == path else body)
            zf = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
        return reading._quick_bounds(zf, path, max_rows=200_001)

    assert bounds([list(range(10))] * 3) == (reading.QUICK_ROWS, 10)
    assert bounds([list(range(3))]) == (reading.QUICK_ROWS, 3)
    assert bounds([list(range(28))])[1] == 28  # AB: a far column, counted exactly as before
    # A lower-case reference is unusual: the full scan decides.
    assert bounds([list(range(3))], lambda xml: xml.replace(b'<c r="C1"', b'<c r="c1"')) is None
