"""The adjustable numbers of evaluations (*settings*): default indicator weights (R64) and the survey's
showing threshold (R61). Transition conditions are in guards.py, who may act in permissions.py."""
from decimal import Decimal

from django.utils.translation import gettext_lazy

from backoffice.config import register_setting

# -- settings ------------------------------------------------------------------------------------------
# R64: default indicator weights; a province changes them in the admin (history kept). New indicator
# systems start from them; a system whose weights do not sum to 100 is refused (R60).
DEFAULT_WEIGHTS = {
    "survey": 25, "completion_rate": 20, "expert": 20, "third_party": 15, "self": 5, "participation_rate": 5,
    "priority_coverage": 5, "budget_execution": 5,
    # R63: the platform figures; at 0 the default system leaves them out. A province gives them weight (and takes
    # it from the others, the sum stays 100) to grade online projects on their learning records.
    "learning_time": 0, "assignment_completion": 0, "weekly_activity": 0,
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
    "learning_time": gettext_lazy("Default weight: average learning time against planned (platform)"),
    "assignment_completion": gettext_lazy("Default weight: assignment completion rate (platform)"),
    "weekly_activity": gettext_lazy("Default weight: share of trainees active each week (platform)"),
}
PLATFORM = ("learning_time", "assignment_completion", "weekly_activity")
SURVEY_MIN_RESPONSES = "evaluation.survey_min_responses"
SURVEY_MIN_SHARE = "evaluation.survey_min_share_percent"


def register_settings():
    for source, weight in DEFAULT_WEIGHTS.items():
        register_setting(WEIGHT_KEY.format(source), default=Decimal(weight), label=WEIGHT_LABELS[source],
                         rule="R63" if source in PLATFORM else "R64")
    register_setting(SURVEY_MIN_RESPONSES, default=10, rule="R61",
                     label=gettext_lazy("Survey results shown from this many responses"))
    register_setting(SURVEY_MIN_SHARE, default=30, rule="R61",
                     label=gettext_lazy("…or from this share of trainees having answered (%)"))


register_settings()
