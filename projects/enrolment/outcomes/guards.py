"""Conditions of the completion-scheme and outcome machines (R46, R48): pure functions with a coded reason."""
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.workflow import guard


def _started(project) -> bool:
    return project.status == "in_progress" or timezone.localdate() >= project.start_date


def _weights(scheme) -> Decimal:
    return sum((i.weight for i in scheme.indicators.all()), Decimal("0"))


@guard("weights_not_100", lambda s: _("The weights add up to %(sum)s; they must add up to exactly 100.") % {
    "sum": _weights(s)})
def weights_sum_100(scheme) -> bool:
    # R46: weights sum to exactly 100.
    return _weights(scheme) == Decimal("100")


@guard("project_started", _("Training has started; a change of the scheme now needs the province's approval with a "
                            "reason (R46)."))
def before_start(scheme) -> bool:
    return not _started(scheme.project)


@guard("project_not_started", _("Training has not started; the project office approves the scheme."))
def after_start(scheme) -> bool:
    return _started(scheme.project)


@guard("no_online_part", _("Only a project with an online part declares a completion scheme."))
def has_online_part(scheme) -> bool:
    return scheme.project.mode in ("online", "blended")
