"""The numbers of an evaluation (R61-R63): computed indicators, survey results, the weighted total and the grade.

All ratios stay unrounded Decimals; only the total is rounded, to 0.01 half-up, and the grade is read from that
rounded total (R62: 90.00 -> 优秀, 79.99 -> 合格).

Indicators without data are "not available" (never invented): their weight is shared out over the available
indicators in proportion to their weights, i.e. total = Σ wᵢ·sᵢ / Σ wᵢ over the available ones. That applies to
the survey below its minimum response rate (R61), priority-county coverage when the project reserved no quota,
budget execution when finance has no figure for the project, and the platform figures (R63) of a project
without learning records."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from backoffice.config import get_setting
from backoffice.money import CENT
from projects.enrolment.models import EnrolmentStatus as S
from projects.enrolment.selectors import platform_figures
from projects.models import Grade

from . import config
from .models import DIMENSIONS, PLATFORM_SOURCES, Source
from .sources import indicator_source

HUNDRED = Decimal("100")

# Reached enrolment (R63 completion rate denominator): every trainee admitted to the training.
ENROLLED = (S.ENROLLED, S.IN_TRAINING, S.COMPLETED, S.NOT_COMPLETED, S.NO_SHOW, S.DISMISSED)
# Reported for training (报到): everyone who checked in; no-shows never did.
REPORTED = (S.IN_TRAINING, S.COMPLETED, S.NOT_COMPLETED, S.DISMISSED)


def grade_for(total: Decimal) -> str:
    """R62: ≥ 90 优秀, ≥ 80 良好, ≥ 60 合格, otherwise 不合格; lower bounds inclusive."""
    total = Decimal(total).quantize(CENT, rounding=ROUND_HALF_UP)
    if total >= 90:
        return Grade.EXCELLENT
    if total >= 80:
        return Grade.GOOD
    if total >= 60:
        return Grade.PASS
    return Grade.FAIL


def enrolment_counts(project) -> dict:
    return project.enrolments.aggregate(
        enrolled=Count("pk", filter=Q(status__in=ENROLLED)),
        reported=Count("pk", filter=Q(status__in=REPORTED)),
        completed=Count("pk", filter=Q(status=S.COMPLETED)),
        priority=Count("pk", filter=Q(status__in=ENROLLED, teacher__is_priority_county=True)),
    )


def computed_ratios(project, *, sources=None) -> dict[str, Decimal | None]:
    """R63, as ratios 0..1 (None: not available). The platform figures are read from the learning records only
    when `sources` (the indicators wanted; None: all) asks for one of them."""
    c = enrolment_counts(project)
    ratios: dict[str, Decimal | None] = {
        # completion rate = completed ÷ enrolled
        Source.COMPLETION_RATE: Decimal(c["completed"]) / c["enrolled"] if c["enrolled"] else None,
        # participation rate = reported ÷ planned (the project's quota)
        Source.PARTICIPATION_RATE: Decimal(c["reported"]) / project.quota if project.quota else None,
        # R16 priority-county coverage = enrolled trainees from national key counties ÷ places reserved for them
        Source.PRIORITY_COVERAGE: Decimal(c["priority"]) / project.priority_quota if project.priority_quota else None,
    }
    provider = indicator_source("budget_execution_rate")
    value = provider([project.pk]).get(project.pk) if provider else None
    ratios[Source.BUDGET_EXECUTION] = Decimal(str(value)) if value is not None else None
    if sources is None or set(sources) & set(PLATFORM_SOURCES):
        ratios.update(platform_ratios(platform_figures(project)))
    return ratios


def platform_ratios(figures) -> dict[str, Decimal | None]:
    """R63 from the online platform's learning records (projects.enrolment.selectors.platform_figures):
    average learning time ÷ planned, trainees with the required assignments ÷ trainees, and the mean over the
    project's weeks of the share of trainees with learning time in that week."""
    return {Source.LEARNING_TIME: figures.learning_time, Source.ASSIGNMENT_COMPLETION: figures.assignment_completion,
            Source.WEEKLY_ACTIVITY: figures.weekly_activity}


