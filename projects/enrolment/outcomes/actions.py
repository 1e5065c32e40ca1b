"""The completion-scheme page's buttons (the transition door's table, see backoffice.transitions)."""
from django.utils.translation import gettext_lazy

from backoffice.transitions import Door

from . import services


def _scheme(name):
    return lambda scheme, *, actor, reason, data: services.scheme_move(actor=actor, scheme=scheme, name=name,
                                                                       reason=reason)


SCHEME_DOORS = {
    "submit": Door(_scheme("submit"), success=gettext_lazy("The completion scheme was submitted for approval.")),
    "approve": Door(_scheme("approve"), success=gettext_lazy("The completion scheme was approved and is in force.")),
    "approve_change": Door(_scheme("approve_change"),
                           success=gettext_lazy("The change was approved with your reason and is in force."),
                           confirm=gettext_lazy("Approve this change after the start? The new version applies to "
                                                "every trainee's outcome.")),
    "return_": Door(_scheme("return_"), success=gettext_lazy("The scheme was returned with your reason.")),
}
