import pytest

from backoffice.audit import audit_record, timeline_for
from backoffice.config import REGISTRY, get_setting, register_setting, setting_set
from backoffice.exceptions import DomainError
from backoffice.middleware import _request_ip
from backoffice.models import AuditEvent, ProgrammeSetting
from backoffice.workflow import actions_for, fire
from projects.models import Project, ProjectStatus
from tests.factories import ProjectFactory, UserFactory, region


@pytest.fixture
def project(personas, orgs):
    return ProjectFactory(office=orgs.office, owner=orgs.office, created_by=personas.office,
                          plan__created_by=personas.province)


def test_r3_transition_records_who_when_from_to_reason_and_ip(project, personas):
    token = _request_ip.set("10.20.30.40")
    try:
        fire(Project, project.pk, name="cancel", actor=personas.province, reason="经费调整，本年度不再举办")
    finally:
        _request_ip.reset(token)
    event = timeline_for(project).get()
    assert event.actor == personas.province and event.actor_name == str(personas.province)
    assert (event.from_state, event.to_state) == (ProjectStatus.DRAFT, ProjectStatus.CANCELLED)
    assert event.reason == "经费调整，本年度不再举办"
    assert event.ip_address == "10.20.30.40"
    assert event.at is not None and event.region_code == "360000"


def test_r13_r3_refused_transition_leaves_no_log_and_no_change(project, personas):
    with pytest.raises(DomainError) as err:
        fire(Project, project.pk, name="cancel", actor=personas.province, reason="  ")
    assert err.value.code == "reason_required"
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    assert not AuditEvent.objects.exists()


def test_r3_impossible_transition_is_refused_with_the_state_named(project, personas):
    with pytest.raises(DomainError) as err:
        fire(Project, project.pk, name="close", actor=personas.province)
    assert err.value.code == "transition_not_allowed"
    assert not AuditEvent.objects.exists()


def test_r3_audit_records_cannot_be_edited_or_deleted(project, personas):
    event = audit_record(obj=project, actor=personas.province, action="update", changes={"budget": (1, 2)})
    event.reason = "tampered"
    with pytest.raises(DomainError) as err:
        event.save()
    assert err.value.code == "audit_immutable"
    with pytest.raises(DomainError):
        event.delete()
    assert AuditEvent.objects.get().reason == ""


def test_r3_audit_admin_is_read_only(personas, project, client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, organisation=None, role="")
    event = audit_record(obj=project, actor=personas.province, action="update")
    client.force_login(admin)
    assert client.get(f"/admin/backoffice/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/backoffice/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_r3_audit_page_is_searchable_and_scoped(personas, project, login, orgs):
    audit_record(obj=project, actor=personas.province, action="update", reason="预算调整")
    henan_project = ProjectFactory(plan__province=region("410000"), plan__created_by=personas.henan_province)
    audit_record(obj=henan_project, actor=personas.henan_province, action="update", reason="河南调整")
    body = login(personas.auditor).get("/audit/", {"q": "调整"}).content.decode()
    assert "预算调整" in body and "河南调整" not in body


def test_actions_explain_why_a_role_may_not_act(project, personas):
    actions = {a.name: a for a in actions_for(project, personas.province)}
    assert "close" not in actions  # not possible from draft at all
    assert actions["cancel"].reason_required


def test_settings_have_a_default_a_province_value_and_history(personas):
    register_setting("test.window_days", default=5, label="test", rule="R32")
    try:
        assert get_setting("test.window_days", region=region("360121")) == 5
        setting_set(key="test.window_days", value=7, actor=personas.province, province=region("360000"))
        assert get_setting("test.window_days", region=region("360121")) == 7
        assert get_setting("test.window_days", region=region("410000")) == 5
        setting_set(key="test.window_days", value=9, actor=personas.province, province=region("360000"))
        row = ProgrammeSetting.objects.get(key="test.window_days")
        assert [h.value for h in row.history.order_by("history_date")] == [7, 9]
        assert AuditEvent.objects.filter(object_repr="test.window_days").count() == 2
    finally:
        REGISTRY.pop("test.window_days")


def test_audit_page_offers_only_the_object_types_the_trail_records(personas, project, login):
    audit_record(obj=project, actor=personas.province, action="update", reason="预算调整")
    body = login(personas.auditor).get("/audit/").content.decode()
    select = body.split('name="content_type"')[1].split("</select>")[0]
    assert "项目" in select
    for other in ("Axes", "access attempt", "会话", "historical", "权限"):
        assert other not in select, other


def test_audit_page_names_states_and_moves_in_chinese(personas, project, login):
    fire(Project, project.pk, name="cancel", actor=personas.province, reason="经费调整")
    body = login(personas.auditor).get("/audit/").content.decode()
    row = body.split('data-testid="audit-list"')[1].split("</tbody>")[0]
    assert "<td>草稿</td>" in row and "<td>已撤销</td>" in row and "（撤销）" in row, row
    for code in (">draft<", ">cancelled<", "cancel）"):
        assert code not in row, code
