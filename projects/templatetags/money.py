from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value):
    """¥1,234,567.89: money shown rounded half-up to 0.01 (R57)."""
    if value in (None, ""):
        value = 0
    from decimal import ROUND_HALF_UP

    return f"¥{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
