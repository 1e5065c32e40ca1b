"""Reads on plans and projects, always scoped to the user (R2); other apps read outcomes and grades only through here."""
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum

from backoffice import scoping
from backoffice.scoping import scope_for
from projects import permissions as perms
from projects.models import AnnualPlan, InspectionVisit, PlanStatus, Project, ProjectStatus


def _ancestor_codes(region) -> list[str]:
    codes, node = [], region
    while node is not None:
        codes.append(node.code)
        node = node.parent
    return codes


def plan_list_visible_to(*, user):
    """Province-level staff, the ministry and auditors see their province's plans; city and county bureaus see
    their province's plan too (they own proposals in it); schools, institutions and experts see none."""
    scope = scope_for(user)
    qs = AnnualPlan.objects.select_related("province", "created_by").annotate(
        project_count=Count("projects", filter=~Q(projects__status=ProjectStatus.CANCELLED)),
        budget_total=Sum("projects__budget", filter=~Q(projects__status=ProjectStatus.CANCELLED)),
    ).order_by("-year", "province__code")
    if scope.kind == scoping.ALL:
        return qs
    if scope.kind == scoping.REGION:
        return qs.filter(province__code__startswith=scope.region_prefix[:2])
    return qs.none()


def _project_q(user) -> Q | None:
    """None: everything; otherwise the condition on Project rows the user may read."""
    scope = scope_for(user)
    if scope.kind == scoping.ALL:
        return None
    org = user.organisation
    if scope.kind == scoping.REGION:
        if org.region.level == "province":
            # A plan's province is a province region: its code equals the reader's, which the list index serves.
            return Q(province_code=org.region.code)
        # City and county staff: projects serving their region (or a region containing it) and their own proposals.
        served = Q(regions__code__startswith=scope.region_prefix) | Q(regions__code__in=_ancestor_codes(org.region))
        return Q(pk__in=Project.objects.filter(served).values("pk")) | Q(owner=org)
    if scope.audience == scoping.SCHOOL:
        # A school reads the projects that serve its region once they are being delivered.
        served = Q(regions__code__in=_ancestor_codes(org.region))
        return Q(pk__in=Project.objects.filter(served).values("pk")) & Q(status__in=DELIVERY_STATES)
    return scope.q(institution="institution")


DELIVERY_STATES = [ProjectStatus.FILED, ProjectStatus.TENDERING, ProjectStatus.CONTRACTED, ProjectStatus.IN_PROGRESS,
                   ProjectStatus.COMPLETED, ProjectStatus.EVALUATED, ProjectStatus.CLOSED]


def project_list_visible_to(*, user):
    qs = Project.objects.select_related("plan", "plan__province", "owner", "office", "institution")
    q = _project_q(user)
    return qs if q is None else qs.filter(q)


# What the project list shows (templates/projects/project_list.html): nothing more is read (issue 13).
PROJECT_LIST_COLUMNS = ("code", "name", "plan_year", "project_type", "mode", "hours", "quota", "budget", "status",
                        "office__name", "institution__name")


def project_page_visible_to(*, user):
    """The project list page's rows: the row's own list keys in the index's order (project_list_province for a
    province's readers), the office and institution names joined by primary key, only the columns shown."""
    qs = Project.objects.select_related("office", "institution").only(*PROJECT_LIST_COLUMNS).order_by(
        "-plan_year", "province_code", "code")
    q = _project_q(user)
    return qs if q is None else qs.filter(q)


def project_detail_visible_to(*, user, pk):
    return project_list_visible_to(user=user).prefetch_related(
        "regions", Prefetch("inspections", queryset=InspectionVisit.objects.select_related("created_by")),
    ).get(pk=pk)


def plan_detail_visible_to(*, user, pk):
    return plan_list_visible_to(user=user).get(pk=pk)


def plan_is_visible_to(*, user, plan) -> bool:
    """Whether `user` may open `plan`'s page (schools and institutions read projects but not plans)."""
    return plan_list_visible_to(user=user).filter(pk=plan.pk).exists()


def plan_projects_visible_to(*, user, plan):
    """The projects of a plan the user may read: province-level readers see all of them."""
    return project_list_visible_to(user=user).filter(plan=plan).prefetch_related("regions").order_by("code")


