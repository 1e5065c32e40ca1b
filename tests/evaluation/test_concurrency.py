"""R61 under concurrency: the same one-time token submitted twice at the same moment gives one answer only."""
import threading

import pytest
from django.db import connection

from backoffice.exceptions import DomainError
from projects.evaluation import services
from projects.evaluation.models import SurveyResponse
from tests.factories.evaluation import walk

ANSWER = {"design": 4, "resources": 4, "implementation": 4, "platform": 4, "effect": 4}


@pytest.mark.django_db(transaction=True)
def test_r61_one_response_per_token_under_concurrency(regions, personas, evaluation, third_party):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite ignores row locks; run on PostgreSQL")
    evaluation = walk(evaluation, personas, third_party, to="opened")
    tokens = services.survey_tokens_issue(actor=personas.province, evaluation=evaluation)
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    barrier = threading.Barrier(3)
    codes, errors = [], []

    def submit():
        from django.db import connections

        try:
            barrier.wait()
            services.survey_submit(token=tokens[0], answers=ANSWER)
            codes.append("ok")
        except DomainError as exc:
            codes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(codes) == ["ok", "r61_token_invalid", "r61_token_invalid"]  # the spent token is gone
    assert SurveyResponse.objects.filter(evaluation=evaluation).count() == 1
