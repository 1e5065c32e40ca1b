"""Reads on enrolment, always scoped to the user (R2), plus set-based figures other apps read.

For teammates:
- `outcome_counts(project)`: {status: count} for one project, one query (evaluation: completion and
  participation rates).
- `completed_counts_by_county(project)`: [{"region_code", "region_name", "completed"}] ordered by code, one query
  (finance: fees per county from completed trainees).
- `completion_rate(project)`: completed ÷ trainees who held a place (enrolled or later), or None.
"""
from collections import defaultdict

from django.db.models import Count, F, Sum

from backoffice import scoping
from backoffice.config import get_setting
from backoffice.models import Teacher
from backoffice.scoping import scope_for
from projects.models import Project, ProjectStatus

from . import permissions as perms
from .dates import cycle_bounds
from .models import (
    LIST_ORDER,
    OUTCOMES,
    PLACE_HOLDING,
    Certificate,
    CreditRecord,
    CreditStatus,
    Enrolment,
    EnrolmentStatus,
    Exemption,
    ImportJob,
    CertificateJob,
    BulkActionJob,
)

S = EnrolmentStatus
ENROLMENT_PROJECT_STATES = [ProjectStatus.CONTRACTED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED,
                            ProjectStatus.EVALUATED, ProjectStatus.CLOSED]


def _scope_enrolments(user, qs, prefix: str = ""):
    """Government by the teacher's county; a school its own teachers (dispatching unit); an institution only
    the enrolments of projects contracted to it."""
    scope = scope_for(user)
    if scope.kind == scoping.ALL:
        return qs
    if scope.kind == scoping.REGION:
        # The teacher's county code and the project's institution are copied onto the enrolment (list keys), so
        # the scope is a condition on the enrolment's own indexed columns; a county's code is matched exactly.
        prefix_code = scope.region_prefix
        if len(prefix_code) == 6:
            return qs.filter(**{f"{prefix}county_code": prefix_code})
        return qs.filter(**{f"{prefix}county_code__startswith": prefix_code})
    return scope.filter(qs, school=f"{prefix}teacher__school", institution=f"{prefix}institution")


def enrolment_list_visible_to(*, user):
    return _scope_enrolments(user, Enrolment.objects.select_related(
        "teacher", "teacher__school", "teacher__region", "project", "project__institution"))


def trainee_list_visible_to(*, user):
    """The trainee list: in LIST_ORDER, which one index per scope serves (issue 13), only the columns shown."""
    qs = Enrolment.objects.select_related("teacher__school", "project__institution")
    return _scope_enrolments(user, qs).order_by(*LIST_ORDER).only(
        "id", "status", "project_id", "teacher_id", "submitted_at", "ranking_score", "teacher__name", "teacher__id_number",
        "teacher__school__name",
        "project__name", "project__status", "project__institution__name")


def enrolment_get(*, user, pk) -> Enrolment:
    return enrolment_list_visible_to(user=user).select_related("project__plan__province", "replaced__teacher").get(pk=pk)


def project_list_for_enrolment(*, user):
    """Projects whose trainees the user works on: contracted and later, in the user's province; an
    institution sees its own contracts."""
    scope = scope_for(user)
    qs = Project.objects.filter(status__in=ENROLMENT_PROJECT_STATES).select_related("plan__province", "institution")
    if scope.kind == scoping.ALL:
        return qs
    if scope.kind == scoping.REGION:
        return qs.filter(plan__province__code__startswith=scope.region_prefix[:2])
    if scope.audience == scoping.SCHOOL:
        return qs.filter(plan__province=user.province)
    return scope.filter(qs, institution="institution")


def project_enrolment_summary(*, user, project) -> dict:
    """Counts by status of the project's enrolments the user sees, and how many of them hold a place (R32)."""
    counts = dict(_scope_enrolments(user, Enrolment.objects.filter(project=project))
                  .values_list("status").annotate(n=Count("pk")).order_by())
    return {"counts": counts, "by_status": [(s, counts.get(s.value, 0)) for s in S],
            "taken": sum(n for s, n in counts.items() if s in PLACE_HOLDING)}


def teacher_by_id_number(*, user, id_number: str) -> Teacher | None:
    """A teacher of the user's area by full ID number (R30: lower-case x and full-width digits normalised)."""
    from backoffice.identity import normalise_id_number

    return scope_for(user).teachers().filter(id_number=normalise_id_number(id_number)).first()


def enrolment_refusals(*, enrolment) -> list:
    """For a pending application, every eligibility rule that refuses the teacher (R31-R35), for the page."""
    from .eligibility import teacher_refusals

    if enrolment.status not in (S.APPLIED, S.RECOMMENDED):
        return []
    return teacher_refusals(enrolment.project, enrolment.teacher)


def enrolment_exemptions(*, enrolment) -> list:
    return list(enrolment.exemptions.all())


