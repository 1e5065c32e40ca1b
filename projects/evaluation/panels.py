"""The province dashboard panel: grade distribution as an inline SVG bar chart, linking to the full dashboard."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backoffice.navigation import Panel

from . import charts, selectors


def evaluation_panel(user):
    if not user.has_perm("evaluation.view_evaluation_panel"):
        return None
    results = list(selectors.published_results_visible_to(user=user))
    return Panel(title=_("Published evaluations"), value=len(results), url=reverse("evaluation:dashboard"),
                 note=charts.grade_distribution_svg(charts.grade_distribution(results), small=True))
