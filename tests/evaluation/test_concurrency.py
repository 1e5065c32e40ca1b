"""R61 under concurrency: the same one-time token submitted twice at the same moment gives one answer only."""

import pytest
from django.db import connection

from projects.evaluation import services
from projects.evaluation.models import SurveyResponse
from tests.concurrency import race
from tests.factories.evaluation import walk

ANSWER = {"design": 4, "resources": 4, "implementation": 4, "platform": 4, "effect": 4}


@pytest.mark.django_db(transaction=True)
def test_r61_one_response_per_token_under_concurrency(regions, personas, evaluation, third_party):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite ignores row locks; run on PostgreSQL")
    evaluation = walk(evaluation, personas, third_party, to="opened")
    tokens = services.survey_tokens_issue(actor=personas.province, evaluation=evaluation)
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    done, refused, errors = race([lambda: services.survey_submit(token=tokens[0], answers=ANSWER)] * 3)
    assert errors == []
    assert (len(done), refused) == (1, ["r61_token_invalid"] * 2)  # the spent token is gone
    assert SurveyResponse.objects.filter(evaluation=evaluation).count() == 1
