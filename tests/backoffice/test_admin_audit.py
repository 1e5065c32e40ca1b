"""R3: changes made in the admin are audited like changes made through the product's pages."""
import datetime as dt

import pytest
from django import forms
from django.utils import timezone

from backoffice.audit import timeline_for
from backoffice.models import AuditAction, Role, User
from tendering.models import ExpertProfile, Holiday
from tests.factories import TeacherFactory, UserFactory


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True, organisation=None, role="")


@pytest.fixture
def admin_client(client, root, personas):
    # The admin's date-joined widget shows whole minutes; start from one so an untouched form changes nothing.
    User.objects.update(date_joined=timezone.now().replace(second=0, microsecond=0))
    client.force_login(root)
    return client


def change_form_data(response) -> dict:
    """What the browser would post back from an admin change form, unchanged."""
    data = {}
    for bf in response.context["adminform"].form:
        if bf.field.disabled:
            continue
        value = bf.value()
        if isinstance(bf.field, forms.BooleanField):
            if value:
                data[bf.html_name] = "on"
        elif isinstance(bf.field, forms.MultiValueField):
            for sub in bf.subwidgets[0].data["subwidgets"]:
                data[sub["name"]] = sub["value"] or ""
        elif isinstance(value, (list, tuple)):
            data[bf.html_name] = [str(v) for v in value]
        else:
            data[bf.html_name] = "" if value is None else value
    return data


def admin_change(client, url, **changes):
    data = change_form_data(client.get(url))
    data.update(changes)
    for name, value in list(data.items()):
        if value is False:
            del data[name]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_r3_admin_change_of_a_users_role_is_audited_with_old_and_new(admin_client, root, personas, orgs):
    user = personas.county
    admin_change(admin_client, f"/admin/backoffice/user/{user.pk}/change/", role=Role.CITY_STAFF,
                 organisation=orgs.city.pk)
    user.refresh_from_db()
    assert (user.role, user.organisation) == (Role.CITY_STAFF, orgs.city)
    event = timeline_for(user).get()
    assert event.action == AuditAction.UPDATE and event.actor == root and event.ip_address == "127.0.0.1"
    assert event.changes["role"] == [Role.COUNTY_STAFF, Role.CITY_STAFF]
    assert event.changes["organisation"] == [str(orgs.county), str(orgs.city)]
    assert event.region_code == "360100"


def test_r3_admin_grant_of_superuser_and_staff_flags_is_audited(admin_client, personas):
    user = personas.school
    admin_change(admin_client, f"/admin/backoffice/user/{user.pk}/change/", is_superuser="on", is_staff="on",
                 is_active=False)
    event = timeline_for(user).get()
    assert event.changes == {"is_superuser": [False, True], "is_staff": [False, True], "is_active": [True, False]}


def test_r3_admin_save_without_a_change_writes_no_event(admin_client, personas):
    admin_change(admin_client, f"/admin/backoffice/user/{personas.city.pk}/change/")
    assert not timeline_for(personas.city).exists()


def test_r3_admin_password_hash_never_enters_the_trail(admin_client, personas):
    admin_change(admin_client, f"/admin/backoffice/user/{personas.city.pk}/change/", full_name="改名")
    event = timeline_for(personas.city).get()
    assert set(event.changes) == {"full_name"}


def test_r3_admin_holiday_added_changed_and_deleted_are_audited(admin_client, root):
    admin_client.post("/admin/tendering/holiday/add/", {"date": "2030-10-01", "name": "国庆节"})
    holiday = Holiday.objects.get(date=dt.date(2030, 10, 1))
    admin_change(admin_client, f"/admin/tendering/holiday/{holiday.pk}/change/", is_working_day="on")
    admin_client.post(f"/admin/tendering/holiday/{holiday.pk}/delete/", {"post": "yes"})
    assert not Holiday.objects.exists()
    events = list(timeline_for(holiday))
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]
    assert events[0].changes["name"] == [None, "国庆节"]
    assert events[1].changes == {"is_working_day": [False, True]}
    assert events[2].changes["date"] == ["2030-10-01", None] and events[2].actor == root


def test_r3_admin_bulk_delete_of_holidays_is_audited(admin_client):
    days = [Holiday.objects.create(date=dt.date(2030, 5, d), name="劳动节") for d in (1, 2)]
    admin_client.post("/admin/tendering/holiday/", {"action": "delete_selected", "post": "yes",
                                                     "_selected_action": [d.pk for d in days]})
    assert not Holiday.objects.exists()
    for day in days:
        assert timeline_for(day).get().action == AuditAction.DELETE


def test_r3_r25_admin_change_of_an_experts_declared_relations_is_audited(admin_client, personas, orgs):
    profile = ExpertProfile.objects.create(user=personas.expert, employer=orgs.other_institution)
    profile.declared_relations.add(orgs.other_institution)
    admin_change(admin_client, f"/admin/tendering/expertprofile/{profile.pk}/change/",
                 declared_relations=[str(orgs.institution.pk)])
    event = timeline_for(profile).get()
    assert event.changes == {"declared_relations": [[str(orgs.other_institution)], [str(orgs.institution)]]}
    assert event.region_code == "360100"


def test_r3_admin_change_of_a_teachers_eligibility_is_audited(admin_client, orgs):
    teacher = TeacherFactory(school=orgs.school)
    admin_change(admin_client, f"/admin/backoffice/teacher/{teacher.pk}/change/", is_rural=not teacher.is_rural)
    event = timeline_for(teacher).get()
    assert event.changes == {"is_rural": [teacher.is_rural, not teacher.is_rural]}
    assert event.region_code == "360121"
