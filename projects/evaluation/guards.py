"""Conditions of the evaluation's transitions (R60-R63): pure functions of the evaluation with a coded reason.
This module must not import evaluation.models at load time (the models import it)."""
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.punctuation import enum
from backoffice.workflow import guard


def _weight(evaluation, source) -> Decimal:
    for indicator in evaluation.system.indicators.all():
        if indicator.source == source:
            return indicator.weight
    return Decimal("0")


def _missing_assessors(evaluation) -> list[str]:
    kinds = set(evaluation.assignments.values_list("kind", flat=True))
    missing = []
    if _weight(evaluation, "expert") > 0 and "expert" not in kinds:
        missing.append(str(gettext_lazy("an expert for the spot check")))
    if _weight(evaluation, "third_party") > 0 and "third_party" not in kinds:
        missing.append(str(gettext_lazy("a third-party evaluator")))
    return missing


@guard("assessors_missing", lambda e: _("Assign %(who)s first.") % {"who": enum(_missing_assessors(e))})
def assessors_assigned(evaluation) -> bool:
    return not _missing_assessors(evaluation)


@guard("r61_tokens_missing", gettext_lazy("Issue the anonymous survey tokens first."))
def tokens_ready(evaluation) -> bool:
    return evaluation.tokens_issued > 0 or _weight(evaluation, "survey") == 0


def _missing_assessments(evaluation) -> list[str]:
    from projects.evaluation.models import Source

    have = set(evaluation.assessments.values_list("source", flat=True))
    return [str(Source(s).label) for s in ("expert", "third_party", "self")
            if _weight(evaluation, s) > 0 and s not in have]


@guard("assessments_missing", lambda e: _("Scores are still missing: %(list)s.") % {
    "list": enum(_missing_assessments(e))})
def assessments_complete(evaluation) -> bool:
    return not _missing_assessments(evaluation)
