"""Pure rule calculations for plans and projects (R11 minimums, R12 budget total, R14 suspension window) and
the settings they read. Guards (projects.guards) and services use them; nothing here decides who may act.
This module must not import projects.models (the models import the guards that import it), so states are
compared by their string values."""
import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.config import get_setting, register_setting
from backoffice.money import yuan

# -- settings (RULES.md *setting*) -----------------------------------------------------------------
TEAM_RESEARCH_MIN_DAYS = "projects.team_research_min_days"
TEAM_RESEARCH_MIN_SHADOWING_SHARE = "projects.team_research_min_shadowing_share"
ONLINE_RESEARCH_MIN_HOURS = "projects.online_research_min_hours"
SUSPENSION_START = "projects.offline_suspension_start"
SUSPENSION_END = "projects.offline_suspension_end"


def register_settings():
    register_setting(TEAM_RESEARCH_MIN_DAYS, default=90, rule="R11",
                     label=gettext_lazy("Team research: minimum days"))
    register_setting(TEAM_RESEARCH_MIN_SHADOWING_SHARE, default=Decimal("0.3333"), rule="R11",
                     label=gettext_lazy("Team research: minimum share of shadowing days (0-1)"))
    register_setting(ONLINE_RESEARCH_MIN_HOURS, default=80, rule="R11",
                     label=gettext_lazy("Online research: minimum hours"))
    register_setting(SUSPENSION_START, default="", cast=str, rule="R14",
                     label=gettext_lazy("Emergency suspension of offline training: first day (YYYY-MM-DD, empty for none)"))
    register_setting(SUSPENSION_END, default="", cast=str, rule="R14",
                     label=gettext_lazy("Emergency suspension of offline training: last day (YYYY-MM-DD, empty for none)"))


register_settings()

ACTIVE_EXCLUDED = ("cancelled",)
OPEN_PLAN_STATES = ("draft", "returned")


# -- R11: hours, quota, dates and category minimums ---------------------------------------------------
def category_minimum_errors(*, category, mode=None, hours, start_date, end_date, shadowing_days, region) -> list[str]:
    """R11 category minimums (settings). Used by the forms, the import and the submit/approve guards."""
    errors = []
    if category == "team_research" and start_date and end_date:
        days = (end_date - start_date).days + 1
        min_days = get_setting(TEAM_RESEARCH_MIN_DAYS, region=region)
        share = get_setting(TEAM_RESEARCH_MIN_SHADOWING_SHARE, region=region)
        if days < min_days:
            errors.append(_("Team research lasts at least %(min)s days; this project lasts %(days)s.") % {
                "min": min_days, "days": days})
        if Decimal(shadowing_days or 0) < Decimal(days) * share:
            errors.append(_("Team research needs at least %(share)s%% of its days as shadowing; %(have)s of %(days)s days "
                            "is not enough.") % {"share": (share * 100).quantize(Decimal("0.1")),
                                                 "have": shadowing_days or 0, "days": days})
    if category == "online_research" and hours is not None:
        min_hours = get_setting(ONLINE_RESEARCH_MIN_HOURS, region=region)
        if hours < min_hours:
            errors.append(_("Online research needs at least %(min)s hours; this project has %(hours)s.") % {
                "min": min_hours, "hours": hours})
    return errors


def basic_errors(*, hours, quota, start_date, end_date, priority_quota=0) -> list[str]:
    errors = []
    if hours is None or hours <= 0:
        errors.append(_("Training hours must be greater than zero."))
    if quota is None or quota <= 0:
        errors.append(_("The quota must be greater than zero."))
    if start_date and end_date and start_date > end_date:
        errors.append(_("The start date must not be after the end date."))
    if quota and priority_quota and priority_quota > quota:
        errors.append(_("The quota reserved for key counties cannot exceed the quota."))
    return errors


def r11_errors(project) -> list[str]:
    return basic_errors(hours=project.hours, quota=project.quota, start_date=project.start_date,
                        end_date=project.end_date, priority_quota=project.priority_quota) + category_minimum_errors(
        category=project.category, hours=project.hours, start_date=project.start_date, end_date=project.end_date,
        shadowing_days=project.shadowing_days, region=project.plan.province)


# -- R12: the plan's budgets stay within the central subsidy -------------------------------------------
def plan_budget_total(plan, *, exclude_pk=None, extra=Decimal("0")) -> Decimal:
    qs = plan.projects.exclude(status__in=ACTIVE_EXCLUDED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return (qs.aggregate(total=Sum("budget"))["total"] or Decimal("0")) + extra


def r12_message(plan):
    return _("The projects' budgets total %(total)s, more than the central subsidy of %(subsidy)s.") % {
        "total": yuan(plan_budget_total(plan)), "subsidy": yuan(plan.central_subsidy)}


# -- R14: emergency suspension of offline training ----------------------------------------------------
def _parse(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def suspension_window(region) -> tuple[dt.date, dt.date] | None:
    start, end = _parse(get_setting(SUSPENSION_START, region=region)), _parse(get_setting(SUSPENSION_END, region=region))
    if start is None and end is None:
        return None
    return (start or dt.date.min, end or dt.date.max)


def _overlaps(a_start, a_end, window) -> bool:
    return a_start <= window[1] and window[0] <= a_end


def suspension_conflict(project, *, starting: bool = False) -> bool:
    """R14: offline training overlapping the window (or started inside it) is refused; online never is;
    blended only when its offline part overlaps the window."""
    window = suspension_window(project.plan.province)
    if window is None or project.mode == "online":
        return False
    if project.mode == "blended":
        first = project.offline_start or project.start_date
        last = project.offline_end or project.end_date
    else:
        first, last = project.start_date, project.end_date
    if _overlaps(first, last, window):
        return True
    return starting and project.mode == "offline" and window[0] <= timezone.localdate() <= window[1]


def r14_message(project):
    window = suspension_window(project.plan.province)
    return _("Offline training is suspended from %(start)s to %(end)s; move the offline part outside this window "
             "or deliver it online.") % {"start": window[0] if window else "", "end": window[1] if window else ""}
