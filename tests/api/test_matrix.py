"""Every endpoint × every role, by session and by API key with each scope, allowed and refused (R2, R5), in the
style of the permission-matrix tests: a role reads exactly the rows its scope covers; a key reads what its
issuer's role reads, only with the endpoint's scope; public endpoints answer anyone."""
import pytest

from backoffice.api.scopes import CREDITS_READ, FINANCE_READ, PLANS_READ, SCOPES

pytestmark = pytest.mark.django_db

ROLES = ["ministry", "province", "office", "city", "county", "other_county", "school", "institution",
         "other_institution", "expert", "finance", "auditor", "henan_province"]
JIANGXI_GOV = {"ministry", "province", "office", "city", "county", "other_county", "finance", "auditor"}
TRAINEE_READERS = {"ministry", "province", "office", "city", "county", "school", "institution", "finance", "auditor"}
FINANCE_READERS = {"finance", "auditor", "institution"}

# endpoint: (url, the world's row it lists, scope a key needs, roles that see the row)
ENDPOINTS = {
    "plans": ("/api/v1/plans/", "plan", PLANS_READ, JIANGXI_GOV),
    "projects": ("/api/v1/projects/", "project", PLANS_READ, TRAINEE_READERS),
    "credits": ("/api/v1/credits/", "credit", CREDITS_READ, TRAINEE_READERS),
    "certificates": ("/api/v1/certificates/", "certificate", CREDITS_READ, TRAINEE_READERS),
    "statements": ("/api/v1/statements/", "statement", FINANCE_READ, FINANCE_READERS),
    "payments": ("/api/v1/payments/", "payment", FINANCE_READ, FINANCE_READERS),
}
PUBLIC = {
    "tenders": ("/api/v1/tenders/", "tender"),
    "award-notices": ("/api/v1/award-notices/", "lot"),
}
# Auditors read only and experts act on assigned items: neither issues keys (R2, R5).
ISSUERS = [r for r in ROLES if r not in ("auditor", "expert")]


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_r2_r5_session_matrix_every_role_reads_exactly_its_scope(api_world, api, endpoint):
    url, row, _scope, readers = ENDPOINTS[endpoint]
    for role in ROLES:
        seen = api_world[row].pk in _ids(api(user=api_world.personas[role]).get(url))
        assert seen == (role in readers), f"{role} on {endpoint}: sees={seen}"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_r2_r5_anonymous_is_refused_with_problem_details(api_world, api, endpoint):
    response = api().get(ENDPOINTS[endpoint][0])
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_r5_key_matrix_reads_what_its_issuer_reads_with_the_scope_only(api_world, api, issue_key, endpoint):
    url, row, scope, readers = ENDPOINTS[endpoint]
    for role in ISSUERS:
        user = api_world.personas[role]
        seen = api_world[row].pk in _ids(api(token=issue_key(user, scopes=[scope])).get(url))
        assert seen == (role in readers), f"{role}'s key on {endpoint}: sees={seen}"
        others = [s for s in SCOPES if s != scope]
        refused = api(token=issue_key(user, scopes=others)).get(url)
        assert refused.status_code == 403, f"{role}'s key without {scope}"
        assert refused.json()["code"] == "api_scope_missing"


@pytest.mark.parametrize("endpoint", PUBLIC)
def test_public_endpoints_answer_anyone(api_world, api, issue_key, endpoint):
    url, row = PUBLIC[endpoint]
    assert api_world[row].pk in _ids(api().get(url))
    for role in ROLES:
        assert api_world[row].pk in _ids(api(user=api_world.personas[role]).get(url))
    assert api_world[row].pk in _ids(api(token=issue_key(api_world.personas.county, scopes=[PLANS_READ])).get(url))


@pytest.mark.parametrize("role", ["auditor", "expert"])
def test_r5_auditors_and_experts_issue_no_keys(api_world, issue_key, role):
    from backoffice.exceptions import DomainError

    with pytest.raises(DomainError) as exc:
        issue_key(api_world.personas[role])
    assert exc.value.code == "api_key_issue_refused"


ROSTER_ALLOWED = {"city", "county", "school"}


def test_r5_roster_batch_matrix_by_role_and_scope(api_world, api, issue_key, make_row):
    """Applicants are put forward by the teacher's school or county (R32); a key needs rosters:write."""
    from projects.models import Project

    Project.objects.filter(pk=api_world.project.pk).update(status="contracted")
    url = f"/api/v1/projects/{api_world.project.pk}/applicants/"
    for role in ROLES:
        user = api_world.personas[role]
        response = api(user=user).post(url, {"rows": [make_row()]}, content_type="application/json")
        if role in ROSTER_ALLOWED:
            assert response.status_code == 200, (role, response.content)
        elif role == "other_county":
            # May put applicants forward, but not this school's teachers: the row is refused, as in the Excel import.
            assert response.status_code == 422 and response.json()["code"] == "roster_rows_refused"
        else:
            assert response.status_code in (403, 404), (role, response.status_code)
    county = api_world.personas.county
    assert api(token=issue_key(county, scopes=["rosters:write"])).post(
        url, {"rows": [make_row()]}, content_type="application/json").status_code == 200
    refused = api(token=issue_key(county, scopes=[s for s in SCOPES if s != "rosters:write"])).post(
        url, {"rows": [make_row()]}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "api_scope_missing"
