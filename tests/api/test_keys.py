"""R5: API keys — issued by the organisation's staff or the level above, shown once and stored as a hash, limited
to scopes, expiring, revocable at once, last use shown, every write audited to the key and its issuer, never
reaching further than the issuer's role (R2); throttled per key."""
import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from backoffice.api.keys import api_key_issue
from backoffice.exceptions import DomainError
from backoffice.models import ApiKey, AuditEvent

pytestmark = pytest.mark.django_db


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_r5_key_is_shown_once_and_stored_only_as_a_hash(personas, login):
    client = login(personas.county)
    response = client.post("/api-keys/", {"label": "县级学籍系统", "organisation": personas.county.organisation_id,
                                          "scopes": ["rosters:write"], "days": 30})
    assert response.status_code == 200
    page = response.content.decode()
    key = ApiKey.objects.get()
    token = page.split("<code>")[1].split("</code>")[0]
    assert token.startswith(f"gp_{key.prefix}_")
    assert key.key_hash == hashlib.sha256(token.encode()).hexdigest() and token not in str(key.__dict__)
    assert response["Cache-Control"] == "no-store"
    again = client.get("/api-keys/").content.decode()
    assert token not in again and "县级学籍系统" in again  # listed, never shown again


def test_r5_refused_roles_cannot_open_the_key_page(personas, login):
    assert login(personas.auditor).get("/api-keys/").status_code == 403
    assert login(personas.expert).get("/api-keys/").status_code == 403


def test_r5_level_above_issues_for_an_organisation_below_but_not_outside_its_area(personas, orgs):
    key, _token = api_key_issue(actor=personas.county, organisation=orgs.school, label="学校平台",
                                scopes=["credits:read"], days=10)
    assert key.organisation == orgs.school
    for actor, org in [(personas.other_county, orgs.school), (personas.school, orgs.other_school),
                       (personas.institution, orgs.other_institution), (personas.henan_province, orgs.institution)]:
        with pytest.raises(DomainError) as exc:
            api_key_issue(actor=actor, organisation=org, label="x", scopes=["credits:read"], days=10)
        assert exc.value.code == "api_key_issue_refused"
    with pytest.raises(DomainError) as exc:
        api_key_issue(actor=personas.county, organisation=orgs.county, label="x", scopes=["admin:all"], days=10)
    assert exc.value.code == "api_key_scopes"


def test_r5_key_for_a_school_acts_as_that_school_never_further_than_its_issuer(api_world, api, issue_key):
    """The county issues a key for one of its schools: it reads that school's trainees only (R2)."""
    school_key = issue_key(api_world.personas.county, scopes=["credits:read"], organisation=api_world.orgs.school)
    from tests.factories import SchoolFactory, region

    neighbour = SchoolFactory(name="南昌县第二小学", region=region("360121"))
    other_key = issue_key(api_world.personas.county, scopes=["credits:read"], organisation=neighbour)
    assert api_world.credit.pk in {r["id"] for r in api(token=school_key).get("/api/v1/credits/").json()["results"]}
    assert api(token=other_key).get("/api/v1/credits/").json()["results"] == []


def test_r5_revoked_and_expired_keys_are_refused_at_once(api_world, api, issue_key):
    token = issue_key(api_world.personas.ministry, scopes=["plans:read"])
    assert api(token=token).get("/api/v1/plans/").status_code == 200
    key = ApiKey.objects.get(prefix=token.split("_")[1])
    response = api(user=api_world.personas.ministry).post(f"/api-keys/{key.pk}/revoke/")
    assert response.status_code == 302
    refused = api(token=token).get("/api/v1/plans/")
    assert refused.status_code == 401 and refused.json()["code"] == "api_key_inactive"
    assert _chinese(refused.json()["detail"])
    token2 = issue_key(api_world.personas.ministry, scopes=["plans:read"])
    ApiKey.objects.filter(prefix=token2.split("_")[1]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api(token=token2).get("/api/v1/plans/").status_code == 401
    assert api(token="gp_nope_nope").get("/api/v1/plans/").json()["code"] == "api_key_unknown"


def test_r5_last_use_is_recorded_and_shown(api_world, api, issue_key):
    token = issue_key(api_world.personas.ministry, scopes=["plans:read"])
    api(token=token).get("/api/v1/plans/")
    key = ApiKey.objects.get(prefix=token.split("_")[1])
    assert key.last_used_at is not None and key.last_used_ip == "127.0.0.1"
    page = api(user=api_world.personas.ministry).get("/api-keys/").content.decode()
    assert key.last_used_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M") in page


def test_r3_r5_write_by_key_is_audited_to_the_key_and_its_issuer(api_world, api, issue_key, make_row):
    county = api_world.personas.county
    token = issue_key(county, scopes=["rosters:write"], label="县学籍系统")
    response = api(token=token).post(f"/api/v1/projects/{api_world.project.pk}/applicants/",
                                     {"rows": [make_row()]}, content_type="application/json")
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.filter(action="import").latest("pk")
    assert event.actor_id == county.pk and "县学籍系统" in event.actor_name and event.ip_address == "127.0.0.1"


def test_r5_throttling_is_per_key(api_world, api, issue_key, monkeypatch):
    from backoffice.api.throttling import ApiKeyRateThrottle

    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    first = issue_key(api_world.personas.ministry, scopes=["plans:read"])
    second = issue_key(api_world.personas.ministry, scopes=["plans:read"])
    assert [api(token=first).get("/api/v1/plans/").status_code for _ in range(3)] == [200, 200, 429]
    throttled = api(token=first).get("/api/v1/plans/")
    assert throttled.json()["code"] == "throttled" and "Retry-After" in throttled
    assert api(token=second).get("/api/v1/plans/").status_code == 200  # another key has its own budget