def plan_projects_for_output(*, user, plan):
    """The plan's projects in its PDF and workbook: those the user may read, cancelled ones left out."""
    return plan_projects_visible_to(user=user, plan=plan).exclude(status=ProjectStatus.CANCELLED)


def project_inspections(*, project) -> list:
    """The project's inspection visits (视导), newest first; the project was read through a scoped selector."""
    return list(project.inspections.all())


def plan_summary(*, plan) -> dict:
    """Totals of the plan's non-cancelled projects, with the R16 share of quota reserved for key counties."""
    agg = plan.projects.exclude(status=ProjectStatus.CANCELLED).aggregate(
        budget=Sum("budget"), quota=Sum("quota"), priority_quota=Sum("priority_quota"), hours=Sum("hours"),
        count=Count("pk"),
    )
    budget = agg["budget"] or Decimal("0")
    quota = agg["quota"] or 0
    priority = agg["priority_quota"] or 0
    return {
        "count": agg["count"], "budget": budget, "quota": quota, "priority_quota": priority,
        "remaining": plan.central_subsidy - budget,
        "priority_share": (Decimal(priority) * 100 / quota).quantize(Decimal("0.1")) if quota else Decimal("0.0"),
    }


# -- review queues: "waiting for me" ------------------------------------------------------------------------
def project_queue_for(*, user):
    """Projects waiting for this user's move (R15 levels)."""
    scope = scope_for(user)
    if not scope.can_write:
        return Project.objects.none()
    qs = project_list_visible_to(user=user)
    org_id = user.organisation_id
    if user.is_superuser:
        return qs.filter(status__in=[ProjectStatus.SUBMITTED, ProjectStatus.REVIEWED])
    conditions = Q(owner_id=org_id, status__in=[ProjectStatus.DRAFT, ProjectStatus.RETURNED])
    if perms.reviews_projects.test(user):
        conditions |= Q(office_id=org_id, status=ProjectStatus.SUBMITTED)
    elif perms.approves_projects.test(user):
        conditions |= Q(status=ProjectStatus.REVIEWED) & ~Q(owner_id=org_id)
    elif perms.delivers_projects.test(user):
        conditions = Q(status__in=[ProjectStatus.CONTRACTED, ProjectStatus.IN_PROGRESS])
    return qs.filter(conditions).order_by("plan_year", "code")


def plan_queue_for(*, user):
    scope = scope_for(user)
    if not scope.can_write:
        return AnnualPlan.objects.none()
    qs = plan_list_visible_to(user=user)
    if perms.plan_can_decide.test(user):
        return qs.filter(status__in=[PlanStatus.SUBMITTED, PlanStatus.APPROVED])
    if perms.drafts_plans.test(user):
        return qs.filter(status__in=[PlanStatus.DRAFT, PlanStatus.RETURNED])
    return qs.none()


def inspection_list_for(*, user, project):
    return project.inspections.select_related("created_by")


def institution_latest_grade(*, institution) -> Project | None:
    """The institution's most recently evaluated project (R29, R65), or None when it has none."""
    return (
        Project.objects.filter(institution=institution, status__in=[ProjectStatus.EVALUATED, ProjectStatus.CLOSED])
        .exclude(grade="")
        .order_by("-evaluated_at", "-pk")
        .first()
    )


def project_grade(*, project) -> str:
    """The grade of the project's published evaluation (R65), '' while it has none. Finance reads it for R54."""
    return Project.objects.filter(pk=project.pk).values_list("grade", flat=True).first() or ""


def institutions_latest_grades(*, institution_ids) -> dict:
    """{institution id: grade of its most recently evaluated project} in one query (R29 for many bidders)."""
    grades = {}
    for inst_id, grade in (
        Project.objects.filter(institution_id__in=list(institution_ids),
                               status__in=[ProjectStatus.EVALUATED, ProjectStatus.CLOSED])
        .exclude(grade="").order_by("institution_id", "-evaluated_at", "-pk").values_list("institution_id", "grade")
    ):
        grades.setdefault(inst_id, grade)
    return grades
