"""The OpenAPI schema: committed in docs/openapi.yaml (a test fails when the code drifts from it), served with
Swagger UI and Redoc from local files, and fuzzed by schemathesis with a demo key: no server error and no response
outside the schema."""
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def test_committed_schema_matches_the_code():
    out = StringIO()
    call_command("spectacular", "--lang", "en", "--validate", stdout=out)
    assert out.getvalue() == SCHEMA_FILE.read_text(), (
        "docs/openapi.yaml is stale: python manage.py spectacular --lang en --validate --file docs/openapi.yaml")


@pytest.mark.django_db
def test_api_docs_are_served_from_local_files(client):
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page and "cdn" not in page.lower()
    redoc = client.get("/api/v1/redoc/").content.decode()
    assert "drf_spectacular_sidecar/redoc" in redoc and "cdn" not in redoc.lower()
    assert client.get("/api/v1/schema/").status_code == 200


@contextmanager
def _test_connection_kept():
    """As Django's test client does: the WSGI handler would otherwise close the test's database connection (and
    with it the test's transaction) at the end of each request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_schemathesis_finds_no_server_error_and_no_schema_violation(api_world, issue_key, monkeypatch):
    """Every operation of the live schema, with a key holding every scope (the county's, which may also write
    rosters); cases per operation kept small so the run stays well under two minutes."""
    _fuzz(api_world, issue_key, monkeypatch)


def _fuzz(api_world, issue_key, monkeypatch):
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings
    from schemathesis import checks
    from schemathesis.specs.openapi import checks as openapi_checks

    from backoffice.api.throttling import AnonRateThrottle, ApiKeyRateThrottle

    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "100000/min"})
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/min"})
    token = issue_key(api_world.personas.county)
    wanted = [checks.not_a_server_error, openapi_checks.status_code_conformance,
              openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance]
    counted = {"cases": 0}
    with _test_connection_kept():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 16
        for operation in operations:
            @given(case=operation.as_strategy())
            @hsettings(max_examples=8, deadline=None, database=None, derandomize=True,
                       suppress_health_check=list(HealthCheck))
            def run(case):
                counted["cases"] += 1
                case.call_and_validate(headers={"Authorization": f"Api-Key {token}"}, checks=wanted)

            run()
    print(f"schemathesis: {counted['cases']} cases over {len(operations)} operations")
