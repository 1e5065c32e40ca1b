"""The endpoints' behaviour a client notices: rosters batch with the Excel import's checks and per-row errors,
idempotency keys, cursor pagination with updated_since, certificates verification (R44, R45), masked IDs (R30)
and problem details (RFC 9457)."""
import datetime as dt

import pytest
from django.utils import timezone

from projects.enrolment.models import Enrolment

pytestmark = pytest.mark.django_db


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def _post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", headers=headers)


def test_r30_r32_roster_batch_refuses_bad_rows_all_or_nothing_with_per_row_errors(api_world, api, make_row):
    url = f"/api/v1/projects/{api_world.project.pk}/applicants/"
    client = api(user=api_world.personas.county)
    good, bad_id, bad_stage = make_row(), make_row(id_number="11010519491231002Y"), make_row(stage="大学")
    response = _post(client, url, {"rows": [good, bad_id, bad_stage]})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "roster_rows_refused"
    assert {e["row"] for e in body["errors"]} == {2, 3}
    assert not Enrolment.objects.filter(teacher__id_number=good["id_number"]).exists()  # nothing written
    ok = _post(client, url, {"rows": [good]})
    assert ok.status_code == 200 and ok.json()["applications_created"] == 1
    again = _post(client, url, {"rows": [good]})  # re-sending changes nothing
    assert again.json()["applications_created"] == 0 and again.json()["already_applied"] == 1


def test_roster_batch_idempotency_key_replays_and_refuses_another_body(api_world, api, make_row):
    url = f"/api/v1/projects/{api_world.project.pk}/applicants/"
    client = api(user=api_world.personas.county)
    rows = {"rows": [make_row()]}
    first = _post(client, url, rows, **{"Idempotency-Key": "batch-2026-03-01"})
    replay = _post(client, url, rows, **{"Idempotency-Key": "batch-2026-03-01"})
    assert first.json() == replay.json() and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["applications_created"] == 1  # the first answer, not a second write
    conflict = _post(client, url, {"rows": [make_row()]}, **{"Idempotency-Key": "batch-2026-03-01"})
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_key_reused"


def test_roster_batch_invalid_body_is_a_problem_with_fields(api_world, api):
    response = _post(api(user=api_world.personas.county), f"/api/v1/projects/{api_world.project.pk}/applicants/",
                     {"rows": [{"name": ""}]})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert any(e["field"].startswith("rows[0]") for e in response.json()["errors"])


def test_cursor_pagination_and_updated_since_sync(api_world, api):
    from projects.models import Project
    from tests.factories import ProjectFactory

    for _ in range(3):
        p = ProjectFactory(plan=api_world.plan, office=api_world.orgs.office, owner=api_world.orgs.office)
    client = api(user=api_world.personas.province)
    page = client.get("/api/v1/projects/?page_size=2").json()
    assert len(page["results"]) == 2 and "cursor=" in page["next"]
    rest = client.get(page["next"]).json()
    assert len(rest["results"]) == 2 and not rest["next"]
    since = (timezone.now() + dt.timedelta(seconds=1)).isoformat()
    assert client.get("/api/v1/projects/", {"updated_since": since}).json()["results"] == []
    Project.objects.get(pk=p.pk).save()  # changed after `since`... once the clock passes it
    later = timezone.now() - dt.timedelta(seconds=5)
    changed = client.get("/api/v1/projects/", {"updated_since": later.isoformat()}).json()["results"]
    assert p.pk in {r["id"] for r in changed}
    assert client.get("/api/v1/projects/", {"updated_since": "yesterday"}).status_code == 400


def test_r44_r45_certificate_verification_is_public_and_never_shows_the_id_number(api_world, api):
    from projects.enrolment import services

    cert = api_world.certificate
    client = api()
    response = client.get("/api/v1/certificates/verify/", {"number": cert.number, "code": cert.verification_code})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["teacher_name"] == api_world.teacher.name and body["hours"] == cert.hours
    number = api_world.teacher.id_number
    assert number not in response.content.decode() and number[-4:] + '"' not in response.content.decode()
    assert client.get("/api/v1/certificates/verify/", {"number": cert.number, "code": "WRONG"}).status_code == 404
    services.certificate_withdraw(actor=api_world.personas.province, certificate=cert, reason="成绩更正")
    assert client.get("/api/v1/certificates/verify/",
                      {"number": cert.number, "code": cert.verification_code}).json()["valid"] is False


def test_r30_credits_by_teacher_and_year_with_masked_ids_unless_the_role_needs_them(api_world, api):
    number = api_world.teacher.id_number
    county = api(user=api_world.personas.county).get("/api/v1/credits/", {"teacher": number, "year": 2026}).json()
    assert [r["id"] for r in county["results"]] == [api_world.credit.pk]
    assert county["results"][0]["id_number"] == number[:6] + "********" + number[-4:]
    province = api(user=api_world.personas.province).get("/api/v1/credits/", {"teacher": number}).json()
    assert province["results"][0]["id_number"] == number
    assert api(user=api_world.personas.county).get("/api/v1/credits/", {"year": 2025}).json()["results"] == []
    certs = api(user=api_world.personas.school).get("/api/v1/certificates/", {"teacher": number.lower()}).json()
    assert [r["number"] for r in certs["results"]] == [api_world.certificate.number]


def test_problem_details_for_unknown_rows_and_domain_refusals(api_world, api):
    missing = api(user=api_world.personas.province).get("/api/v1/projects/999999/")
    assert missing.status_code == 404 and missing.json()["status"] == 404 and missing.json()["title"] == "未找到"
    from projects.models import Project

    Project.objects.filter(pk=api_world.project.pk).update(status="in_progress")
    started = _post(api(user=api_world.personas.county), f"/api/v1/projects/{api_world.project.pk}/applicants/",
                    {"rows": [{"name": "x", "id_number": "x", "school_code": "x", "region_code": "x", "stage": "x",
                               "subject": "x", "started_on": "x", "is_rural": False}]})
    assert started.status_code == 422 and started.json()["code"] == "roster_refused"
    assert _chinese(started.json()["detail"])


@pytest.mark.django_db
@pytest.mark.parametrize("since", ["4451-11-08T10:28:50+16:10", "2026-03-01T00:00:00-15:30"])
def test_updated_since_with_an_offset_postgresql_refuses_is_compared_in_utc(client, since):
    """ISO 8601 allows offsets beyond PostgreSQL's ±15:59; the filter moves the time to UTC (no 500)."""
    response = client.get("/api/v1/tenders/", {"updated_since": since})
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_updated_since_that_leaves_the_calendar_is_bad_input(client):
    response = client.get("/api/v1/tenders/", {"updated_since": "0001-01-01T00:00:00+10:00"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")


def test_r49_roster_batch_refuses_a_whole_staff_project_in_chinese(api_world, api, make_row):
    from projects.models import Project

    Project.objects.filter(pk=api_world.project.pk).update(category="whole_staff")
    client = api(user=api_world.personas.county)
    response = _post(client, f"/api/v1/projects/{api_world.project.pk}/applicants/", {"rows": [make_row()]},
                     **{"Accept-Language": "zh-hans"})
    assert response.status_code == 422 and response.json()["code"] == "whole_staff_no_applications"
    assert "全员培训项目不接受报名" in response.json()["detail"]
    assert not Enrolment.objects.filter(project=api_world.project, teacher__name__startswith="接口教师").exists()
