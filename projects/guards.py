"""Transition conditions for plans and projects (R10-R14): pure functions of the instance, each with a coded,
translatable reason (backoffice.workflow.guard). projects/models.py attaches them to the declared transitions.
This module must not import projects.models (the models import it), so states are compared by their values."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.workflow import guard
from projects.calculations import (
    ACTIVE_EXCLUDED,
    OPEN_PLAN_STATES,
    plan_budget_total,
    r11_errors,
    r12_message,
    r14_message,
    suspension_conflict,
)


@guard("r11_project_requirements", lambda p: " ".join(r11_errors(p)))
def project_meets_requirements(project) -> bool:
    return not r11_errors(project)


@guard("r12_budget_over_subsidy", r12_message)
def plan_within_subsidy(plan) -> bool:
    return plan_budget_total(plan) <= plan.central_subsidy  # R12


@guard("r12_budget_over_subsidy", lambda p: r12_message(p.plan))
def project_within_subsidy(project) -> bool:
    return plan_budget_total(project.plan) <= project.plan.central_subsidy  # R12


@guard("r14_offline_suspended", r14_message)
def project_outside_suspension(project) -> bool:
    return not suspension_conflict(project)


@guard("r14_offline_suspended", r14_message)
def project_may_start_now(project) -> bool:
    return not suspension_conflict(project, starting=True)


# -- plan <-> project -----------------------------------------------------------------------------------
@guard("plan_has_no_projects", gettext_lazy("The plan has no projects yet."))
def plan_has_projects(plan) -> bool:
    return plan.projects.exclude(status__in=ACTIVE_EXCLUDED).exists()


def _unapproved_message(plan):
    names = list(plan.projects.exclude(status__in=ACTIVE_EXCLUDED + ("approved", "filed"))
                 .values_list("name", flat=True)[:5])
    return _("Every project must be approved first; not yet approved: %(names)s.") % {"names": "、".join(names)}


@guard("plan_projects_not_approved", _unapproved_message)
def plan_projects_all_approved(plan) -> bool:
    active = plan.projects.exclude(status__in=ACTIVE_EXCLUDED)
    return active.exists() and not active.exclude(status__in=("approved", "filed")).exists()


@guard("r10_plan_not_filed", gettext_lazy("Projects may be tendered only after their plan is filed with the ministry."))
def project_plan_filed(project) -> bool:
    """R10: a project is filed (and so may be tendered) only through its plan's filing."""
    return project.plan.status == "filed"


@guard("plan_not_open", gettext_lazy("Projects can be changed only while their plan is a draft or returned."))
def project_plan_open(project) -> bool:
    return project.plan.status in OPEN_PLAN_STATES
