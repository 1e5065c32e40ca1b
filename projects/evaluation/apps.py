from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "projects.evaluation"
    label = "evaluation"
    verbose_name = _("Performance evaluation")

    def ready(self):
        from backoffice.batches import register_batch
        from backoffice.demo import register_demo_step
        from backoffice.navigation import register_nav, register_panel

        from . import config, permissions  # noqa: F401  registers the R61/R64 settings and the permissions
        from .batches import year_reports

        register_batch("evaluation.year_reports", year_reports)

        register_nav(_("Evaluation"), "evaluation:evaluation_list", order=60, group=_("Evaluation"),
                     perm="evaluation.view_evaluations")
        register_nav(_("Evaluation dashboard"), "evaluation:dashboard", order=61, group=_("Evaluation"),
                     perm="evaluation.view_evaluation_outputs")

        from .panels import evaluation_panel

        register_panel(evaluation_panel, order=60)

        from .demo import demo_evaluation, demo_evaluation_in_scoring

        register_demo_step(demo_evaluation, order=300)
        register_demo_step(demo_evaluation_in_scoring, order=310)
