"""What the buttons on the plan and project pages do (the transition door's tables, see backoffice.transitions).
Labels and "needs a reason" are declared on the transitions in projects.models."""
from django.utils.translation import gettext_lazy as _

from backoffice.transitions import Door
from projects import services


def _plan(service):
    return lambda plan, *, actor, reason, data: service(plan=plan, actor=actor, reason=reason)


def _project(service, *, takes_reason=True):
    if takes_reason:
        return lambda project, *, actor, reason, data: service(project=project, actor=actor, reason=reason)
    return lambda project, *, actor, reason, data: service(project=project, actor=actor)


PLAN_DOORS = {
    "submit": Door(_plan(services.plan_submit), success=_("The plan was submitted for approval."),
                   confirm=_("Submit the plan and its projects for approval?")),
    "return_": Door(_plan(services.plan_return), success=_("The plan was returned with your reason."),
                    confirm=_("Return the plan to its drafters with your reason? It must be submitted again.")),
    "approve": Door(_plan(services.plan_approve), success=_("The plan was approved.")),
    "file": Door(_plan(services.plan_file), success=_("The plan was filed; its projects may now be tendered."),
                 confirm=_("File the plan? Its approved projects will be filed with it.")),
}

PROJECT_DOORS = {
    "submit": Door(_project(services.project_submit), success=_("The project was submitted for review.")),
    "review": Door(_project(services.project_review), success=_("The project passed review.")),
    "return_": Door(_project(services.project_return), success=_("The project was returned with your reason."),
                    confirm=_("Return the project to its office with your reason? It must be submitted again.")),
    "approve": Door(_project(services.project_approve), success=_("The project was approved.")),
    "cancel": Door(_project(services.project_cancel), success=_("The project was cancelled."),
                   confirm=_("Cancel this project? This cannot be undone.")),
    "close": Door(_project(services.project_close), success=_("The project was closed.")),
    "start": Door(_project(services.project_start, takes_reason=False), success=_("Training has started.")),
    "complete": Door(_project(services.project_complete, takes_reason=False),
                     success=_("The project was marked completed.")),
}
