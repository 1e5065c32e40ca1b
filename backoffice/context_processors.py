from django.conf import settings

from backoffice.navigation import nav_for, nav_groups_for


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "nav_items": nav_for(user) if user is not None else [],
        "nav_groups": nav_groups_for(user) if user is not None else [],
        "site_title": settings.SITE_TITLE,
    }
