from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Plans, projects, trainees and evaluation")

    def ready(self):
        from backoffice.demo import register_demo_step
        from backoffice.navigation import register_nav, register_panel
        from projects import calculations, permissions  # noqa: F401  registers settings (R11, R14) and permissions
        from projects.demo import demo_plans
        from projects.panels import deadline_panel, queue_panel

        register_nav(_("Annual plans"), "projects:plan_list", perm="projects.view_plans", order=10, group=_("Plans"))
        register_nav(_("Projects"), "projects:project_list", perm="projects.view_projects", order=11, group=_("Plans"))
        register_nav(_("Waiting for me"), "projects:queue", perm="projects.view_queue", order=12, group=_("Plans"))
        register_panel(queue_panel, order=10)
        register_panel(deadline_panel, order=9)  # R4
        register_demo_step(demo_plans, order=10)
