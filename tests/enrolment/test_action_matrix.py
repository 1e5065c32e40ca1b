"""Issue 10: on the trainee, exemption and credit-hours pages, for every persona, the action buttons are exactly
the doors whose transition the user's role AND scope allow from the current state (R2, R32-R41): no greyed-out
action a role could never take, none missing."""
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from projects.enrolment import actions
from projects.enrolment.models import CreditRecord, Enrolment, Exemption
from tests.projects.matrix import check_page, undoored

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_every_transition_a_person_fires_has_a_door():
    assert undoored(Enrolment, actions.ENROLMENT_DOORS) == set()
    assert undoored(Exemption, actions.EXEMPTION_DOORS) == set()
    assert undoored(CreditRecord, actions.CREDIT_DOORS) == set()


@pytest.mark.parametrize("status", ["applied", "recommended", "reserve", "selected", "publicised", "enrolled",
                                    "in_training", "completed", "not_completed", "withdrawn", "rejected"])
def test_trainee_page_actions_match_the_predicates(login, personas, make_project, teacher, enrol, status):
    started = status in ("in_training", "completed", "not_completed")
    project = make_project(status="in_progress" if started else "contracted",
                           start=TODAY() - dt.timedelta(days=2) if started else None)
    e = enrol(project, teacher, status)
    seen = check_page(login, personas, reverse("enrolment:enrolment_detail", args=[e.pk]),
                      [(e, actions.ENROLMENT_DOORS)])
    if status == "applied":
        assert seen["county"] == {"recommend", "reject", "withdraw"} and seen["school"] == {"recommend", "withdraw"}
        assert not seen["other_county"] and not seen["institution"] and not seen["auditor"]
    if status == "recommended":
        assert {"select", "reserve"} <= seen["institution"] and not seen["other_institution"]


@pytest.mark.parametrize("status", ["applied", "recommended", "approved", "refused"])
def test_exemption_page_actions_match_the_predicates(login, personas, past_project, teacher, enrol, status):
    outcome = enrol(past_project(2025, end=dt.date(2025, 7, 1)), teacher, "no_show")
    x = Exemption.objects.create(enrolment=outcome, ground="illness", explanation="住院", applied_by=personas.county,
                                 evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4"))
    Exemption.objects.filter(pk=x.pk).update(status=status)
    seen = check_page(login, personas, reverse("enrolment:exemption_detail", args=[x.pk]),
                      [(x, actions.EXEMPTION_DOORS)])
    if status == "applied":
        assert seen["county"] == {"recommend", "refuse"} and not seen["province"] and not seen["school"]
    if status == "recommended":
        assert seen["province"] == {"approve", "refuse"} and not seen["county"]


@pytest.mark.parametrize("status", ["registered", "returned", "approved"])
def test_credit_rows_actions_match_the_predicates(login, personas, make_project, teacher, enrol, status):
    project = make_project(status="in_progress", start=TODAY() - dt.timedelta(days=2))
    e = enrol(project, teacher, "completed")
    credit = CreditRecord.objects.create(enrolment=e, hours=project.hours, year=project.end_date.year)
    CreditRecord.objects.filter(pk=credit.pk).update(status=status)
    seen = check_page(login, personas, reverse("enrolment:credit_list"), [(credit, actions.CREDIT_DOORS)])
    if status == "registered":
        assert seen["office"] == {"approve", "return_"} and seen["province"] == {"approve", "return_"}
    if status == "returned":
        assert seen["institution"] == {"resubmit"} and not seen["other_institution"]


def test_project_page_offers_the_bulk_moves_each_persona_may_make(login, personas, project):
    url = reverse("enrolment:project_detail", args=[project.pk])
    seen = {}
    for name, user in personas.items():
        response = login(user).get(url)
        seen[name] = set(re.findall(r'data-action="([^"]+)"', response.content.decode())) \
            if response.status_code == 200 else set()
    assert seen["county"] == {"reject_ineligible"} and seen["city"] == {"reject_ineligible"}
    assert seen["institution"] == {"select_in_order", "select_by_ranking", "certificates"}
    assert seen["other_institution"] == set()
    assert seen["province"] == seen["office"] == {"reject_ineligible", "publicise", "enrol", "certificates"}
    for name in ("school", "auditor", "ministry", "expert", "finance", "henan_province"):
        assert seen[name] == set(), name


def test_a_bulk_move_the_role_may_not_make_is_refused(login, personas, project, teacher, enrol):
    e = enrol(project, teacher, "recommended")
    url = reverse("enrolment:project_bulk", args=[project.pk])
    assert login(personas.county).post(url, {"action": "select_in_order"}).status_code == 403
    assert login(personas.county).post(url, {"action": "no_such_move"}).status_code == 404
    e.refresh_from_db()
    assert e.status == "recommended"
    assert login(personas.institution).post(url, {"action": "select_in_order"}).status_code == 302
    e.refresh_from_db()
    assert e.status == "selected"
