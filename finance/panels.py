"""The finance dashboard panel: the budget execution chart (R56), inline SVG, no script, no CDN."""
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from backoffice.navigation import Panel

CHART_ROWS = 8


def execution_chart(rows) -> str:
    """Bars of spent ÷ allocated per project of the year being run: flagged ones (R56, drawn in red) first, then those with money
    moving, then the largest budgets."""
    shown = sorted(rows, key=lambda r: (not r.flagged, -(r.spent + r.due), -r.allocated, r.project.code))[:CHART_ROWS]
    return render_to_string("finance/execution_chart.svg", {
        "rows": [{"row": r, "y": 24 * i, "width": r.bar * 3} for i, r in enumerate(shown)],
        "height": max(24 * len(shown) + 4, 24),
    })


def execution_panel(user):
    from backoffice.money import ZERO, money
    from finance.calculations import execution_rate
    from finance.selectors import execution_by_plan, execution_current_rows

    if not user.has_perm("finance.view_finance"):
        return None
    plans = execution_by_plan(user=user)
    allocated = sum((p["allocated"] for p in plans), ZERO)
    spent = sum((p["spent"] for p in plans), ZERO)
    rows = execution_current_rows(user=user)
    rate = execution_rate(spent=spent, allocated=allocated)
    return Panel(title=_("Budget execution"), value=f"{money((rate or ZERO) * 100)}%",
                 url=reverse("finance:budget_overview"), note=mark_safe(execution_chart(rows)))
