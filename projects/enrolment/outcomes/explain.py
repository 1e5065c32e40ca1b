"""The sentence on a trainee's page that says why the outcome is what it is (R48)."""
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

_FIGURE = {"learning_minutes": "minutes", "assignments_submitted": "assignments_submitted",
           "assignments_passed": "assignments_passed", "achievements": "achievements",
           "assessment": "assessment_score", "activities": "activities"}


def _plain(number) -> str:
    number = Decimal(number or 0).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number.normalize():f}" if number == number.to_integral() else str(number)


def figures(outcome) -> list[dict]:
    """Each indicator of the scheme used: label, actual, target, weight, points and the hard minimum."""
    rows = []
    for ind in outcome.scheme.indicators.all():
        actual = getattr(outcome, _FIGURE[ind.kind]) or 0
        ratio = min(Decimal(actual) / ind.target, Decimal(1)) if ind.target else Decimal(0)
        rows.append({"label": ind.get_kind_display(), "kind": ind.kind, "actual": actual, "target": ind.target,
                     "weight": ind.weight, "points": (ind.weight * ratio).quantize(Decimal("0.01"), ROUND_HALF_UP),
                     "minimum": ind.minimum_percent,
                     "met": ind.minimum_percent is None or Decimal(actual) * 100 >= ind.target * ind.minimum_percent})
    return rows


def reason_sentence(outcome) -> str:
    if outcome.records == 0:
        return _("No learning record at all: proposed as no-show.")
    parts = []
    failed = set(filter(None, outcome.minimums_failed.split(",")))
    for ind in outcome.scheme.indicators.all():
        if ind.kind not in failed:
            continue
        actual = getattr(outcome, _FIGURE[ind.kind]) or 0
        if ind.kind == "learning_minutes":
            parts.append(_("Learning time %(actual)s / %(target)s hours, below the minimum of %(pct)s%%") % {
                "actual": _plain(Decimal(actual) / 60), "target": _plain(ind.target / 60),
                "pct": _plain(ind.minimum_percent)})
        else:
            parts.append(_("%(label)s %(actual)s / %(target)s, below the minimum of %(pct)s%%") % {
                "label": ind.get_kind_display(), "actual": _plain(actual), "target": _plain(ind.target),
                "pct": _plain(ind.minimum_percent)})
    if outcome.score < outcome.scheme.pass_line:
        parts.append(_("learning score %(score)s, below the pass line of %(line)s") % {
            "score": outcome.score, "line": _plain(outcome.scheme.pass_line)})
    if parts:
        return "；".join(parts) + _(": not completed.")
    return _("Learning score %(score)s reaches the pass line of %(line)s and every hard minimum is met: "
             "completed.") % {"score": outcome.score, "line": _plain(outcome.scheme.pass_line)}
