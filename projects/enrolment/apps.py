from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "projects.enrolment"
    label = "enrolment"
    verbose_name = _("Trainees and enrolment")

    def ready(self):
        from backoffice.config import register_setting
        from backoffice.exports import register_export

        from . import exports

        register_export("enrolment.project_trainees", exports.project_trainees)
        register_export("enrolment.trainees", exports.trainee_list)
        register_export("enrolment.credits", exports.credits)
        from backoffice.demo import register_demo_step
        from backoffice.navigation import register_nav, register_panel
        from projects.enrolment import deadlines

        deadlines.register()  # R4

        register_setting("enrolment.publicity_working_days", default=5, rule="R32",
                         label=_("Publicity window of a selection list (working days)"))
        register_setting("enrolment.cycle_years", default=5, rule="R33", label=_("Length of a training cycle (years)"))
        register_setting("enrolment.cycle_first_year", default=2021, rule="R33",
                         label=_("First year of the current series of training cycles"))
        register_setting("enrolment.cycle_cap", default=2, rule="R33",
                         label=_("Maximum number of programme projects per teacher in one cycle"))
        register_setting("enrolment.bulk_job_threshold", default=5000,
                         label=_("Bulk actions on more trainees than this run as a background job"))
        from .outcomes.config import register as register_outcome_settings

        register_outcome_settings()
        register_setting("credit.hours_per_credit", default=20, rule="R42", label=_("Training hours per credit"))
        register_setting("credit.yearly_target_hours", default=60, rule="R42",
                         label=_("Yearly training-hour target per teacher"))

        view = "enrolment.view_enrolment"
        register_nav(_("Enrolment"), "enrolment:project_list", perm=view, order=30, group=_("Trainees"))
        register_nav(_("Trainee outcomes"), "enrolment:enrolment_list", perm=view, order=31, group=_("Trainees"))
        register_nav(_("Exemptions"), "enrolment:exemption_list", perm="enrolment.view_exemption", order=32,
                     group=_("Trainees"))
        register_nav(_("Credit hours"), "enrolment:credit_list", perm=view, order=33, group=_("Trainees"))
        register_nav(_("Certificates"), "enrolment:certificate_list", perm=view, order=34, group=_("Trainees"))

        register_panel(_work_panel, order=30)

        from projects.enrolment.demo import demo_enrolment, demo_selection

        register_demo_step(demo_enrolment, order=200)
        register_demo_step(demo_selection, order=210)

        from projects.enrolment.outcomes.demo import demo_outcomes

        register_demo_step(demo_outcomes, order=210)


def _work_panel(user):
    """What waits for this user in enrolment: one count, one link."""
    import rules
    from django.urls import reverse

    from backoffice.navigation import Panel

    from . import selectors

    # The predicates themselves (rules.has_perm): a superuser without a role has no step here.
    if rules.has_perm("enrolment.work_recommend", user):
        status, title = "applied", _("Applications to recommend")
    elif rules.has_perm("enrolment.work_select", user):
        status, title = "recommended", _("Recommended applicants to select")
    elif rules.has_perm("enrolment.work_publicise", user):
        status, title = "selected", _("Selected applicants to publicise")
    elif rules.has_perm("enrolment.work_audit_hours", user):
        count = selectors.credit_list_visible_to(user=user).filter(status="registered").count()
        return Panel(title=_("Training hours to audit"), value=count,
                     url=reverse("enrolment:credit_list") + "?status=registered")
    else:
        return None
    count = selectors.enrolment_list_visible_to(user=user).filter(status=status).count()
    return Panel(title=title, value=count, url=reverse("enrolment:enrolment_list") + f"?status={status}")
