"""What the buttons on the evaluation page do (the transition door's table, see backoffice.transitions).
Labels and "needs a reason" are declared on the transitions in evaluation.models."""
from django.utils.translation import gettext_lazy as _

from backoffice.transitions import Door

from . import services


def _evaluation(service):
    return lambda evaluation, *, actor, reason, data: service(evaluation=evaluation, actor=actor, reason=reason)


EVALUATION_DOORS = {
    "start_collecting": Door(_evaluation(services.evaluation_start_collecting),
                             success=_("The survey and the spot checks are open.")),
    "close_collection": Door(_evaluation(services.evaluation_close_collection),
                             success=_("The survey is closed; scores may still be entered."),
                             confirm=_("Close the survey? Unused links stop working.")),
    "grade_": Door(_evaluation(services.evaluation_grade), success=_("The weighted total and the grade were computed.")),
    "back_to_scoring": Door(_evaluation(services.evaluation_back_to_scoring),
                            success=_("The evaluation is back in scoring.")),
    "publish": Door(_evaluation(services.evaluation_publish),
                    success=_("The result was published to the institution's record."),
                    confirm=_("Publish the result? It feeds the institution's record and the final tranche.")),
    "reopen": Door(_evaluation(services.evaluation_reopen),
                   success=_("The evaluation was reopened; the published result is kept."),
                   confirm=_("Reopen the published evaluation? It will be scored again.")),
}
