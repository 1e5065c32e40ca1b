"""Working days (R27): weekends are skipped, and the Holiday table adds public holidays and make-up days."""
import datetime as dt


def is_working_day(day: dt.date, holidays: dict | None = None) -> bool:
    if holidays is None:
        from tendering.models import Holiday

        holidays = dict(Holiday.objects.values_list("date", "is_working_day"))
    if day in holidays:
        return holidays[day]
    return day.weekday() < 5


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same time of day `days` working days after `start` (a notice published on Friday 10:00 for one
    working day ends on Monday 10:00)."""
    from tendering.models import Holiday

    holidays = dict(Holiday.objects.filter(date__gte=start.date(), date__lte=start.date() + dt.timedelta(days=days * 3 + 30))
                    .values_list("date", "is_working_day"))
    current, left = start, days
    while left > 0:
        current = current + dt.timedelta(days=1)
        if is_working_day(current.date(), holidays):
            left -= 1
    return current
