"""Issue 10: on the evaluation page, every persona sees exactly the actions its role and scope allow, in every
status — no greyed-out action a role could never take, none missing."""
import pytest
from django.urls import reverse

from projects.evaluation.actions import EVALUATION_DOORS
from tests.action_matrix import check_page
from tests.factories.evaluation import walk


@pytest.mark.parametrize("state", ["new", "opened", "collecting", "scoring", "graded", "published"])
def test_evaluation_page_actions_equal_what_the_predicates_allow(state, evaluation, personas, third_party, client):
    if state != "new":
        evaluation = walk(evaluation, personas, third_party, to=state)
    users = [*personas.values(), third_party]
    url = reverse("evaluation:evaluation_detail", args=[evaluation.pk])
    seen = set()
    for user in users:
        client.force_login(user)
        check_page(client, url, evaluation, user, EVALUATION_DOORS)
        seen.add(user.role)
    assert len(seen) >= 10  # every role of the product took part


def test_province_sees_publish_and_institution_sees_none(evaluation, personas, third_party, client):
    """The matrix above is not vacuous: the province has the buttons, the assessed institution has none."""
    evaluation = walk(evaluation, personas, third_party, to="graded")
    url = reverse("evaluation:evaluation_detail", args=[evaluation.pk])
    client.force_login(personas.province)
    assert 'data-transition="publish"' in client.get(url).content.decode()
    client.force_login(personas.institution)
    assert "data-transition=" not in client.get(url).content.decode()


def test_a_move_whose_guard_fails_is_shown_greyed_out_with_its_reason(evaluation, personas, client):
    from tests.action_matrix import shown_transitions

    client.force_login(personas.province)
    page = client.get(reverse("evaluation:evaluation_detail", args=[evaluation.pk])).content.decode()
    assert 'data-transition="start_collecting"' not in page  # no assessors, no tokens yet
    assert shown_transitions(page, evaluation, EVALUATION_DOORS) == {"start_collecting"}
    assert "请先发放匿名问卷码" in page
