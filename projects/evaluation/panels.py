"""The province dashboard panel: grade distribution as an inline SVG bar chart, linking to the full dashboard."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backoffice.models import Role
from backoffice.navigation import Panel

from . import charts, selectors

PANEL_ROLES = {Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.FINANCE_OFFICER,
               Role.AUDITOR}


def evaluation_panel(user):
    if not (user.is_superuser or user.role in PANEL_ROLES):
        return None
    results = list(selectors.published_results_visible_to(user=user))
    return Panel(title=_("Published evaluations"), value=len(results), url=reverse("evaluation:dashboard"),
                 note=charts.grade_distribution_svg(charts.grade_distribution(results), small=True))
