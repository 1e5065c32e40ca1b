"""Limits on uploaded workbooks (Django settings, with defaults) and the error that names them."""
from django.conf import settings
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError

MB = 1024 * 1024
DEFAULTS = {
    "SPREADSHEET_MAX_UPLOAD_BYTES": 20 * MB,
    "SPREADSHEET_MAX_ROWS": 200_000,
    "SPREADSHEET_MAX_COLUMNS": 60,
    "SPREADSHEET_MAX_UNCOMPRESSED_BYTES": 200 * MB,
}


class SpreadsheetRefused(DomainError):
    """The file is refused as a whole (too big, not a workbook, damaged); `code` says which."""


def limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def megabytes(size: int) -> str:
    return f"{size / MB:,.0f}" if size >= MB else f"{size / MB:,.2f}"


def check_upload_size(size: int) -> None:
    """Refuse a file over SPREADSHEET_MAX_UPLOAD_BYTES before a byte of it is read."""
    most = limit("SPREADSHEET_MAX_UPLOAD_BYTES")
    if size > most:
        raise SpreadsheetRefused("file_too_large", _(
            "The file is %(size)s MB, over the limit of %(limit)s MB; split it into smaller files.") % {
            "size": megabytes(size), "limit": megabytes(most)})


def too_many_rows() -> SpreadsheetRefused:
    return SpreadsheetRefused("too_many_rows", _(
        "The file is over the limit of %(limit)s rows; split it into several files.") % {
        "limit": f"{limit('SPREADSHEET_MAX_ROWS'):,}"})


def too_many_columns() -> SpreadsheetRefused:
    return SpreadsheetRefused("too_many_columns", _(
        "The file is over the limit of %(limit)s columns; delete the columns the template does not have.") % {
        "limit": f"{limit('SPREADSHEET_MAX_COLUMNS'):,}"})


def too_big_unpacked() -> SpreadsheetRefused:
    return SpreadsheetRefused("uncompressed_too_large", _(
        "Unpacked, the file would take more than the limit of %(limit)s MB; it is not an ordinary spreadsheet.") % {
        "limit": megabytes(limit("SPREADSHEET_MAX_UNCOMPRESSED_BYTES"))})


def not_a_workbook() -> SpreadsheetRefused:
    return SpreadsheetRefused("not_excel", _("This file is not an Excel workbook, whatever its name says."))


def damaged() -> SpreadsheetRefused:
    return SpreadsheetRefused("unreadable", _(
        "The workbook is damaged and cannot be read; open it in Excel or WPS, save it again as .xlsx and retry."))


def upload_within_limit(upload):
    """Form validation of an uploaded workbook: its size, before it is read (the message names the limit)."""
    from django import forms

    try:
        check_upload_size(upload.size)
    except SpreadsheetRefused as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None
    return upload
