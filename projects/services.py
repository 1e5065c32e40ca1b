"""Writes on plans and projects. Every state change goes through backoffice.workflow.fire."""
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError, ScopeError
from backoffice.models import OrganisationKind, Region
from backoffice.scoping import scope_for
from backoffice.workflow import fire
from projects import calculations, permissions as perms
from backoffice.money import yuan
from backoffice.punctuation import mark
from projects.models import (
    AnnualPlan,
    InspectionVisit,
    PlanStatus,
    Project,
    ProjectMode,
    ProjectStatus,
    RectificationStatus,
)

OWNER_KINDS = (OrganisationKind.PROJECT_OFFICE, OrganisationKind.CITY_BUREAU, OrganisationKind.COUNTY_BUREAU)
PROJECT_FIELDS = (
    "code", "name", "project_type", "category", "mode", "hours", "quota", "priority_quota", "start_date", "end_date",
    "shadowing_days", "offline_start", "offline_end", "budget", "topics", "target_stages", "target_subjects",
    "target_posts", "rural_only", "priority_counties_only", "min_years_teaching", "max_age", "office",
)
PLAN_FIELDS = ("title", "central_subsidy")


def _check(predicate, actor, obj, *, what: str):
    if not predicate.test(actor, obj):
        raise ScopeError("forbidden", _("Your role or region does not allow you to %(what)s.") % {"what": what})


# -- validation shared by the forms, the import and the services (R11, R12, R15) --------------------------
def project_errors(*, plan: AnnualPlan, data: dict, instance: Project | None = None) -> dict[str, list[str]]:
    """Every problem with a project's data at once, per field ("__all__" for the whole)."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(str(message))

    hours, quota = data.get("hours"), data.get("quota")
    start, end = data.get("start_date"), data.get("end_date")
    if hours is not None and hours <= 0:
        add("hours", _("Training hours must be greater than zero."))  # R11
    if quota is not None and quota <= 0:
        add("quota", _("The quota must be greater than zero."))  # R11
    if start and end and start > end:
        add("end_date", _("The start date must not be after the end date."))  # R11
    if quota and data.get("priority_quota") and data["priority_quota"] > quota:
        add("priority_quota", _("The quota reserved for key counties cannot exceed the quota."))  # R16
    if data.get("mode") == ProjectMode.BLENDED:
        o_start, o_end = data.get("offline_start"), data.get("offline_end")
        if (o_start is None) != (o_end is None):
            add("offline_end", _("Give both dates of the offline part, or neither."))
        elif o_start and o_end:
            if o_start > o_end:
                add("offline_end", _("The offline part cannot end before it starts."))
            if start and end and (o_start < start or o_end > end):
                add("offline_start", _("The offline part must lie within the project's dates."))
    elif data.get("offline_start") or data.get("offline_end"):
        add("offline_start", _("Only blended projects have a separate offline part."))
    if start and end and hours is not None:
        for message in calculations.category_minimum_errors(
            category=data.get("category"), hours=hours, start_date=start, end_date=end,
            shadowing_days=data.get("shadowing_days") or 0, region=plan.province,
        ):
            add("category", message)  # R11 category minimums (settings)
    if start and end and data.get("shadowing_days") and data["shadowing_days"] > (end - start).days + 1:
        add("shadowing_days", _("Shadowing days cannot exceed the project's length."))
    budget = data.get("budget")
    if budget is not None:
        if budget < 0:
            add("budget", _("The budget cannot be negative."))
        total = calculations.plan_budget_total(plan, exclude_pk=instance.pk if instance else None, extra=budget)
        if total > plan.central_subsidy:  # R12
            add("budget", _("With this budget the plan's projects total %(total)s, more than the central subsidy of "
                            "%(subsidy)s.") % {"total": yuan(total), "subsidy": yuan(plan.central_subsidy)})
    code = (data.get("code") or "").strip()
    if code and Project.objects.filter(code=code).exclude(pk=instance.pk if instance else None).exists():
        add("code", _("Project code %(code)s is already used.") % {"code": code})
    office = data.get("office")
    if office is not None and (office.kind != OrganisationKind.PROJECT_OFFICE or office.region_id is None
                               or not office.region.code.startswith(plan.province.prefix)):
        add("office", _("The responsible office must be a project office of %(province)s.") % {
            "province": plan.province.name})
    for region in data.get("regions") or []:
        if not region.code.startswith(plan.province.prefix):
            add("regions", _("%(region)s is not in %(province)s.") % {"region": region.name,
                                                                       "province": plan.province.name})
    return errors


def _raise_errors(errors: dict):
    if errors:
        flat = [(field, message) for field, messages in errors.items() for message in messages]
        raise DomainError("invalid", mark(";").join(m for _, m in flat), errors=flat)


def owner_choices(*, actor, plan: AnnualPlan):
    """The organisations a province staff member may draft a project for. Never the department itself:
    it approves, and nobody approves their own organisation's proposal (R15)."""
    from backoffice.models import Organisation

    return Organisation.objects.filter(kind__in=OWNER_KINDS, region__code__startswith=plan.province.prefix,
                                       is_active=True).select_related("region").order_by("kind", "region__code", "name")


