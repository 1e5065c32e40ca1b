"""Typed cells read from a workbook: text, text-only columns (R30) and dates."""
import datetime as dt

from django.utils.translation import gettext as _

_FULL = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９－／．"}


class NumberInTextColumn(ValueError):
    """A number in a column declared text-only: converting it back would invent digits."""

    def __init__(self, message=None):
        self.message = str(message or _(
            "The ID number must be written as text: Excel keeps only 15 digits of a number, so the last digits are "
            "already lost. Set the column's format to Text and type the number again."))
        super().__init__(self.message)


def normalise_text(text: str) -> str:
    return text.translate(_FULL).replace("\u3000", " ").strip()


def cell_text(value, *, text_only: bool = False) -> str:
    """A cell as stripped text with full-width digits folded. With `text_only`, a numeric cell raises
    NumberInTextColumn instead of being converted (Excel stores 360102198503172012 as 3.60102198503172E+17)."""
    if value is None:
        return ""
    if isinstance(value, str):
        # Most cells are plain ASCII; only the others need full-width digits folded.
        return value.strip() if value.isascii() else normalise_text(value)
    if text_only and isinstance(value, (int, float)) and not isinstance(value, bool):
        raise NumberInTextColumn()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_text(str(value))


def cell_date(value) -> dt.date | None:
    """A date cell, or text such as 2010-09-01, 2010/9/1, 2010年9月1日, 2010.09, 20100901; None otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # the template's own format, the common case
            return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            return None
    text = cell_text(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
    parts = text.replace(".", "-").strip("-").split("-")
    try:
        if len(parts) == 3:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts) == 2:
            return dt.date(int(parts[0]), int(parts[1]), 1)
        if len(parts) == 1 and len(parts[0]) == 8 and parts[0].isdigit():
            return dt.date(int(parts[0][:4]), int(parts[0][4:6]), int(parts[0][6:]))
    except ValueError:
        return None
    return None
