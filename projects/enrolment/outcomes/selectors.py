"""Reads on completion schemes, learning records and outcomes, scoped to the user (R2)."""
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
    from django.db.models import Case, CharField, F, Value, When

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
