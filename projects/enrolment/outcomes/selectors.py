"""Reads on completion schemes, learning records and outcomes, scoped to the user (R2), and the platform figures
the evaluation reads (R63)."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q

from .. import selectors as enrolment_selectors
from .models import CompletionScheme, LearningRecordJob, Outcome, SchemeStatus


def scheme_in_force(project) -> CompletionScheme | None:
    """R46: the latest approved version (a change after the start is approved only by the province)."""
    return (CompletionScheme.objects.filter(project=project, status=SchemeStatus.APPROVED)
            .prefetch_related("indicators").first())


def scheme_versions(project):
    return CompletionScheme.objects.filter(project=project).prefetch_related("indicators").order_by("-version")


def scheme_get(*, user, pk) -> CompletionScheme:
    projects = enrolment_selectors.project_list_for_enrolment(user=user)
    return CompletionScheme.objects.select_related("project__plan__province", "project__institution",
                                                   "project__office").prefetch_related("indicators").get(
        pk=pk, project__in=projects)


def outcome_list_visible_to(*, user, project):
    """The project's computed outcomes the user may see (the county its own trainees, R2)."""
    enrolments = enrolment_selectors.enrolment_list_visible_to(user=user).filter(project=project)
    return (Outcome.objects.filter(project=project, enrolment__in=enrolments.values("pk"))
            .select_related("enrolment__teacher__region", "enrolment__teacher__school", "scheme"))


def outcome_summary(*, user, project) -> dict:
    """Figures for the distribution: score histogram (10-point bins), outcome counts and completion by county.
    A constant number of queries whatever the size of the project."""
    qs = outcome_list_visible_to(user=user, project=project)
    bins = [0] * 10
    for low, n in _histogram(qs):
        bins[min(int(low), 9)] += n
    counts = {row["final"]: row["n"] for row in _finals(qs)}
    by_status = dict(qs.values_list("status").annotate(n=Count("pk")).order_by())
    counties = list(qs.values("enrolment__teacher__region__code", "enrolment__teacher__region__name")
                    .annotate(total=Count("pk"), completed=Count("pk", filter=_completed_q()))
                    .order_by("enrolment__teacher__region__code"))
    top = max(bins) or 1
    # Bar geometry for the server-rendered SVG (no script, no style attribute: the CSP allows neither).
    histogram = []
    for i, n in enumerate(bins):
        h = round(120 * n / top)
        histogram.append({"low": i * 10, "high": i * 10 + 10 if i < 9 else 100, "n": n, "x": i * 40 + 4,
                          "h": h, "y": 130 - h, "tx": i * 40 + 20})
    for i, c in enumerate(counties):
        c["pct"] = round(100 * c["completed"] / c["total"]) if c["total"] else 0
        c["w"], c["y"], c["ty"] = c["pct"] * 3, i * 24 + 4, i * 24 + 17
    return {"histogram": histogram, "counts": counts, "counties": counties, "by_status": by_status,
            "county_height": len(counties) * 24 + 8,
            "total": sum(bins), "overrides": qs.exclude(override="").count()}


def _completed_q():
    return Q(override="completed") | (Q(override="") & Q(proposed="completed"))


def _histogram(qs):
    from django.db.models import F, IntegerField
    from django.db.models.functions import Cast, Floor

    return qs.annotate(b=Cast(Floor(F("score") / 10), IntegerField())).values_list("b").annotate(
        n=Count("pk")).order_by()


def _finals(qs):
    from django.db.models import Case, CharField, F, When

    return qs.annotate(final=Case(When(override="", then=F("proposed")), default=F("override"),
                                  output_field=CharField())).values("final").annotate(n=Count("pk")).order_by()


def audit_sample(*, user, project, size: int = 20, seed: int = 0) -> list:
    """R48 sampling view: every override first, then a random sample of the rest awaiting the county's audit."""
    qs = outcome_list_visible_to(user=user, project=project).filter(status="confirmed")
    overrides = list(qs.exclude(override="").order_by("enrolment__teacher__name")[:200])
    import random

    pks = list(qs.filter(override="").values_list("pk", flat=True))
    chosen = random.Random(seed or None).sample(pks, min(size, len(pks)))
    sample = list(qs.filter(pk__in=chosen).order_by("enrolment__teacher__name"))
    return overrides + sample


