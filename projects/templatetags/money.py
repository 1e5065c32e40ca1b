from decimal import Decimal

from django import template

register = template.Library()


def grouped_amount(value) -> str:
    """1,234,567.89: an amount rounded half-up to 0.01 (R57) with thousands separators, without the sign; for
    Python-built text whose translated message carries the ¥ itself."""
    if value in (None, ""):
        value = 0
    from decimal import ROUND_HALF_UP

    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def yuan(value):
    """¥1,234,567.89: money shown rounded half-up to 0.01 (R57)."""
    return f"¥{grouped_amount(value)}"
