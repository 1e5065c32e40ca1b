"""What the buttons on the settlement statement page do (the transition door's table, see
backoffice.transitions). Labels are declared on the transitions in finance.models."""
from django.utils.translation import gettext_lazy as _

from backoffice.transitions import Door
from finance import services


def _statement(service):
    return lambda statement, *, actor, reason, data: service(statement=statement, actor=actor, reason=reason)


STATEMENT_DOORS = {
    "confirm": Door(_statement(services.settlement_confirm),
                    success=_("The statement was confirmed; from now on it is never edited."),
                    confirm=_("Confirm the statement? A confirmed statement is never edited; later changes become "
                              "adjustment entries.")),
    "approve": Door(_statement(services.settlement_approve), success=_("The statement was approved for payment.")),
}
