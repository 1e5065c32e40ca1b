from django.conf import settings

from backoffice.deadlines import notice_unread_count
from backoffice.navigation import nav_for


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "nav_items": nav_for(user) if user is not None else [],
        "site_title": settings.SITE_TITLE,
        # R4 bell: counted only when a page shows it.
        "notice_unread": lambda: notice_unread_count(user=user),
    }
