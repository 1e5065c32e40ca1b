"""R61: one response per one-time token; nothing in the database, the audit trail, the logs or the exports
leads from an answer to a trainee; results only from the minimum response rate (a setting)."""
import io
import logging

import pytest
from django.db import models
from openpyxl import load_workbook

from backoffice.config import setting_set
from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from projects.evaluation import documents, scoring, services
from projects.evaluation.models import SurveyResponse, SurveyToken
from tests.factories.evaluation import completed_project, walk

DIMS = ("design", "resources", "implementation", "platform", "effect")


def answer(v=5, **kw):
    return {**{d: v for d in DIMS}, **kw}


@pytest.fixture
def collecting(evaluation, personas, third_party):
    return walk(evaluation, personas, third_party, to="opened")


def _open(evaluation, personas):
    tokens = services.survey_tokens_issue(actor=personas.province, evaluation=evaluation)
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    return tokens


def test_r61_tokens_one_per_trainee_who_attended(collecting, personas):
    tokens = services.survey_tokens_issue(actor=personas.province, evaluation=collecting)
    assert len(tokens) == 8  # reported for training: 6 completed, 1 not completed, 1 dismissed
    assert SurveyToken.objects.filter(evaluation=collecting).count() == 8
    stored = set(SurveyToken.objects.values_list("digest", flat=True))
    assert not stored & set(tokens)  # only keyed digests are stored


def test_r61_one_response_per_token(collecting, personas):
    tokens = _open(collecting, personas)
    services.survey_submit(token=tokens[0], answers=answer(4))
    with pytest.raises(DomainError) as exc:
        services.survey_submit(token=tokens[0], answers=answer(1))
    assert exc.value.code == "r61_token_invalid"  # a spent token leaves no row behind
    with pytest.raises(DomainError) as exc:
        services.survey_submit(token="made-up", answers=answer(1))
    assert exc.value.code == "r61_token_invalid"
    assert SurveyResponse.objects.filter(evaluation=collecting).count() == 1


def test_r61_reissuing_replaces_only_unused_tokens(collecting, personas):
    tokens = _open(collecting, personas)
    for t in tokens[:3]:
        services.survey_submit(token=t, answers=answer())
    again = services.survey_tokens_issue(actor=personas.province, evaluation=collecting)
    assert len(again) == 5
    assert SurveyToken.objects.filter(evaluation=collecting).count() == 5  # answered tokens are gone
    with pytest.raises(DomainError):
        services.survey_submit(token=tokens[5], answers=answer())  # replaced, no longer valid
    services.survey_submit(token=again[0], answers=answer())


def test_r61_survey_only_while_collecting(collecting, personas):
    tokens = _open(collecting, personas)
    services.evaluation_close_collection(actor=personas.province, evaluation=collecting)
    with pytest.raises(DomainError) as exc:
        services.survey_submit(token=tokens[0], answers=answer())
    assert exc.value.code == "survey_closed"


def test_r61_every_aspect_rated_1_to_5(collecting, personas):
    tokens = _open(collecting, personas)
    with pytest.raises(DomainError) as exc:
        services.survey_submit(token=tokens[0], answers=answer(6))
    assert exc.value.code == "survey_incomplete"
    assert SurveyToken.objects.filter(digest=services.token_digest(tokens[0])).exists()  # not spent


def test_r61_no_trainee_key_ip_or_time_stored_with_an_answer():
    fields = {f.name: f for f in SurveyResponse._meta.get_fields() if f.concrete}
    assert set(fields) == {"id", "evaluation", *DIMS, "comment"}
    assert isinstance(fields["id"], models.UUIDField)  # random key: no insertion order
    assert not any(isinstance(f, (models.DateField, models.DateTimeField, models.GenericIPAddressField))
                   for f in fields.values())
    token_fields = {f.name for f in SurveyToken._meta.get_fields() if f.concrete}
    assert token_fields == {"id", "evaluation", "digest"}  # not tied to an enrolment, teacher or answer


