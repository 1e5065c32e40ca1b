"""Every transition, for an allowed and a refused role/scope (R2, R15). Table-driven."""
from decimal import Decimal

import pytest

from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from projects import services
from projects.models import PlanStatus, ProjectStatus

pytestmark = pytest.mark.django_db

# transition service, starting state, allowed personas, refused personas
PROJECT_TABLE = [
    ("project_submit", "draft", ["city"], ["office", "province", "county", "institution", "auditor", "ministry"]),
    ("project_submit", "returned", ["city"], ["office", "other_county"]),
    ("project_review", "submitted", ["office"], ["province", "city", "ministry", "auditor", "institution"]),
    ("project_return", "submitted", ["office"], ["city", "county", "henan_province", "auditor"]),
    ("project_return", "reviewed", ["province"], ["office", "city", "henan_province", "auditor"]),
    ("project_approve", "reviewed", ["province"], ["office", "city", "ministry", "henan_province", "auditor", "finance"]),
    ("project_cancel", "draft", ["city", "province", "office"], ["county", "institution", "auditor", "henan_province"]),
    ("project_cancel", "contracted", ["province", "office"], ["city", "institution", "auditor"]),
    ("project_put_to_tender", "filed", ["province", "office"], ["city", "institution", "ministry", "henan_province", "auditor"]),
    ("project_tender_failed", "tendering", ["province", "office"], ["city", "institution", "henan_province"]),
    ("project_record_contract", "tendering", ["province", "office"], ["city", "institution", "henan_province"]),
    ("project_start", "contracted", ["institution", "province", "office"], ["other_institution", "city", "henan_province", "auditor"]),
    ("project_complete", "in_progress", ["institution", "province", "office"], ["other_institution", "county", "auditor"]),
    ("project_mark_evaluated", "completed", ["province", "office"], ["institution", "city", "henan_province"]),
    ("project_close", "evaluated", ["province", "office"], ["institution", "city", "auditor"]),
]

TARGET = {
    "project_submit": "submitted", "project_review": "reviewed", "project_return": "returned",
    "project_approve": "approved", "project_cancel": "cancelled", "project_put_to_tender": "tendering",
    "project_tender_failed": "filed", "project_record_contract": "contracted", "project_start": "in_progress",
    "project_complete": "completed", "project_mark_evaluated": "evaluated", "project_close": "closed",
}


def _call(name, project, actor, orgs):
    service = getattr(services, name)
    extra = {}
    if name in ("project_return", "project_cancel", "project_tender_failed"):
        extra["reason"] = "理由充分"
    if name == "project_record_contract":
        extra.update(institution=orgs.institution, unit_price=Decimal("12.50"), contract_reference="HT-1")
    if name == "project_mark_evaluated":
        extra["grade"] = "good"
    return service(project=project, actor=actor, **extra)


def _prepare(project, state, at_state, orgs, filed=False):
    if state in ("contracted", "in_progress", "completed", "evaluated"):
        project.institution = orgs.institution
        project.unit_price = Decimal("12.50")
        project.save(update_fields=["institution", "unit_price"])
    if state in ("filed", "tendering", "contracted", "in_progress", "completed", "evaluated"):
        at_state(project.plan, PlanStatus.FILED)
    return at_state(project, state)


@pytest.mark.parametrize("name,state,allowed,refused", PROJECT_TABLE,
                         ids=[f"{row[0]}-from-{row[1]}" for row in PROJECT_TABLE])
def test_project_transition_allowed_and_refused(name, state, allowed, refused, make_project, personas, orgs, at_state):
    for who in refused:
        project = _prepare(make_project(), state, at_state, orgs)
        with pytest.raises(DomainError) as err:
            _call(name, project, personas[who], orgs)
        assert err.value.code == "transition_forbidden", who
        project.refresh_from_db()
        assert project.status == state
        assert not AuditEvent.objects.filter(object_id=str(project.pk), action="transition").exists()
    for who in allowed:
        project = _prepare(make_project(), state, at_state, orgs)
        result = _call(name, project, personas[who], orgs)
        assert result.status == TARGET[name], who
        event = AuditEvent.objects.get(object_id=str(project.pk), action="transition")
        assert (event.actor, event.from_state, event.to_state) == (personas[who], state, TARGET[name])


def test_superuser_may_fire_the_hooks_of_other_apps(make_project, orgs, at_state):
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, role="", organisation=None)
    project = _prepare(make_project(), "filed", at_state, orgs)
    services.project_put_to_tender(project=project, actor=admin)
    services.project_record_contract(project=project, actor=admin, institution=orgs.institution,
                                     unit_price=Decimal("12.50"), contract_reference="HT-9")
    project.refresh_from_db()
    assert (project.status, project.institution, project.unit_price) == ("contracted", orgs.institution, Decimal("12.50"))


@pytest.mark.parametrize("state", ["in_progress", "completed", "evaluated", "closed"])
def test_cancel_impossible_once_training_started(state, make_project, personas, orgs, at_state):
    project = _prepare(make_project(), state, at_state, orgs)
    with pytest.raises(DomainError) as err:
        services.project_cancel(project=project, actor=personas.province, reason="太晚了")
    assert err.value.code == "transition_not_allowed"


def test_owner_may_not_cancel_after_submission(make_project, personas, advance):
    project = advance(make_project(), "submitted")
    with pytest.raises(DomainError) as err:
        services.project_cancel(project=project, actor=personas.city, reason="不办了")
    assert err.value.code == "transition_forbidden"


PLAN_TABLE = [
    ("plan_submit", "draft", ["province"], ["office", "city", "ministry", "henan_province", "auditor", "finance"]),
    ("plan_return", "submitted", ["ministry"], ["province", "office", "auditor"]),
    ("plan_approve", "submitted", ["ministry"], ["province", "office", "henan_province", "auditor"]),
    ("plan_file", "approved", ["ministry"], ["province", "office", "auditor"]),
]
PLAN_TARGET = {"plan_submit": "submitted", "plan_return": "returned", "plan_approve": "approved", "plan_file": "filed"}


@pytest.mark.parametrize("name,state,allowed,refused", PLAN_TABLE, ids=[r[0] for r in PLAN_TABLE])
def test_plan_transition_allowed_and_refused(name, state, allowed, refused, plan, make_project, personas, at_state):
    project = make_project()
    at_state(project, ProjectStatus.APPROVED)
    for who in refused + allowed:
        at_state(plan, state)
        kwargs = {"reason": "请补充"} if name == "plan_return" else {}
        call = lambda: getattr(services, name)(plan=plan, actor=personas[who], **kwargs)  # noqa: E731
        if who in refused:
            with pytest.raises(DomainError) as err:
                call()
            assert err.value.code == "transition_forbidden", who
        else:
            assert call().status == PLAN_TARGET[name]
            at_state(project, ProjectStatus.APPROVED)