def learning_record_jobs_visible_to(*, user):
    qs = LearningRecordJob.objects.select_related("project", "created_by")
    if user.is_superuser:
        return qs
    return qs.filter(created_by=user)


# -- platform figures for the evaluation (R63) -------------------------------------------------------------------
@dataclass
class PlatformFigures:
    """R63: what the learning records say about a whole project. Ratios are unrounded Decimals (0..1, the
    learning time may pass 1); None when the project has no current record (or, for assignments, when its
    scheme requires none): a figure without data is not available, never 0."""

    trainees: int  # admitted trainees (enrolled or later): the denominator of every figure
    records: int  # current learning records of those trainees
    planned_minutes: Decimal  # the scheme's learning-time target, else the project's hours
    average_minutes: Decimal | None
    learning_time: Decimal | None  # average learning time ÷ planned
    assignments_required: Decimal | None
    assignments_done: int  # trainees with at least the required number of assignments
    assignment_completion: Decimal | None  # those trainees ÷ trainees
    weeks: int
    weekly_active: list  # per week of the project: trainees with learning time in it
    weekly_activity: Decimal | None  # mean over the weeks of (active that week ÷ trainees)

    @property
    def average_hours(self) -> Decimal | None:
        return None if self.average_minutes is None else self.average_minutes / 60

    @property
    def planned_hours(self) -> Decimal:
        return self.planned_minutes / 60


def _weeks(project) -> list[tuple]:
    """The project's weeks from its first day: (first, last) day of each, the last one cut at the end date."""
    found, day = [], project.start_date
    while day <= project.end_date:
        last = min(day + timedelta(days=6), project.end_date)
        found.append((day, last))
        day = last + timedelta(days=1)
    return found


def platform_figures(project) -> PlatformFigures:
    """R63 from the current learning records, set-based: one count and one aggregate over the records grouped
    per trainee (whatever the number of trainees or records). A trainee is active in a week when a record with
    learning time covers any day of it."""
    from django.db.models import Case, IntegerField, Max, Sum, Value, When

    from ..models import Enrolment
    from ..models import EnrolmentStatus as S
    from .models import LearningRecord

    admitted = (S.ENROLLED, S.IN_TRAINING, S.COMPLETED, S.NOT_COMPLETED, S.NO_SHOW, S.DISMISSED)
    scheme = scheme_in_force(project)
    targets = {i.kind: i.target for i in scheme.indicators.all()} if scheme else {}
    planned = Decimal(targets.get("learning_minutes") or project.hours * 60)
    column = next((c for c in ("assignments_passed", "assignments_submitted") if c in targets), None)
    required = targets.get(column) if column else None
    weeks = _weeks(project)
    trainees = Enrolment.objects.filter(project=project, status__in=admitted).count()
    per_trainee = (LearningRecord.objects.filter(project=project, is_current=True, enrolment__status__in=admitted)
                   .values("enrolment_id")
                   .annotate(n=Count("pk"), m=Sum("minutes"), a=Sum(column or "assignments_passed"),
                             **{f"w{i}": Max(Case(When(minutes__gt=0, period_start__lte=last, period_end__gte=first,
                                                       then=Value(1)), default=Value(0), output_field=IntegerField()))
                                for i, (first, last) in enumerate(weeks)}))
    totals = per_trainee.aggregate(
        records=Sum("n"), minutes=Sum("m"),
        done=Sum(Case(When(a__gte=required or 0, then=Value(1)), default=Value(0), output_field=IntegerField())),
        **{f"week{i}": Sum(f"w{i}") for i in range(len(weeks))})  # outer names differ from the inner ones
    records = totals["records"] or 0
    available = bool(records and trainees)
    active = [totals[f"week{i}"] or 0 for i in range(len(weeks))]
    done = (totals["done"] or 0) if required else 0
    average = Decimal(totals["minutes"] or 0) / trainees if available else None
    return PlatformFigures(
        trainees=trainees, records=records, planned_minutes=planned, average_minutes=average,
        learning_time=average / planned if available and planned else None,
        assignments_required=required, assignments_done=done,
        assignment_completion=Decimal(done) / trainees if available and required else None,
        weeks=len(weeks), weekly_active=active,
        weekly_activity=(Decimal(sum(active)) / (len(weeks) * trainees)) if available and weeks else None)
