from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = _("Core: regions, organisations, people, audit")

    def ready(self):
        from backoffice import jobs, permissions  # noqa: F401  registers the job settings and the rules
        from backoffice.audit_exports import audit_trail
        from backoffice.exports import register_export
        from backoffice.navigation import Panel, register_nav, register_panel

        register_export("backoffice.audit", audit_trail)
        register_nav(_("Dashboard"), "dashboard", order=0)
        register_nav(_("Organisations"), "organisation_list", perm="backoffice.view_organisations", order=80,
                     group=_("Registry"))
        register_nav(_("Teachers"), "teacher_list", perm="backoffice.view_teacher_registry", order=81,
                     group=_("Registry"))
        register_nav(_("Audit trail"), "audit_list", perm="backoffice.view_audit", order=90, group=_("Registry"))
        # R5: machine clients' keys, issued by the organisation's staff or the level above; the demo has known ones.
        from backoffice.api.demo import demo_api_keys
        from backoffice.demo import register_demo_step

        register_demo_step(demo_api_keys, order=900)
        register_nav(_("API keys"), "api_keys", perm="backoffice.issue_api_key", order=95)

        # R4: everything overdue in the region, for the province (and the ministry, auditors reading).
        register_nav(_("Overdue items"), "overdue_list", perm="backoffice.view_overdue", order=13, group=_("Plans"))
        register_panel(overdue_panel, order=5)
        from backoffice.deadlines import demo_reminders
        from backoffice.demo import register_demo_step

        register_demo_step(demo_reminders, order=900)  # after every workflow's data

        def scope_panel(user):
            from backoffice.selectors import scope_summary

            summary = scope_summary(user=user)
            return Panel(title=_("My scope"), value=summary["label"], note=summary["note"])

        register_panel(scope_panel, order=0)


def overdue_panel(user):
    from django.urls import reverse

    from backoffice.deadlines import overdue_in
    from backoffice.navigation import Panel

    if not user.has_perm("backoffice.view_overdue"):
        return None
    items = overdue_in(user=user)
    return Panel(title=_("Overdue in my region"), value=len(items), url=reverse("overdue_list"),
                 items=[(f"{i.label} · {i.subject}", i.url) for i in items[:5]], level="danger" if items else "")
