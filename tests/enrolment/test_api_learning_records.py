"""Issue 15 through the API: an institution's platform sends a day's learning records (R47) with its key and
reads the computed outcomes (R48); refused rows come back per row; the key is recorded on the delivery (R5)."""
import datetime as dt

import pytest

from backoffice.models import AuditEvent
from projects.enrolment.outcomes.models import LearningRecord, LearningRecordBatch
from tests.api.conftest import _fresh_throttles, api, issue_key  # noqa: F401 (fixtures)

from .outcome_helpers import TODAY, compute

pytestmark = pytest.mark.django_db


def _row(number, minutes, **extra):
    start = TODAY() - dt.timedelta(days=5)
    return {"id_number": number, "period_start": start.isoformat(), "period_end": start.isoformat(),
            "minutes": minutes, **extra}


def test_r47_r5_platform_sends_records_with_its_key_and_reads_outcomes(online, trainee, personas, api, issue_key):
    token = issue_key(personas.institution, scopes=["learning_records:write", "outcomes:read"], label="研修平台")
    client = api(token=token)
    url = f"/api/v1/projects/{online.pk}/learning-records/"
    sent = client.post(url, {"source": "研修网", "rows": [_row(trainee.teacher.id_number, 600, assessment_score=88)]},
                       content_type="application/json", headers={"Idempotency-Key": "day-1"})
    assert sent.status_code == 200, sent.content
    assert sent.json()["written"] == 1
    batch = LearningRecordBatch.objects.get()
    assert batch.api_key_id and AuditEvent.objects.filter(object_id=str(batch.pk), actor=personas.institution,
                                                          actor_name__contains="研修平台").exists()
    again = client.post(url, {"source": "研修网", "rows": [_row(trainee.teacher.id_number, 600, assessment_score=88)]},
                        content_type="application/json", headers={"Idempotency-Key": "day-1"})
    assert again.json()["replayed"] is True and LearningRecord.objects.count() == 1
    compute(personas.institution, online)
    outcomes = client.get(f"/api/v1/projects/{online.pk}/outcomes/").json()["results"]
    assert [o["enrolment"] for o in outcomes] == [trainee.pk]
    assert outcomes[0]["minutes"] == 600 and outcomes[0]["id_number"].count("*") == 8


def test_r47_refused_rows_come_back_per_row_and_nothing_is_written(online, trainee, personas, api, issue_key):
    client = api(token=issue_key(personas.institution, scopes=["learning_records:write"]))
    response = client.post(f"/api/v1/projects/{online.pk}/learning-records/", {"source": "研修网", "rows": [
        _row(trainee.teacher.id_number, 600), _row("11010519491231002X", 60), _row(trainee.teacher.id_number, 5000)]},
        content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "learning_records_refused"
    assert {e["row"] for e in response.json()["errors"]} >= {2, 3}
    assert not LearningRecord.objects.exists()


def test_r5_learning_records_refused_without_scope_or_for_another_institution(online, trainee, personas, api,
                                                                              issue_key):
    url = f"/api/v1/projects/{online.pk}/learning-records/"
    body = {"source": "研修网", "rows": [_row(trainee.teacher.id_number, 60)]}
    no_scope = api(token=issue_key(personas.institution, scopes=["outcomes:read"])).post(
        url, body, content_type="application/json")
    assert no_scope.status_code == 403 and no_scope.json()["code"] == "api_scope_missing"
    other = api(token=issue_key(personas.other_institution, scopes=["learning_records:write"])).post(
        url, body, content_type="application/json")
    assert other.status_code in (403, 404)
    county = api(user=personas.county).post(url, body, content_type="application/json")
    assert county.status_code == 403
    assert not LearningRecord.objects.exists()
