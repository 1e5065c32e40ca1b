"""The one place the product reads and writes .xlsx files.

Reading (`read_sheet`) checks an upload before parsing it: its size, the zip's declared unpacked size, the sheet's
declared dimension and then, streaming, the cells really present, so a hostile file is refused with a Chinese
message naming the limit instead of exhausting memory. Typed cells go through `cell_text`, which refuses a number
in a text-only column (an ID number typed as a number has already lost its last digits, R30).

Writing (`Book`, `stream_table` for exports of any size) uses openpyxl's write-only mode with typed cells, number formats, a header style and safe text:
user text is never written as something Excel would evaluate.
"""
from .cells import NumberInTextColumn, cell_date, cell_text, normalise_text
from .limits import SpreadsheetRefused, check_upload_size, limit, upload_within_limit
from .reading import Sheet, read_sheet
from .writing import Book, Col, Formula, safe_title, stream_table, table_xlsx, typed

__all__ = ["Book", "Col", "Formula", "NumberInTextColumn", "Sheet", "SpreadsheetRefused", "cell_date", "cell_text",
           "check_upload_size", "limit", "normalise_text", "read_sheet", "safe_title", "stream_table", "table_xlsx", "typed",
           "upload_within_limit"]
