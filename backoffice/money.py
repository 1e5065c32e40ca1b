"""Money, the one way (R57): Decimal yuan, rounded half-up to the fen only where stored or shown."""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


def money(value) -> Decimal:
    """R57: the one rounding point, 0.01 yuan half-up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def grouped_amount(value) -> str:
    """1,234,567.89: an amount rounded half-up to 0.01 (R57) with thousands separators, without the sign; for
    Python-built text whose translated message carries the ¥ itself."""
    return f"{money(0 if value in (None, '') else value):,.2f}"


def yuan(value) -> str:
    """¥1,234,567.89: money shown rounded half-up to 0.01 (R57)."""
    return f"¥{grouped_amount(value)}"