# -- plans -------------------------------------------------------------------------------------------------
def plan_create(*, actor, year: int, title: str, central_subsidy: Decimal, province: Region | None = None) -> AnnualPlan:
    """R10: a province department drafts its own province's plan (the actor's province unless one is named)."""
    _check(perms.plan_can_create, actor, None, what=_("create a plan"))
    province = province or actor.province
    if province is None or not scope_for(actor).covers_region(province) or province.level != "province":
        raise ScopeError("forbidden", _("You may create plans only for your own province."))
    with transaction.atomic():
        if AnnualPlan.objects.filter(province=province, year=year).exists():
            raise DomainError("r10_plan_exists", _("%(province)s already has a plan for %(year)s.") % {
                "province": province.name, "year": year})  # R10
        plan = AnnualPlan(province=province, year=year, title=title, central_subsidy=central_subsidy, created_by=actor)
        plan.save()
        audit_record(obj=plan, actor=actor, action="create",
                     changes={"central_subsidy": (None, central_subsidy), "year": (None, year)})
    return plan


def plan_update(*, actor, plan: AnnualPlan, title: str, central_subsidy: Decimal) -> AnnualPlan:
    with transaction.atomic():
        plan = AnnualPlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
        _check(perms.is_superuser | perms.plan_can_edit, actor, plan, what=_("edit this plan"))
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
            raise DomainError("plan_not_open", _("A plan can be changed only while it is a draft or returned."))
        total = calculations.plan_budget_total(plan)
        if total > central_subsidy:  # R12
            raise DomainError("r12_budget_over_subsidy", _(
                "The projects' budgets total %(total)s, more than the central subsidy of %(subsidy)s.") % {
                "total": yuan(total), "subsidy": yuan(central_subsidy)})
        changes = {k: (getattr(plan, k), v) for k, v in (("title", title), ("central_subsidy", central_subsidy))
                   if getattr(plan, k) != v}
        plan.title, plan.central_subsidy = title, central_subsidy
        plan.save(update_fields=["title", "central_subsidy"])
        if changes:
            audit_record(obj=plan, actor=actor, action="update", changes=changes)
    return plan


def plan_submit(*, plan: AnnualPlan, actor, reason: str = "") -> AnnualPlan:
    return fire(AnnualPlan, plan.pk, name="submit", actor=actor, reason=reason)


def plan_return(*, plan: AnnualPlan, actor, reason: str) -> AnnualPlan:
    """R13: the reason is shown to the province on the plan page."""
    return fire(AnnualPlan, plan.pk, name="return_", actor=actor, reason=reason)


