"""Issue 10: on the settlement statement page, every persona sees exactly the actions its role and scope allow
(the institution confirms its own, finance of the county approves), in every status."""
import pytest
from django.urls import reverse

from finance import services
from finance.actions import STATEMENT_DOORS
from tests.action_matrix import check_page
from tests.factories.finance import trainees


@pytest.mark.parametrize("state", ["draft", "confirmed", "approved"])
def test_statement_page_actions_equal_what_the_predicates_allow(state, personas, contract, project, client):
    trainees(project, "360121", 37)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = contract.statements.get()
    if state in ("confirmed", "approved"):
        services.settlement_confirm(actor=personas.institution, statement=statement)
    if state == "approved":
        services.settlement_approve(actor=personas.finance, statement=statement)
    url = reverse("finance:statement_detail", args=[statement.pk])
    for user in personas.values():
        client.force_login(user)
        check_page(client, url, statement, user, STATEMENT_DOORS)


def test_statement_page_buttons_by_role(personas, contract, project, client):
    """Not vacuous: the institution has the confirm button on a draft; finance and the auditor have none."""
    trainees(project, "360121", 5)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    url = reverse("finance:statement_detail", args=[contract.statements.get().pk])
    client.force_login(personas.institution)
    assert 'data-transition="confirm"' in client.get(url).content.decode()
    for who in ("finance", "auditor"):
        client.force_login(personas[who])
        assert "data-transition=" not in client.get(url).content.decode()
