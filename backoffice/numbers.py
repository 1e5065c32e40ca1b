"""Numbers typed by users or read from files."""
from decimal import Decimal, InvalidOperation


def finite_decimal(value) -> Decimal | None:
    """`value` as a finite Decimal, or None when it is not a number. Decimal accepts 'NaN' and 'Infinity', and
    comparing a NaN raises, so every typed number goes through here before its range is checked."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
