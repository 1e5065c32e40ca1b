"""Issue 11 #10 (R61): nothing in the database pairs an answer with the token that was spent for it — no
column and no system column (transaction id, physical order, ids, timestamps). PostgreSQL only: xmin and
ctid are its system columns."""
import pytest
from django.db import connection

from projects.evaluation import services
from projects.evaluation.models import SurveyResponse, SurveyToken
from tests.factories.evaluation import walk

ANSWER = {"design": 4, "resources": 3, "implementation": 5, "platform": 4, "effect": 2}


def _system_columns(model) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text, xmax::text, ctid::text FROM {model._meta.db_table}")
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_r61_spent_token_shares_no_transaction_or_order_with_its_answer(regions, personas, evaluation, third_party):
    if connection.vendor != "postgresql":
        pytest.skip("xmin and ctid are PostgreSQL system columns")
    evaluation = walk(evaluation, personas, third_party, to="opened")
    tokens = services.survey_tokens_issue(actor=personas.province, evaluation=evaluation)
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    for token in tokens[:3]:  # each answer in its own transaction, as from the public page
        services.survey_submit(token=token, answers=ANSWER)

    answer_xids = {xmin for xmin, _xmax, _ctid in _system_columns(SurveyResponse)}
    assert len(answer_xids) == 3
    token_rows = _system_columns(SurveyToken)
    # No token row was written, locked or deleted-and-kept by an answering transaction.
    assert not {xmin for xmin, _x, _c in token_rows} & answer_xids
    assert not {xmax for _m, xmax, _c in token_rows} & answer_xids
    # A spent token leaves no row: nothing to order or time against the answers; the unused ones remain.
    assert SurveyToken.objects.filter(evaluation=evaluation).count() == len(tokens) - 3
    spent = {services.token_digest(t) for t in tokens[:3]}
    assert not SurveyToken.objects.filter(digest__in=spent).exists()
    # And the answer rows hold nothing of a token: ratings, comment and a random key only.
    assert {f.column for f in SurveyResponse._meta.concrete_fields} == {
        "id", "evaluation_id", "design", "resources", "implementation", "platform", "effect", "comment"}
