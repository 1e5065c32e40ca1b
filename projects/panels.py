from django.urls import reverse
from django.utils.translation import gettext as _

from backoffice.navigation import Panel
from projects.selectors import plan_queue_for, project_queue_for


def queue_panel(user):
    """Dashboard: how many plans and projects wait for this user's move, with the first few."""
    if not user.has_perm("projects.view_queue"):
        return None
    plans = list(plan_queue_for(user=user)[:5])
    projects = project_queue_for(user=user)
    count = projects.count() + plan_queue_for(user=user).count()
    items = [(f"{p.title} · {p.get_status_display()}", reverse("projects:plan_detail", args=[p.pk])) for p in plans]
    items += [(f"{p.name} · {p.get_status_display()}", reverse("projects:project_detail", args=[p.pk]))
              for p in projects[:5]]
    return Panel(title=_("Plans and projects waiting for me"), value=count, url=reverse("projects:queue"),
                 note=_("Open the review queue"), items=items)