def teacher_get(*, user, pk) -> Teacher:
    """Government by region, a school its own teachers, an institution only teachers enrolled in its projects."""
    scope = scope_for(user)
    qs = Teacher.objects.select_related("school", "region")
    if scope.audience == scoping.INSTITUTION:
        return qs.filter(enrolments__project__institution_id=scope.organisation_id).distinct().get(pk=pk)
    return scope.teachers(qs).get(pk=pk)


def teacher_enrolments(*, teacher):
    return (Enrolment.objects.filter(teacher=teacher).select_related("project", "project__institution")
            .prefetch_related("exemptions").order_by("-project__start_date"))


def exemption_list_visible_to(*, user):
    return _scope_enrolments(user, Exemption.objects.select_related(
        "enrolment__teacher__school", "enrolment__teacher__region", "enrolment__project__plan__province",
        "applied_by"), prefix="enrolment__")


def credit_list_visible_to(*, user):
    qs = CreditRecord.objects.select_related(
        "enrolment__teacher__school", "enrolment__teacher__region", "enrolment__project__plan__province",
        "enrolment__project__office", "enrolment__project__institution")
    scope = scope_for(user)
    if scope.kind == scoping.REGION and perms.audits_own_projects_hours.test(user):
        # R41: the organising office audits its own projects' hours.
        return qs.filter(enrolment__project__office_id=user.organisation_id)
    return _scope_enrolments(user, qs, prefix="enrolment__")


def certificate_list_visible_to(*, user):
    return _scope_enrolments(user, Certificate.objects.select_related(
        "enrolment__teacher", "enrolment__project", "enrolment__project__institution"), prefix="enrolment__")


def import_jobs_visible_to(*, user):
    return ImportJob.objects.filter(created_by=user).select_related("project")


def bulk_jobs_visible_to(*, user):
    """A bulk action's page and report, to the person who started it (the report names trainees)."""
    return BulkActionJob.objects.filter(created_by=user)


def certificate_jobs_visible_to(*, user):
    return CertificateJob.objects.filter(created_by=user).select_related("project")


def certificate_verify(*, number: str, code: str) -> Certificate | None:
    """R44: the public check, by number AND code; nothing is returned for a wrong pair."""
    number, code = (number or "").strip().upper(), (code or "").strip().upper()
    if not number or not code:
        return None
    return (Certificate.objects.select_related("enrolment__teacher", "enrolment__project__institution")
            .filter(number=number, verification_code=code).first())


# -- credit totals (R42) -----------------------------------------------------------------------------------
def teacher_credit_totals(*, teacher, year: int) -> dict:
    """Counted (audited) hours per year and in the current cycle, against the yearly target."""
    region = teacher.region
    per_credit = get_setting("credit.hours_per_credit", region=region)
    target = get_setting("credit.yearly_target_hours", region=region)
    first, last = cycle_bounds(year, first_year=get_setting("enrolment.cycle_first_year", region=region),
                               length=get_setting("enrolment.cycle_years", region=region))
    rows = dict(CreditRecord.objects.filter(enrolment__teacher=teacher, status=CreditStatus.APPROVED)
                .values_list("year").annotate(h=Sum("hours")).order_by())
    pending = CreditRecord.objects.filter(enrolment__teacher=teacher, status=CreditStatus.REGISTERED) \
        .aggregate(h=Sum("hours"))["h"] or 0
    years = [{"year": y, "hours": rows.get(y, 0), "credits": round(rows.get(y, 0) / per_credit, 1),
              "target": target, "met": rows.get(y, 0) >= target} for y in range(first, last + 1)]
    cycle_hours = sum(rows.get(y, 0) for y in range(first, last + 1))
    return {"years": years, "cycle": (first, last), "cycle_hours": cycle_hours,
            "cycle_credits": round(cycle_hours / per_credit, 1), "cycle_target": target * (last - first + 1),
            "this_year": rows.get(year, 0), "target": target, "per_credit": per_credit, "pending": pending}


def credit_export_rows(*, user, year: int | None = None):
    """Audited hours for the provincial credit platform (masked IDs unless the role needs them)."""
    qs = credit_list_visible_to(user=user).filter(status=CreditStatus.APPROVED)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("enrolment__teacher__region__code", "enrolment__teacher__name")


# -- figures for finance and evaluation (set-based, one query each) ----------------------------------------
def outcome_counts(project) -> dict[str, int]:
    """{status: count} over every status (zeros included) for one project."""
    found = dict(Enrolment.objects.filter(project=project).values_list("status").annotate(n=Count("pk")).order_by())
    return {s.value: found.get(s.value, 0) for s in S}


def completed_counts_by_county(project) -> list[dict]:
    """Completed (结业) trainees per county of their school, for settling fees per county."""
    return list(
        Enrolment.objects.filter(project=project, status=S.COMPLETED)
        .values(region_code=F("teacher__region__code"), region_name=F("teacher__region__name"))
        .annotate(completed=Count("pk")).order_by("region_code")
    )


