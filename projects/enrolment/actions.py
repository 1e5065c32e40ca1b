"""What the buttons on the enrolment, exemption and credit pages do (the transition door's tables, see
backoffice.transitions). Labels and "needs a reason" are declared on the transitions in enrolment.models; the
services fire them (moves with side effects, such as a withdrawal freeing a place, go through their own)."""
from dataclasses import dataclass
from typing import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.exceptions import DomainError
from backoffice.transitions import Door

from . import services


def _enrolment(name):
    return lambda enrolment, *, actor, reason, data: services.enrolment_move(
        actor=actor, enrolment=enrolment, name=name, reason=reason)


def _exemption(name):
    return lambda exemption, *, actor, reason, data: services.exemption_move(
        actor=actor, exemption=exemption, name=name, reason=reason)


def _hours(data) -> int | None:
    hours = (data.get("hours") or "").strip()
    if hours and not hours.isdecimal():
        raise DomainError("hours_not_whole", _("Enter the hours as a whole number."))
    return int(hours) if hours else None


def _credit(name):
    return lambda credit, *, actor, reason, data: services.credit_move(
        actor=actor, credit=credit, name=name, reason=reason, hours=_hours(data))


ENROLMENT_DOORS = {
    "recommend": Door(_enrolment("recommend"), success=gettext_lazy("The application was recommended.")),
    "reject": Door(_enrolment("reject"), success=gettext_lazy("The applicant was rejected with your reason."),
                   confirm=gettext_lazy("Reject this applicant? This cannot be undone.")),
    "select": Door(_enrolment("select"), success=gettext_lazy("The applicant was selected.")),
    "reserve": Door(_enrolment("reserve"), success=gettext_lazy("The applicant was put on the reserve list.")),
    "publicise": Door(_enrolment("publicise"), success=gettext_lazy("The selection was publicised.")),
    "enrol": Door(_enrolment("enrol"), success=gettext_lazy("The trainee was enrolled.")),
    "withdraw": Door(_enrolment("withdraw"),
                     success=gettext_lazy("The enrolment was withdrawn; the first on the reserve list takes the place."),
                     confirm=gettext_lazy("Withdraw this enrolment? This cannot be undone.")),
    "check_in": Door(_enrolment("check_in"), success=gettext_lazy("The trainee checked in.")),
    "no_show": Door(_enrolment("no_show"), success=gettext_lazy("The no-show was recorded."),
                    confirm=gettext_lazy("Record a no-show? It bars the teacher for 3 years unless exempted (R34).")),
    "complete": Door(_enrolment("complete"),
                     success=gettext_lazy("Completion was recorded; the hours await the organiser's audit.")),
    "fail": Door(_enrolment("fail"), success=gettext_lazy("The outcome 'not completed' was recorded."),
                 confirm=gettext_lazy("Record 'not completed'? It bars the teacher for 3 years unless exempted (R34).")),
    "dismiss": Door(_enrolment("dismiss"), success=gettext_lazy("The trainee was dismissed."),
                    confirm=gettext_lazy("Dismiss this trainee? It bars the teacher for 3 years unless exempted (R34).")),
    "correct_outcome": Door(_enrolment("correct_outcome"),
                            success=gettext_lazy("The outcome was corrected; the hours were cancelled and any "
                                                 "certificate withdrawn."),
                            confirm=gettext_lazy("Correct the outcome to not completed? The certificate is withdrawn "
                                                 "and its number never reused.")),
}

EXEMPTION_DOORS = {
    "recommend": Door(_exemption("recommend"), success=gettext_lazy("The exemption was recommended to the province.")),
    "approve": Door(_exemption("approve"),
                    success=gettext_lazy("The exemption was approved; the outcome no longer bars the teacher.")),
    "refuse": Door(_exemption("refuse"), success=gettext_lazy("The exemption was refused with your reason."),
                   confirm=gettext_lazy("Refuse this exemption? This cannot be undone.")),
}

CREDIT_DOORS = {
    "approve": Door(_credit("approve"), success=gettext_lazy("The hours were approved and now count.")),
    "return_": Door(_credit("return_"), success=gettext_lazy("The hours were returned with your reason.")),
    "resubmit": Door(_credit("resubmit"), success=gettext_lazy("The hours were registered again for audit."),
                     fields=("hours",)),
}


# -- set-based moves on a whole project's applicants (the project page's buttons) -------------------------
@dataclass(frozen=True)
class Bulk:
    """`run(project, actor)` does it and answers the Chinese message; `permission` says who sees the button."""

    run: Callable
    permission: str
    label: str
    confirm: str = ""
    css: str = ""


def _select(project, actor):
    counts = services.project_select_in_order(actor=actor, project=project)
    return _("%(s)s selected, %(r)s on the reserve list.") % {"s": counts["selected"], "r": counts["reserve"]}


def _select_ranked(project, actor):
    counts = services.project_select_in_order(actor=actor, project=project, by_ranking=True)
    return _("%(s)s selected, %(r)s on the reserve list.") % {"s": counts["selected"], "r": counts["reserve"]}


def _publicise(project, actor):
    return _("%(n)s selected applicants publicised.") % {
        "n": services.project_publicise(actor=actor, project=project)}


def _enrol(project, actor):
    return _("%(n)s trainees enrolled.") % {"n": services.project_enrol_publicised(actor=actor, project=project)}


def _reject_ineligible(project, actor):
    return _("%(n)s ineligible applicants rejected, each with the rule that failed.") % {
        "n": services.applicants_reject_ineligible(actor=actor, project=project)}


BULK_ACTIONS = {
    "reject_ineligible": Bulk(_reject_ineligible, "enrolment.screen_project",
                              gettext_lazy("Screen applicants and reject the ineligible"),
                              confirm=gettext_lazy("Reject every pending applicant the rules refuse, each with the "
                                                   "rule that failed? This cannot be undone.")),
    "select_in_order": Bulk(_select, "enrolment.select_project",
                            gettext_lazy("Select recommended applicants in order of submission"), css="primary"),
    "select_by_ranking": Bulk(_select_ranked, "enrolment.select_project",
                              gettext_lazy("Select recommended applicants by the ranking score")),
    "publicise": Bulk(_publicise, "enrolment.publicise_project", gettext_lazy("Publicise the selection list"),
                      css="primary"),
    "enrol": Bulk(_enrol, "enrolment.publicise_project", gettext_lazy("Enrol those whose publicity has ended")),
}


def bulk_actions_for(project, user) -> list[tuple[str, Bulk]]:
    return [(name, bulk) for name, bulk in BULK_ACTIONS.items() if user.has_perm(bulk.permission, project)]


# -- bulk moves on the trainee list (any selection, checked row by row by fire_many) -----------------------
BULK_MOVE_LABELS = {
    "recommend": gettext_lazy("Recommend"),
    "reject": gettext_lazy("Reject"),
    "select": gettext_lazy("Select (within the quota)"),
    "reserve": gettext_lazy("Put on the reserve list"),
    "withdraw": gettext_lazy("Withdraw"),
}


def bulk_moves_for(user) -> list[tuple[str, str]]:
    """The bulk moves the user's role may take on a trainee list (its scope is checked per row)."""
    return [(name, label) for name, label in BULK_MOVE_LABELS.items()
            if user.has_perm(f"enrolment.bulk_{name}_enrolment")]