def plan_approve(*, plan: AnnualPlan, actor, reason: str = "") -> AnnualPlan:
    return fire(AnnualPlan, plan.pk, name="approve", actor=actor, reason=reason)


def plan_file(*, plan: AnnualPlan, actor, reason: str = "") -> AnnualPlan:
    """备案: allowed only when every non-cancelled project is approved; files those projects with the plan (R10)."""
    with transaction.atomic():
        plan = fire(AnnualPlan, plan.pk, name="file", actor=actor, reason=reason)
        for pk in plan.projects.filter(status=ProjectStatus.APPROVED).order_by("pk").values_list("pk", flat=True):
            fire(Project, pk, name="file", actor=actor, reason=reason)
    return plan


# -- projects: proposal ------------------------------------------------------------------------------------
def _set_regions(project, regions):
    if regions is not None:
        project.regions.set(regions)


def project_create(*, actor, plan: AnnualPlan, data: dict, owner=None, regions=None) -> Project:
    with transaction.atomic():
        plan = AnnualPlan.objects.select_for_update().select_related("province").get(pk=plan.pk)
        _check(perms.plan_can_add_project, actor, plan, what=_("add projects to this plan"))
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
            raise DomainError("plan_not_open", _("Projects can be added only while the plan is a draft or returned."))
        if perms.chooses_owner.test(actor, plan):
            # The department drafts on behalf of an owning office, never for itself (R15).
            if owner is None or owner.kind not in OWNER_KINDS or not owner.region.code.startswith(plan.province.prefix):
                raise DomainError("invalid", _("Choose the owning office: a project office or an education bureau "
                                               "of the province."), errors=[("owner", _("Choose the owning office."))])
        else:
            owner = actor.organisation
        errors = project_errors(plan=plan, data={**data, "regions": regions})
        _raise_errors(errors)
        project = Project(plan=plan, owner=owner, created_by=actor,
                          **{k: v for k, v in data.items() if k in PROJECT_FIELDS})
        try:
            with transaction.atomic():
                project.save()
        except IntegrityError as exc:
            raise DomainError("invalid", _("The project could not be saved: %(error)s") % {"error": exc}) from exc
        _set_regions(project, regions)
        audit_record(obj=project, actor=actor, action="create",
                     changes={"budget": (None, project.budget), "quota": (None, project.quota)})
    return project


def project_update(*, actor, project: Project, data: dict, regions=None) -> Project:
    """Only the owning office edits its draft or returned proposal (R15)."""
    with transaction.atomic():
        # Lock the plan first (as project_create does), so concurrent budget changes cannot together break R12.
        AnnualPlan.objects.select_for_update().get(pk=project.plan_id)
        project = Project.objects.select_for_update().select_related("plan__province").get(pk=project.pk)
        _check(perms.project_can_edit, actor, project, what=_("edit this project"))
        if project.status not in (ProjectStatus.DRAFT, ProjectStatus.RETURNED):
            raise DomainError("project_not_open", _("A project can be changed only while it is a draft or returned."))
        errors = project_errors(plan=project.plan, data={**data, "regions": regions}, instance=project)
        _raise_errors(errors)
        changes = {}
        for field, value in data.items():
            if field in PROJECT_FIELDS and getattr(project, field) != value:
                changes[field] = (getattr(project, field), value)
                setattr(project, field, value)
        project.save()
        before_regions = set(project.regions.values_list("code", flat=True))
        _set_regions(project, regions)
        if regions is not None and before_regions != {x.code for x in regions}:
            changes["regions"] = (sorted(before_regions), sorted(x.code for x in regions))
        if changes:
            audit_record(obj=project, actor=actor, action="update", changes=changes)
    return project


def project_submit(*, project: Project, actor, reason: str = "") -> Project:
    return fire(Project, project.pk, name="submit", actor=actor, reason=reason)


def project_review(*, project: Project, actor, reason: str = "") -> Project:
    return fire(Project, project.pk, name="review", actor=actor, reason=reason)