def completion_rate(project):
    counts = outcome_counts(project)
    held = sum(counts[s] for s in OUTCOMES) + counts[S.ENROLLED] + counts[S.IN_TRAINING]
    return None if not held else counts[S.COMPLETED] / held


def platform_figures(project):
    """R63: the project's learning-record figures (average learning time against planned, assignment completion,
    weekly activity) for the evaluation; see outcomes.selectors.PlatformFigures."""
    from .outcomes.selectors import platform_figures as figures

    return figures(project)


def platform_figures_cached(project, *, timeout: int = 3600):
    """`platform_figures` kept in the cache until a new delivery of records arrives (the key names the project's
    latest delivery): a page that shows them does not aggregate a million records on every view (5.7 s at
    1,000,000 records on the 2-core machine)."""
    from django.core.cache import cache

    from .outcomes.models import LearningRecordBatch

    last = LearningRecordBatch.objects.filter(project=project).order_by("-pk").values_list("pk", flat=True).first()
    key = f"r63-platform:{project.pk}:{last or 0}"
    found = cache.get(key)
    if found is None:
        found = platform_figures(project)
        cache.set(key, found, timeout)
    return found


def outcomes_by_dispatching_unit(*, user):
    """A county's or school's teachers' outcomes, per project (dispatching units see their teachers)."""
    qs = _scope_enrolments(user, Enrolment.objects.filter(status__in=OUTCOMES))
    table = defaultdict(lambda: defaultdict(int))
    for project_name, status, n in qs.values_list("project__name", "status").annotate(n=Count("pk")).order_by():
        table[project_name][status] += n
    return table



# Statuses that count under a contract's 'enrolled' settlement basis (R52): enrolled, whatever the outcome.
SETTLEMENT_ENROLLED = (S.ENROLLED, S.IN_TRAINING, S.COMPLETED, S.NOT_COMPLETED, S.DISMISSED, S.NO_SHOW)


def settlement_counts(*, project_ids, county_prefix: str = "") -> list[dict]:
    """Per project and county of the trainee's school: completed (结业), enrolled and credited trainees (hours
    audited and counted, R41; the whole-staff basis of R49); one query (finance settles fees from these, R52)."""
    from django.db.models import Q

    qs = Enrolment.objects.filter(project_id__in=list(project_ids), status__in=SETTLEMENT_ENROLLED)
    if county_prefix:
        qs = qs.filter(teacher__region__code__startswith=county_prefix)
    return list(qs.values("project_id", county_id=F("teacher__region_id")).annotate(
        completed=Count("pk", filter=Q(status=S.COMPLETED)), enrolled=Count("pk"),
        credited=Count("pk", filter=Q(status=S.COMPLETED, credit__status=CreditStatus.APPROVED))).order_by())


def outcomes_changed_after(*, project, county, since):
    """Trainees of a project and county whose outcome was recorded or corrected after `since` (finance, R53)."""
    return (Enrolment.objects.filter(project=project, teacher__region=county, outcome_at__gt=since)
            .select_related("teacher").order_by("outcome_at"))


# -- the public 公示 list (R32) -----------------------------------------------------------------------------
def publicity_projects():
    """Public, no login: projects with trainees in their publicity window (R32), with the window's dates."""
    from django.db.models import Max, Min

    return (Project.objects.filter(enrolments__status=S.PUBLICISED)
            .annotate(publicised_from=Min("enrolments__publicised_on"),
                      publicised_until=Max("enrolments__publicity_ends_on"),
                      publicised_count=Count("enrolments"))
            .select_related("office", "institution").order_by("-publicised_from", "code"))


def publicity_project_get(*, pk) -> Project:
    return publicity_projects().get(pk=pk)


def publicity_list(*, project):
    """The publicised trainees of one project, by county and school. Only what the public may see leaves here:
    name, masked ID number (R30), school and county."""
    rows = (Enrolment.objects.filter(project=project, status=S.PUBLICISED)
            .select_related("teacher__school", "teacher__region")
            .order_by("teacher__region__code", "teacher__school__name", "submitted_at", "pk"))
    return [{"name": e.teacher.name, "id_number": e.teacher.masked_id_number,
             "school": e.teacher.school.name if e.teacher.school else "", "county": e.teacher.region.name,
             "publicised_on": e.publicised_on, "ends_on": e.publicity_ends_on} for e in rows]


# Admitted: enrolled once the publicity window ended (R32), whatever the outcome since.
ADMITTED = (S.ENROLLED, S.IN_TRAINING, S.COMPLETED, S.NOT_COMPLETED, S.DISMISSED, S.NO_SHOW)


def admitted_enrolments(*, user, project=None):
    """The admitted trainees the user may read (R2): an institution its projects', a school its teachers', a
    county those of its area. For admission notices (录取通知)."""
    qs = enrolment_list_visible_to(user=user).filter(status__in=ADMITTED).select_related(
        "project__office", "project__institution").order_by("teacher__region__code", "teacher__school__name", "pk")
    return qs.filter(project=project) if project is not None else qs
