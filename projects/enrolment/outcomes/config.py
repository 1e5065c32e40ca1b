"""Adjustable numbers of R46 (settings): the province's default completion scheme."""
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

PASS_LINE = "outcomes.pass_line"
MIN_LEARNING_PERCENT = "outcomes.min_learning_percent"
DEFAULT_INDICATORS = "outcomes.default_indicators"


def register():
    from backoffice.config import register_setting

    register_setting(PASS_LINE, default=Decimal("60"), rule="R46",
                     label=_("Pass line of the learning score (inclusive)"))
    register_setting(MIN_LEARNING_PERCENT, default=Decimal("80"), rule="R46",
                     label=_("Hard minimum of learning time (percent of the project's online hours)"))
    # kind:weight[:target]; learning time's target is the project's online hours, the assessment's 100.
    register_setting(DEFAULT_INDICATORS, default="learning_minutes:60,assignments_passed:20:2,assessment:20",
                     rule="R46", label=_("Default completion scheme: indicator:weight[:target], comma-separated"))


def default_indicators(project) -> list[dict]:
    """The province's default scheme for `project`: [{kind, target, weight, minimum_percent}]."""
    from backoffice.config import get_setting

    region = project.plan.province
    spec = get_setting(DEFAULT_INDICATORS, region=region)
    minimum = get_setting(MIN_LEARNING_PERCENT, region=region)
    found = []
    for part in str(spec).split(","):
        bits = [b.strip() for b in part.split(":") if b.strip()]
        if len(bits) < 2:
            continue
        kind, weight = bits[0], Decimal(bits[1])
        target = Decimal(bits[2]) if len(bits) > 2 else natural_target(kind, project)
        found.append({"kind": kind, "target": target, "weight": weight,
                      "minimum_percent": minimum if kind == "learning_minutes" else None})
    return found


def natural_target(kind: str, project) -> Decimal:
    """R46: learning time's full marks are the project's online hours (in minutes); the assessment's 100."""
    if kind == "learning_minutes":
        return Decimal(project.hours * 60)
    if kind == "assessment":
        return Decimal("100")
    return Decimal("1")