def project_return(*, project: Project, actor, reason: str) -> Project:
    """R13: the reason is kept on the project and shown to the owning office."""
    return fire(Project, project.pk, name="return_", actor=actor, reason=reason)


def project_approve(*, project: Project, actor, reason: str = "") -> Project:
    return fire(Project, project.pk, name="approve", actor=actor, reason=reason)


def project_cancel(*, project: Project, actor, reason: str) -> Project:
    """R13: a cancellation carries a reason; only before training starts."""
    return fire(Project, project.pk, name="cancel", actor=actor, reason=reason)


def project_close(*, project: Project, actor, reason: str = "") -> Project:
    return fire(Project, project.pk, name="close", actor=actor, reason=reason)


# -- lifecycle hooks called by the tendering, enrolment and evaluation services --------------------
def project_put_to_tender(*, project: Project, actor) -> Project:
    return fire(Project, project.pk, name="put_to_tender", actor=actor)


def project_tender_failed(*, project: Project, actor, reason: str) -> Project:
    """A failed lot (R24) sends its projects back to filed, ready for a new tender."""
    return fire(Project, project.pk, name="tender_failed", actor=actor, reason=reason)


def project_record_contract(*, project: Project, actor, institution, unit_price, contract_reference: str) -> Project:
    """R28: the signed contract sets the institution and the unit price per trainee-hour."""
    return fire(
        Project, project.pk, name="contract", actor=actor, institution=institution, unit_price=unit_price,
        contract_reference=contract_reference,
        changes={"institution": (None, str(institution)), "unit_price": (None, unit_price)},
    )


def project_start(*, project: Project, actor) -> Project:
    return fire(Project, project.pk, name="start", actor=actor)


def project_complete(*, project: Project, actor) -> Project:
    return fire(Project, project.pk, name="complete", actor=actor)


def project_mark_evaluated(*, project: Project, actor, grade: str) -> Project:
    """R65: a published evaluation records its grade on the project, where tendering (R29) and finance (R54) read it."""
    return fire(Project, project.pk, name="mark_evaluated", actor=actor, grade=grade,
                changes={"grade": (project.grade or None, grade)})


# -- inspection visits (视导) ---------------------------------------------------------------------------------
def inspection_visit_record(*, actor, project: Project, visit_date, inspectors: str, findings: str,
                            rectification_deadline=None,
                            rectification_status: str = RectificationStatus.NONE) -> InspectionVisit:
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("plan__province").get(pk=project.pk)
        _check(perms.project_can_inspect, actor, project, what=_("record inspection visits on this project"))
        if project.status != ProjectStatus.IN_PROGRESS:
            raise DomainError("project_not_in_progress", _("Inspection visits are recorded on projects in progress."))
        if rectification_status == RectificationStatus.PENDING and rectification_deadline is None:
            raise DomainError("rectification_deadline_required", _("Give a deadline for the rectification."),
                              errors=[("rectification_deadline", _("Give a deadline for the rectification."))])
        visit = InspectionVisit.objects.create(
            project=project, visit_date=visit_date, inspectors=inspectors.strip(), findings=findings.strip(),
            rectification_deadline=rectification_deadline, rectification_status=rectification_status, created_by=actor,
        )
        audit_record(obj=project, actor=actor, action="create", reason=_("Inspection visit on %(date)s") % {
            "date": visit_date}, changes={"inspection": (None, str(visit))})
    return visit


def inspection_visit_set_status(*, actor, visit: InspectionVisit, status: str) -> InspectionVisit:
    with transaction.atomic():
        visit = InspectionVisit.objects.select_for_update().select_related("project__plan__province").get(pk=visit.pk)
        _check(perms.project_can_inspect, actor, visit.project, what=_("update inspection visits on this project"))
        before = visit.rectification_status
        visit.rectification_status = status
        visit.save(update_fields=["rectification_status"])
        audit_record(obj=visit.project, actor=actor, action="update",
                     changes={"rectification_status": (before, status)})
    return visit
