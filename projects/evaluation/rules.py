"""Guards and role-and-scope permissions for evaluations (R2, R60-R66), plus the *settings* of R61 and R64.

Guards are pure functions of the evaluation with a coded reason; permissions are `rules` predicates on
(user, evaluation). This module must not import evaluation.models (the models import it)."""
from decimal import Decimal

import rules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.config import register_setting
from backoffice.models import OrganisationKind, Role
from backoffice.permissions import can_write, has_role, in_region_of, is_superuser
from backoffice.workflow import guard, permission

# -- settings ------------------------------------------------------------------------------------------
# R64: default indicator weights; a province changes them in the admin (history kept). New indicator
# systems start from them; a system whose weights do not sum to 100 is refused (R60).
DEFAULT_WEIGHTS = {
    "survey": 25, "completion_rate": 20, "expert": 20, "third_party": 15, "self": 5, "participation_rate": 5,
    "priority_coverage": 5, "budget_execution": 5,
}
WEIGHT_KEY = "evaluation.weight.{}"
WEIGHT_LABELS = {
    "survey": gettext_lazy("Default weight: trainee satisfaction survey"),
    "completion_rate": gettext_lazy("Default weight: completion rate"),
    "expert": gettext_lazy("Default weight: expert spot check"),
    "third_party": gettext_lazy("Default weight: third-party evaluation"),
    "self": gettext_lazy("Default weight: institution self-assessment"),
    "participation_rate": gettext_lazy("Default weight: participation rate"),
    "priority_coverage": gettext_lazy("Default weight: priority-county coverage"),
    "budget_execution": gettext_lazy("Default weight: budget execution rate"),
}
SURVEY_MIN_RESPONSES = "evaluation.survey_min_responses"
SURVEY_MIN_SHARE = "evaluation.survey_min_share_percent"


def register_settings():
    for source, weight in DEFAULT_WEIGHTS.items():
        register_setting(WEIGHT_KEY.format(source), default=Decimal(weight), rule="R64", label=WEIGHT_LABELS[source])
    register_setting(SURVEY_MIN_RESPONSES, default=10, rule="R61",
                     label=gettext_lazy("Survey results shown from this many responses"))
    register_setting(SURVEY_MIN_SHARE, default=30, rule="R61",
                     label=gettext_lazy("…or from this share of trainees having answered (%)"))


register_settings()


def _weight(evaluation, source) -> Decimal:
    for indicator in evaluation.system.indicators.all():
        if indicator.source == source:
            return indicator.weight
    return Decimal("0")


# -- guards --------------------------------------------------------------------------------------------
def _missing_assessors(evaluation) -> list[str]:
    kinds = set(evaluation.assignments.values_list("kind", flat=True))
    missing = []
    if _weight(evaluation, "expert") > 0 and "expert" not in kinds:
        missing.append(str(gettext_lazy("an expert for the spot check")))
    if _weight(evaluation, "third_party") > 0 and "third_party" not in kinds:
        missing.append(str(gettext_lazy("a third-party evaluator")))
    return missing


@guard("assessors_missing", lambda e: _("Assign %(who)s first.") % {"who": "、".join(_missing_assessors(e))})
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
    "list": "、".join(_missing_assessments(e))})
def assessments_complete(evaluation) -> bool:
    return not _missing_assessments(evaluation)


# -- permissions ---------------------------------------------------------------------------------------
is_province_staff = has_role(Role.PROVINCE_STAFF)
is_office_staff = has_role(Role.PROJECT_OFFICE_STAFF)
in_evaluation_province = in_region_of("project.plan.province")

# Province department and project offices run evaluations of their province's projects (R2).
can_manage = is_superuser | (can_write & (is_province_staff | is_office_staff) & in_evaluation_province)
# R66: only the province publishes and reopens.
can_publish = is_superuser | (can_write & is_province_staff & in_evaluation_province)


@rules.predicate
def is_assigned_expert(user, evaluation):
    return bool(user and user.is_authenticated and user.role == Role.EXPERT
                and evaluation.assignments.filter(user=user, kind="expert").exists())


@rules.predicate
def is_assigned_third_party(user, evaluation):
    return bool(user and user.is_authenticated and user.role == Role.EXPERT
                and evaluation.assignments.filter(user=user, kind="third_party").exists())


@rules.predicate
def is_project_institution(user, evaluation):
    return bool(user and user.is_authenticated and user.role == Role.INSTITUTION_STAFF
                and user.organisation_id and evaluation.project.institution_id == user.organisation_id)


def may_be_assigned(user, kind: str) -> bool:
    """Experts are users with the expert role; third-party evaluators are experts of an evaluator organisation."""
    if user.role != Role.EXPERT or not user.is_active:
        return False
    if kind == "third_party":
        return bool(user.organisation and user.organisation.kind == OrganisationKind.EVALUATOR)
    return True


P = permission
