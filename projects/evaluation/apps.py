from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "projects.evaluation"
    label = "evaluation"
    verbose_name = _("Performance evaluation")

    def ready(self):
        from backoffice.batches import register_batch
        from backoffice.demo import register_demo_step
        from backoffice.models import Role
        from backoffice.navigation import register_nav, register_panel

        from . import config, permissions  # noqa: F401  registers the R61/R64 settings and the permissions
        from .batches import year_reports

        register_batch("evaluation.year_reports", year_reports)

        staff = [Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.CITY_STAFF,
                 Role.COUNTY_STAFF, Role.FINANCE_OFFICER, Role.AUDITOR]
        register_nav(_("Evaluation"), "evaluation:evaluation_list", order=60, group=_("Evaluation"),
                     roles=staff + [Role.INSTITUTION_STAFF, Role.EXPERT])
        register_nav(_("Evaluation dashboard"), "evaluation:dashboard", order=61, group=_("Evaluation"),
                     roles=staff)

        from .panels import evaluation_panel

        register_panel(evaluation_panel, order=60)

        from .demo import demo_evaluation, demo_evaluation_in_scoring

        register_demo_step(demo_evaluation, order=300)
        register_demo_step(demo_evaluation_in_scoring, order=310)
