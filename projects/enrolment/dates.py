"""Calendar helpers: working days (R32, R4) and year arithmetic for bans (R34) and cycles (R33)."""
import datetime as dt


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date of the `days`-th working day after `start`: Monday to Friday, corrected by the product's holiday
    calendar (public holidays, make-up days), the same one the tender deadlines and the R4 reminders follow."""
    from backoffice.deadlines import Calendar

    return Calendar().add_working_days(start, days)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def cycle_bounds(year: int, *, first_year: int, length: int) -> tuple[int, int]:
    """R33: the fixed cycle (e.g. 2021-2025, 2026-2030) that contains `year`."""
    start = first_year + ((year - first_year) // length) * length
    return start, start + length - 1