def ratio_score(ratio: Decimal | None) -> Decimal | None:
    """A ratio as a 0-100 score; above 100% (over-reporting, over-spending) earns no more than 100."""
    if ratio is None:
        return None
    return min(max(ratio, Decimal("0")), Decimal("1")) * HUNDRED


@dataclass
class SurveySummary:
    responses: int
    expected: int
    visible: bool
    means: dict  # dimension -> Decimal mean rating (1-5), only when visible
    score: Decimal | None  # 0-100, only when visible
    threshold_responses: int
    threshold_share: int
    # Shown on pages and in exports only once the survey has closed too: while answers still arrive, comparing
    # two views would reveal the answer given in between.
    shown: bool = False


def survey_summary(evaluation) -> SurveySummary:
    """R61: results only once ≥ N responses or ≥ P% of trainees have answered (settings)."""
    from django.db.models import Avg

    region = evaluation.project.plan.province
    min_n = get_setting(config.SURVEY_MIN_RESPONSES, region=region)
    min_share = get_setting(config.SURVEY_MIN_SHARE, region=region)
    agg = evaluation.responses.aggregate(n=Count("pk"), **{d: Avg(d) for d in DIMENSIONS})
    n, expected = agg["n"], evaluation.tokens_issued
    visible = n > 0 and (n >= min_n or (expected > 0 and n * 100 >= min_share * expected))
    means, score = {}, None
    if visible:
        means = {d: Decimal(str(agg[d])) for d in DIMENSIONS}
        # A rating of 5 is worth 100 points, 1 is worth 20 (非常满意 100 … 非常不满意 20).
        score = sum(means.values()) / len(DIMENSIONS) * 20
    closed = evaluation.status not in ("opened", "collecting")
    return SurveySummary(responses=n, expected=expected, visible=visible, means=means, score=score,
                         threshold_responses=min_n, threshold_share=min_share, shown=visible and closed)


def assessed_scores(evaluation) -> dict[str, Decimal | None]:
    """Mean of the assessors' scores per assessed source (R63)."""
    found: dict[str, list[Decimal]] = {}
    for a in evaluation.assessments.all():
        found.setdefault(a.source, []).append(a.score)
    return {s: (sum(found[s]) / len(found[s]) if found.get(s) else None) for s in
            (Source.EXPERT, Source.THIRD_PARTY, Source.SELF)}


def breakdown(evaluation) -> list[dict]:
    """Every indicator of the evaluation's system with its raw value, 0-100 score and weight (JSON-ready)."""
    indicators = list(evaluation.system.indicators.all())
    ratios = computed_ratios(evaluation.project, sources=[i.source for i in indicators])
    survey = survey_summary(evaluation)
    assessed = assessed_scores(evaluation)
    rows = []
    for indicator in indicators:
        source = indicator.source
        ratio = None
        if source == Source.SURVEY:
            score = survey.score
        elif source in ratios:
            ratio = ratios[source]
            score = ratio_score(ratio)
        else:
            score = assessed.get(source)
        rows.append({
            "source": source, "weight": str(indicator.weight),
            "ratio": None if ratio is None else str(ratio),
            "score": None if score is None else str(score),
        })
    return rows


def weighted_total(rows: list[dict]) -> Decimal | None:
    """Σ wᵢ·sᵢ / Σ wᵢ over the available indicators, rounded once to 0.01 half-up (R57, R62)."""
    num = den = Decimal("0")
    for row in rows:
        if row["score"] is None:
            continue
        w = Decimal(row["weight"])
        num += w * Decimal(row["score"])
        den += w
    if den == 0:
        return None
    return (num / den).quantize(CENT, rounding=ROUND_HALF_UP)


def display(value, places="0.01") -> str:
    if value in (None, ""):
        return "—"
    return str(Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP))
