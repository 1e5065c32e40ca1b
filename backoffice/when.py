"""Times, the one way: to the second, in the product's time zone (Asia/Shanghai), for pages, PDFs, Excel and
messages alike."""
import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime

FORMAT = "%Y-%m-%d %H:%M:%S"


def when(value) -> str:
    """2026-12-03 16:15:46: an aware datetime (or its ISO text, as sealed bid receipts keep it) shown in local time
    without microseconds; a date as 2026-12-03; nothing for None."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(FORMAT)
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)
