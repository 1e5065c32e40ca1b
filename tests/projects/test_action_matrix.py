"""Issue 10: on the plan and project pages, for every persona, the action buttons are exactly the doors whose
transition the user's role AND scope allow from the current state (R2, R15): no greyed-out action a role could
never take, none missing."""
import pytest
from django.urls import reverse

from projects import actions
from projects.models import AnnualPlan, Project

from .conftest import set_status
from .matrix import check_page, undoored

pytestmark = pytest.mark.django_db


def test_every_transition_a_person_fires_has_a_door():
    assert undoored(AnnualPlan, actions.PLAN_DOORS) == set()
    assert undoored(Project, actions.PROJECT_DOORS) == set()


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "approved", "filed"])
def test_plan_page_actions_match_the_predicates(login, personas, plan, make_project, status):
    make_project(budget=1000)
    set_status(plan, status)
    seen = check_page(login, personas, reverse("projects:plan_detail", args=[plan.pk]),
                      [(plan, actions.PLAN_DOORS)])
    acting = {name for name, buttons in seen.items() if buttons}
    assert acting == {"draft": {"province"}, "returned": {"province"}, "submitted": {"ministry"},
                      "approved": {"ministry"}, "filed": set()}[status]


@pytest.mark.parametrize("status", ["draft", "submitted", "reviewed", "returned", "approved", "filed", "tendering",
                                    "contracted", "in_progress", "completed", "evaluated", "closed", "cancelled"])
def test_project_page_actions_match_the_predicates(login, personas, orgs, make_project, status):
    project = make_project(institution=orgs.institution)
    set_status(project, status)
    seen = check_page(login, personas, reverse("projects:project_detail", args=[project.pk]),
                      [(project, actions.PROJECT_DOORS)])
    if status == "draft":
        assert seen["city"] == {"submit", "cancel"} and seen["office"] == {"cancel"} and not seen["county"]
    if status == "in_progress":
        assert seen["institution"] == {"complete"} and not seen["other_institution"]
