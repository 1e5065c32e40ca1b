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


def deadline_panel(user):
    """Dashboard (R4): this person's deadlines, overdue ones counted apart, the nearest first."""
    from backoffice.deadlines import todo_for

    items = todo_for(user=user)
    if not items:
        return None
    overdue = sum(1 for i in items if i.overdue)
    return Panel(title=_("My deadlines"), value=len(items), url=reverse("projects:queue"),
                 note=_("%(n)s overdue") % {"n": overdue} if overdue else "",
                 items=[(f"{i.label} · {i.subject} · {i.due_date:%Y-%m-%d}", i.url) for i in items[:5]],
                 level="danger" if overdue else "")
