"""Pure rule calculations behind the tender guards and services (R20, R22, R25, R26, R28)."""
import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from backoffice.config import get_setting


def r22_problems(tender, *, announce_at: dt.datetime) -> list[tuple[str, str]]:
    """R22: ≥ 20 calendar days announcement → deadline; clarifications close ≥ 15 days before the deadline;
    the opening is not before the deadline."""
    problems = []
    if not (tender.bid_deadline and tender.clarification_deadline and tender.opening_at):
        return [("r22_timeline_missing", _("Set the clarification deadline, bid deadline and opening time."))]
    min_days = get_setting("tender_min_bidding_days", region=tender.province)
    clar_days = get_setting("tender_clarification_days", region=tender.province)
    if tender.bid_deadline - announce_at < dt.timedelta(days=min_days):
        problems.append(("r22_period_too_short", _(
            "The bid deadline must be at least %(days)s days after the announcement.") % {"days": min_days}))
    if tender.bid_deadline - tender.clarification_deadline < dt.timedelta(days=clar_days):
        problems.append(("r22_clarification_too_late", _(
            "Clarifications must close at least %(days)s days before the bid deadline.") % {"days": clar_days}))
    if tender.opening_at < tender.bid_deadline:
        problems.append(("opening_before_deadline", _("The opening cannot be before the bid deadline.")))
    return problems


def tender_incomplete_reason(tender) -> str:
    if tender.pk is None:
        return _("The tender is not saved.")
    lots = list(tender.lots.all())
    if not lots:
        return _("Add at least one lot.")
    for lot in lots:
        if not lot.lot_regions.exists():
            return _("Lot %(n)s has no regions.") % {"n": lot.number}
        if not lot.projects.exists():
            return _("Lot %(n)s has no projects.") % {"n": lot.number}
    min_weight = get_setting("tender_min_price_weight", region=tender.province)
    if tender.price_weight < min_weight:
        return _("The price weight must be at least %(w)s%%.") % {"w": (min_weight * 100).normalize()}
    criteria = list(tender.criteria.all())
    if not criteria:
        return _("Add the technical scoring criteria.")
    total = sum((c.weight for c in criteria), Decimal("0")) + tender.price_weight
    if total != Decimal("1"):
        return _("The price weight and the criteria weights must add up to 100%% (now %(t)s%%).") % {
            "t": (total * 100).normalize()}
    return ""


def contract_deadline(lot) -> dt.datetime:
    days = get_setting("tender_contract_days", region=lot.tender.province)
    return lot.notice_published_at + dt.timedelta(days=days)


def required_panel_size(budget: Decimal, *, region=None) -> int:
    """R25: at least 5; at least 7 when the lot budget is ≥ ¥10,000,000."""
    return 7 if budget >= get_setting("tender_large_lot_budget", region=region) else 5


def panel_size_problems(size: int, experts: int, budget: Decimal, *, region=None) -> list[tuple[str, str]]:
    problems = []
    minimum = required_panel_size(budget, region=region)
    if size % 2 == 0:
        problems.append(("r25_panel_even", _("The panel must have an odd number of members.")))
    if size < minimum:
        problems.append(("r25_panel_too_small", _("The panel needs at least %(n)s members for this budget.") % {
            "n": minimum}))
    if experts * 3 < size * 2:
        problems.append(("r25_too_few_experts", _("At least two thirds of the panel must be experts.")))
    return problems
