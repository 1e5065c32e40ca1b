"""Pure arithmetic of the finance rules: caps (R51), amount due (R52), release by grade (R54), execution (R56).
Nothing here rounds except `money()`, which the callers apply when a figure is stored or shown (R57)."""
from decimal import Decimal

from django.utils.translation import gettext as _

from backoffice.config import get_setting
from backoffice.money import ZERO, grouped_amount, money
from finance.models import OFFLINE_CAPPED, CostCategory, LecturerLevel


def amount_due(*, unit_price: Decimal, hours: int, trainees: int) -> Decimal:
    """R52: unit price per trainee-hour × project hours × trainees settled."""
    return money(Decimal(unit_price) * hours * trainees)


def school_year_of(day) -> int:
    """A school year runs from 1 September; it is named by the year it starts."""
    return day.year if day.month >= 9 else day.year - 1


def offline_days(project) -> int:
    if project.mode == "blended" and project.offline_start and project.offline_end:
        return (project.offline_end - project.offline_start).days + 1
    return project.days


def offline_cap(*, trainees: int, days: int, region=None) -> Decimal:
    """R51: trainees × (min(days, 30) × Q + max(days − 30, 0) × 0.7 × Q)."""
    q = get_setting("finance.offline_daily_standard", region=region)
    full_days = get_setting("finance.offline_full_rate_days", region=region)
    factor = get_setting("finance.offline_long_stay_factor", region=region)
    return Decimal(trainees) * (min(days, full_days) * q + max(days - full_days, 0) * factor * q)


def r51_problems(project, lines: dict, *, region=None) -> list[tuple[str, str]]:
    """Why this set of budget lines {category: amount} breaks R51 (or the allocation); empty when it does not."""
    problems = []
    allocated = project.budget
    total = sum(lines.values(), ZERO)
    if total > allocated:
        problems.append(("budget_over_allocation", _(
            "The budget lines (¥%(total)s) exceed the project's budget (¥%(allocated)s).") % {
            "total": grouped_amount(total), "allocated": grouped_amount(allocated)}))
    ratio = get_setting("finance.other_cap_ratio", region=region)
    other = lines.get(CostCategory.OTHER, ZERO)
    if other > allocated * ratio:
        problems.append(("r51_other_cap", _(
            "Other costs may be at most %(pct)s%% of the budget (¥%(cap)s).") % {
            "pct": (ratio * 100).normalize(), "cap": grouped_amount(allocated * ratio)}))
    capped = sum((lines.get(c, ZERO) for c in OFFLINE_CAPPED), ZERO)
    if project.mode == "online":
        offline = [c for c in OFFLINE_CAPPED if c != CostCategory.OTHER and lines.get(c, ZERO) > 0]
        if offline:
            problems.append(("r51_offline_category_online", _(
                "Lodging, meals, venue, materials and local transport are offline costs; this project is online.")))
    else:
        cap = offline_cap(trainees=project.quota, days=offline_days(project), region=region)
        if capped > cap:
            problems.append(("r51_offline_cap", _(
                "Lodging, meals, venue, materials, transport and other costs (¥%(total)s) exceed the cap of "
                "¥%(cap)s for %(trainees)s trainees over %(days)s days.") % {
                "total": grouped_amount(capped), "cap": grouped_amount(cap), "trainees": project.quota,
                "days": offline_days(project)}))
    return problems


LECTURE_RATE_KEYS = {
    LecturerLevel.ASSOCIATE: "finance.lecture_rate_associate",
    LecturerLevel.FULL: "finance.lecture_rate_full",
    LecturerLevel.ACADEMICIAN: "finance.lecture_rate_academician",
}


def lecture_problems(*, level: str, rate: Decimal, hours: int, half_days: int, region=None) -> list[tuple[str, str]]:
    problems = []
    cap = get_setting(LECTURE_RATE_KEYS[level], region=region)
    if rate > cap:
        problems.append(("r51_lecture_rate", _("A lecture fee at this level is at most ¥%(cap)s per hour.") % {
            "cap": grouped_amount(cap)}))
    per_half_day = get_setting("finance.lecture_hours_per_half_day", region=region)
    if hours > per_half_day * half_days:
        problems.append(("r51_lecture_hours", _("At most %(n)s lecture hours per half day.") % {"n": per_half_day}))
    return problems


GRADE_KEYS = {"excellent": "finance.final_release_excellent", "good": "finance.final_release_good",
              "pass": "finance.final_release_pass", "fail": "finance.final_release_fail"}


def final_release_factor(grade: str, *, region=None) -> Decimal | None:
    """R54: the share of the final tranche released for a grade; None before the evaluation is published."""
    if grade not in GRADE_KEYS:
        return None
    return get_setting(GRADE_KEYS[grade], region=region)


def execution_rate(*, spent: Decimal, allocated: Decimal) -> Decimal | None:
    """R56: spent ÷ allocated, unrounded; None when nothing is allocated."""
    if not allocated:
        return None
    return Decimal(spent) / Decimal(allocated)