def test_r61_answering_leaves_no_audit_row_and_no_log_line(collecting, personas, caplog, client):
    tokens = _open(collecting, personas)
    before = AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/evaluation/survey/{tokens[0]}/", {**answer(3), "comment": ""},
                               REMOTE_ADDR="203.0.113.9")
        client.post(f"/evaluation/survey/{tokens[0]}/", answer(3))  # spent link: 200, no error log
        client.get("/evaluation/survey/not-a-token/")
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before
    assert not any(tokens[0] in r.getMessage() or "203.0.113.9" in r.getMessage() for r in caplog.records)
    assert SurveyResponse.objects.count() == 1


def test_r61_export_shuffles_and_has_no_order_key(collecting, personas):
    """The answers are written in order 1..12; exports must not give that order back (nor any key or time)."""
    tokens = _open(collecting, personas)
    for i, token in enumerate(tokens):
        services.survey_submit(token=token, answers=answer(1 + i % 5), comment=f"c{i}")
    setting_set(key="evaluation.survey_min_responses", value=1, actor=personas.province)
    orders = set()
    for _ in range(6):
        ws = load_workbook(io.BytesIO(documents.responses_xlsx(evaluation=collecting))).active
        rows = list(ws.iter_rows(values_only=True))
        assert len(rows[0]) == 6  # five ratings and the comment: no number, key or time column
        orders.add(tuple(r[5] for r in rows[1:]))
    insertion = tuple(f"c{i}" for i in range(len(tokens)))
    assert len(orders) > 1 and orders != {insertion}


@pytest.mark.parametrize("tokens, responses, visible", [(40, 9, False), (40, 10, True), (20, 5, False),
                                                         (20, 6, True)])
def test_r61_results_shown_from_10_responses_or_30_percent(orgs, personas, third_party, tokens, responses, visible):
    project = completed_project(orgs, personas, outcomes=["completed"] * tokens, priority=set())
    evaluation = services.evaluation_open(actor=personas.province, project=project)
    evaluation = walk(evaluation, personas, third_party, to="opened")
    issued = _open(evaluation, personas)
    for t in issued[:responses]:
        services.survey_submit(token=t, answers=answer(4))
    summary = scoring.survey_summary(evaluation)
    assert summary.visible is visible
    assert (summary.score is not None) is visible


def test_r61_minimum_response_rate_is_a_setting(collecting, personas):
    tokens = _open(collecting, personas)
    services.survey_submit(token=tokens[0], answers=answer(4))
    services.survey_submit(token=tokens[1], answers=answer(4))
    assert not scoring.survey_summary(collecting).visible  # 2 of 8 = 25% < 30%
    setting_set(key="evaluation.survey_min_share_percent", value=25, actor=personas.province)
    assert scoring.survey_summary(collecting).visible


def test_r61_public_page_answers_without_logging_in(collecting, personas, client):
    tokens = _open(collecting, personas)
    page = client.get(f"/evaluation/survey/{tokens[0]}/")
    assert page.status_code == 200 and b"survey-form" in page.content
    done = client.post(f"/evaluation/survey/{tokens[0]}/", answer(5))
    assert b"survey-message" in done.content
    assert SurveyResponse.objects.filter(evaluation=collecting).count() == 1
    again = client.get(f"/evaluation/survey/{tokens[0]}/")
    assert b"survey-form" not in again.content


def test_r61_results_not_shown_while_answers_still_arrive(collecting, personas, login):
    """Comparing the page before and after one trainee answers would reveal that answer: results (page, export,
    provisional total) wait until the survey is closed, even past the threshold."""
    tokens = _open(collecting, personas)
    for t in tokens[:4]:
        services.survey_submit(token=t, answers=answer(4))
    assert scoring.survey_summary(collecting).visible and not scoring.survey_summary(collecting).shown
    client = login(personas.province)
    page = client.get(f"/evaluation/{collecting.pk}/").content.decode()
    assert 'data-testid="chart-satisfaction"' not in page and "provisional-total" not in page
    assert client.get(f"/evaluation/{collecting.pk}/survey.xlsx").status_code == 404
    services.evaluation_close_collection(actor=personas.province, evaluation=collecting)
    services.assessment_record(actor=personas.expert, evaluation=collecting, source="expert", score="80")
    page = client.get(f"/evaluation/{collecting.pk}/").content.decode()
    assert 'data-testid="chart-satisfaction"' in page and 'data-testid="provisional-total"' in page
    assert client.get(f"/evaluation/{collecting.pk}/survey.xlsx").status_code == 200
