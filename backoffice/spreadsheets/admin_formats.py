"""The admin's import and export (django-import-export) through this module: an upload is checked like any other
(size, unpacked size, extent; refused in Chinese before it is parsed) and an export is written as safe text."""
import tablib
from import_export.formats.base_formats import XLSX
from import_export.forms import ImportForm

from .cells import cell_text
from .limits import upload_within_limit
from .reading import read_sheet
from .writing import table_xlsx


def _value(value):
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # calamine reads 36010001 as 36010001.0; a code looked up by text needs the integer
    return value


class SpreadsheetFormat(XLSX):
    """.xlsx only: the old formats (xls, ods, csv…) would bypass the checks."""

    def create_dataset(self, in_stream):
        rows = read_sheet(bytes(in_stream)).rows
        dataset = tablib.Dataset()
        if rows:
            dataset.headers = [cell_text(h) for h in rows[0]]
            for row in rows[1:]:
                dataset.append([_value(v) for v in row] + [None] * (len(rows[0]) - len(row)))
        return dataset

    def export_data(self, dataset, **kwargs):
        return table_xlsx(dataset.title or "Sheet", list(dataset.headers or []), dataset)


class SpreadsheetImportForm(ImportForm):
    def clean_import_file(self):
        return upload_within_limit(self.cleaned_data["import_file"])
