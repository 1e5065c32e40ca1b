from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = _("Core: regions, organisations, people, audit")

    def ready(self):
        from backoffice import jobs, permissions  # noqa: F401  registers the job settings and the rules
        from backoffice.models import Role
        from backoffice.navigation import Panel, register_nav, register_panel

        gov_and_audit = [Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.CITY_STAFF,
                         Role.COUNTY_STAFF, Role.AUDITOR, Role.FINANCE_OFFICER]
        register_nav(_("Dashboard"), "dashboard", order=0)
        register_nav(_("Organisations"), "organisation_list", roles=gov_and_audit, order=80, group=_("Registry"))
        register_nav(_("Teachers"), "teacher_list", roles=[r for r in gov_and_audit if r != Role.FINANCE_OFFICER]
                     + [Role.SCHOOL_ADMIN], order=81,
                     group=_("Registry"))
        register_nav(_("Audit trail"), "audit_list", roles=[Role.AUDITOR, Role.MINISTRY_STAFF, Role.PROVINCE_STAFF,
                                                           Role.PROJECT_OFFICE_STAFF, Role.FINANCE_OFFICER],
                     order=90, group=_("Registry"))

        def scope_panel(user):
            from backoffice.selectors import scope_summary

            summary = scope_summary(user=user)
            return Panel(title=_("My scope"), value=summary["label"], note=summary["note"])

        register_panel(scope_panel, order=0)
