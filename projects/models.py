"""Annual plans and project proposals (R10-R16). States and transitions are declared here, in one place;
services.py fires them through backoffice.workflow.fire (lock, guards, role and scope, audit)."""
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.models import Logged, Recorded
from backoffice.punctuation import enum
from projects import guards as g
from projects import permissions as p


class ProjectType(models.TextChoices):
    DEMONSTRATION = "demonstration", _("Demonstration project")
    CENTRAL_WESTERN = "central_western", _("Central and western project")
    PRESCHOOL = "preschool", _("Preschool teacher project")


class ProjectCategory(models.TextChoices):
    NEW_TEACHER = "new_teacher", _("New teacher induction")
    YOUNG_TEACHER = "young_teacher", _("Young teacher support")
    BACKBONE = "backbone", _("Backbone teacher improvement")
    TEAM_RESEARCH = "team_research", _("Training team research")
    PRINCIPAL = "principal", _("Principal induction, improvement and advanced study")
    THEMATIC = "thematic", _("Thematic training")
    SEND_TO_VILLAGE = "send_to_village", _("Training sent to the countryside")
    WORKSHOP = "workshop", _("Workshop research")
    ONLINE_RESEARCH = "online_research", _("Online research")
    RURAL_VISIT = "rural_visit", _("Rural teachers visiting renowned schools")
    # R49: enrols every teacher of its counties; no selection, no cap or ban effects.
    WHOLE_STAFF = "whole_staff", _("Whole-staff training")


class ProjectMode(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline, centralised")
    BLENDED = "blended", _("Blended")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    FILED = "filed", _("Filed")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed by the project office")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    FILED = "filed", _("Filed")
    TENDERING = "tendering", _("Tendering")
    CONTRACTED = "contracted", _("Contracted")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    EVALUATED = "evaluated", _("Evaluated")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Grade(models.TextChoices):
    """R62 grades; the published evaluation writes one onto its project (R65)."""

    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


MONEY = {"max_digits": 14, "decimal_places": 2}


class AnnualPlan(ConcurrentTransitionMixin, Recorded):
    """R10: one plan per province and year."""

    province = models.ForeignKey(
        "backoffice.Region", verbose_name=_("province"), on_delete=models.PROTECT, related_name="annual_plans",
        limit_choices_to={"level": "province"},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    central_subsidy = models.DecimalField(
        _("central subsidy allocated"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    status = FSMField(_("status"), default=PlanStatus.DRAFT, choices=PlanStatus.choices, protected=True)
    # Issue 15: `updated_since` on the API (incremental sync).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["-year", "province__code"]
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="plan_one_per_province_year")]

    def __str__(self):
        return self.title

    audit_region = "province"  # where its audit events are filed (R2, R3)

    # -- transitions: conditions in projects.guards, who may in projects.permissions --
    @transition(field=status, source=[PlanStatus.DRAFT, PlanStatus.RETURNED], target=PlanStatus.SUBMITTED,
                conditions=[g.plan_has_projects, g.plan_within_subsidy], permission=p.P(p.plan_can_submit),
                custom={"label": _("Submit")})
    def submit(self, *, actor=None, reason=""):
        self.submitted_at = timezone.now()

    @transition(field=status, source=PlanStatus.SUBMITTED, target=PlanStatus.RETURNED,
                permission=p.P(p.plan_can_decide),
                custom={"label": _("Return"), "reason_required": True, "css": "danger"})
    def return_(self, *, actor=None, reason=""):
        self.return_reason = reason

    @transition(field=status, source=PlanStatus.SUBMITTED, target=PlanStatus.APPROVED,
                conditions=[g.plan_within_subsidy, g.plan_projects_all_approved], permission=p.P(p.plan_can_decide),
                custom={"label": _("Approve")})
    def approve(self, *, actor=None, reason=""):
        self.approved_at = timezone.now()

    @transition(field=status, source=PlanStatus.APPROVED, target=PlanStatus.FILED,
                conditions=[g.plan_projects_all_approved], permission=p.P(p.plan_can_decide),
                custom={"label": _("File")})
    def file(self, *, actor=None, reason=""):
        self.filed_at = timezone.now()


class Project(ConcurrentTransitionMixin, Recorded):
    plan = models.ForeignKey(AnnualPlan, verbose_name=_("annual plan"), on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("project code"), max_length=32, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    project_type = models.CharField(_("project type"), max_length=32, choices=ProjectType.choices)
    category = models.CharField(_("category"), max_length=32, choices=ProjectCategory.choices)
    mode = models.CharField(_("mode"), max_length=16, choices=ProjectMode.choices)
    hours = models.PositiveIntegerField(_("training hours"))
    quota = models.PositiveIntegerField(_("quota"))
    priority_quota = models.PositiveIntegerField(
        _("quota reserved for priority counties"), default=0,
        help_text=_("Places reserved for rural teachers of national key counties."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    shadowing_days = models.PositiveIntegerField(_("shadowing days"), default=0)
    offline_start = models.DateField(_("offline part starts"), null=True, blank=True)
    offline_end = models.DateField(_("offline part ends"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    topics = models.TextField(_("topics covered"), blank=True)
    # Target trainee criteria (R31); empty lists mean "any".
    target_stages = models.JSONField(_("target school stages"), default=list, blank=True)
    target_subjects = models.JSONField(_("target subjects"), default=list, blank=True)
    target_posts = models.JSONField(_("target posts"), default=list, blank=True)
    rural_only = models.BooleanField(_("rural teachers only"), default=False)
    priority_counties_only = models.BooleanField(_("national key counties only"), default=False)
    min_years_teaching = models.PositiveSmallIntegerField(_("minimum years of teaching"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    regions = models.ManyToManyField("backoffice.Region", verbose_name=_("regions served"), related_name="projects", blank=True)
    owner = models.ForeignKey(
        "backoffice.Organisation", verbose_name=_("owning office"), on_delete=models.PROTECT, related_name="owned_projects",
    )
    office = models.ForeignKey(
        "backoffice.Organisation", verbose_name=_("responsible project office"), on_delete=models.PROTECT,
        related_name="managed_projects", limit_choices_to={"kind": "project_office"},
    )
    status = FSMField(_("status"), default=ProjectStatus.DRAFT, choices=ProjectStatus.choices, protected=True)
    # Set by the signed contract (tendering calls project_record_contract).
    institution = models.ForeignKey(
        "backoffice.Organisation", verbose_name=_("training institution"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="delivered_projects", limit_choices_to={"kind": "institution"},
    )
    unit_price = models.DecimalField(_("unit price per trainee-hour"), null=True, blank=True, **MONEY)
    contract_reference = models.CharField(_("contract"), max_length=64, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    # Issue 15: `updated_since` on the API (incremental sync).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    contracted_at = models.DateTimeField(_("contracted at"), null=True, blank=True)
    grade = models.CharField(_("evaluation grade"), max_length=16, choices=Grade.choices, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    # List keys (issue 13): the plan's year and province code on the row, so the project list's filter and order
    # are one index. Kept by database triggers (migration projects 0006_project_list_keys) whoever writes.
    plan_year = models.PositiveSmallIntegerField(_("plan year"), null=True, blank=True, editable=False)
    province_code = models.CharField(_("province code"), max_length=6, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        # The plan's order (newest year, then province) then the code, read from the row's own keys.
        ordering = ["-plan_year", "province_code", "code"]
        indexes = [
            models.Index(fields=["-plan_year", "province_code", "code"], name="project_list_order"),
            # A province's readers: province_code = … then the list's order; the budget pages' (year, code) order.
            models.Index(fields=["province_code", "-plan_year", "code"], name="project_list_province"),
            models.Index(fields=["province_code", "plan_year", "code"], name="project_budget_order"),
            models.Index(fields=["institution", "-plan_year", "province_code", "code"], name="project_list_institution"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(start_date__lte=models.F("end_date")), name="project_dates_ordered"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="project_hours_positive"),
            models.CheckConstraint(condition=models.Q(quota__gt=0), name="project_quota_positive"),
        ]

    def __str__(self):
        return self.name

    audit_region = "plan.province"  # where its audit events are filed (R2, R3)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def target_display(self) -> str:
        """The target trainee criteria (R31) in words, for pages and documents."""
        from backoffice.models import SchoolStage, Subject, TeacherPost

        parts = []
        for values, choices in ((self.target_stages, SchoolStage), (self.target_subjects, Subject),
                                (self.target_posts, TeacherPost)):
            labels = dict(choices.choices)
            if values:
                parts.append(enum(str(labels.get(v, v)) for v in values))
        if self.rural_only:
            parts.append(str(_("rural teachers only")))
        if self.priority_counties_only:
            parts.append(str(_("national key counties only")))
        if self.min_years_teaching:
            parts.append(str(_("at least %(n)s years of teaching")) % {"n": self.min_years_teaching})
        if self.max_age:
            parts.append(str(_("aged %(n)s or under")) % {"n": self.max_age})
        return "；".join(parts) or str(_("any teacher"))

    # -- proposal --
    @transition(field=status, source=[ProjectStatus.DRAFT, ProjectStatus.RETURNED], target=ProjectStatus.SUBMITTED,
                conditions=[g.project_meets_requirements, g.project_within_subsidy],
                permission=p.P(p.project_can_submit), custom={"label": _("Submit")})
    def submit(self, *, actor=None, reason=""):
        self.submitted_at = timezone.now()

    @transition(field=status, source=ProjectStatus.SUBMITTED, target=ProjectStatus.REVIEWED,
                conditions=[g.project_meets_requirements], permission=p.P(p.project_can_review),
                custom={"label": _("Pass review")})
    def review(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=[ProjectStatus.SUBMITTED, ProjectStatus.REVIEWED], target=ProjectStatus.RETURNED,
                permission=p.P(p.project_can_return),
                custom={"label": _("Return"), "reason_required": True, "css": "danger"})
    def return_(self, *, actor=None, reason=""):
        self.return_reason = reason

    @transition(field=status, source=ProjectStatus.REVIEWED, target=ProjectStatus.APPROVED,
                conditions=[g.project_meets_requirements, g.project_within_subsidy, g.project_outside_suspension],
                permission=p.P(p.project_can_approve), custom={"label": _("Approve")})
    def approve(self, *, actor=None, reason=""):
        self.approved_at = timezone.now()

    @transition(field=status, source=ProjectStatus.APPROVED, target=ProjectStatus.FILED, conditions=[g.project_plan_filed],
                permission=p.P(p.project_can_file), custom={"label": _("File"), "hidden": True})
    def file(self, *, actor=None, reason=""):
        self.filed_at = timezone.now()

    # -- delivery: fired by the tendering, enrolment and evaluation services --
    # R10 is enforced where a project enters "filed": only its plan's filing files it (see `file` above).
    @transition(field=status, source=ProjectStatus.FILED, target=ProjectStatus.TENDERING,
                permission=p.P(p.project_can_manage),
                custom={"label": _("Put out to tender"), "hidden": True})
    def put_to_tender(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=ProjectStatus.TENDERING, target=ProjectStatus.FILED,
                permission=p.P(p.project_can_manage), custom={"label": _("Tender failed"), "hidden": True})
    def tender_failed(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=ProjectStatus.TENDERING, target=ProjectStatus.CONTRACTED,
                permission=p.P(p.project_can_manage), custom={"label": _("Contract signed"), "hidden": True})
    def contract(self, *, actor=None, reason="", institution=None, unit_price=None, contract_reference=""):
        self.institution, self.unit_price = institution, unit_price
        self.contract_reference = contract_reference
        self.contracted_at = timezone.now()

    @transition(field=status, source=ProjectStatus.CONTRACTED, target=ProjectStatus.IN_PROGRESS,
                conditions=[g.project_may_start_now], permission=p.P(p.project_can_deliver),
                custom={"label": _("Start training")})
    def start(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=ProjectStatus.IN_PROGRESS, target=ProjectStatus.COMPLETED,
                permission=p.P(p.project_can_deliver), custom={"label": _("Complete training")})
    def complete(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=[ProjectStatus.COMPLETED, ProjectStatus.EVALUATED, ProjectStatus.CLOSED],
                target=ProjectStatus.EVALUATED,
                permission=p.P(p.project_can_manage), custom={"label": _("Evaluation published"), "hidden": True})
    def mark_evaluated(self, *, actor=None, reason="", grade=""):
        # A reopened and republished evaluation (R66) replaces the grade, even on a closed project, which goes back
        # to evaluated until it is closed again; the evaluation keeps the history.
        self.grade = grade
        self.evaluated_at = timezone.now()

    @transition(field=status, source=ProjectStatus.EVALUATED, target=ProjectStatus.CLOSED,
                permission=p.P(p.project_can_manage), custom={"label": _("Close")})
    def close(self, *, actor=None, reason=""):
        pass

    @transition(
        field=status,
        source=[ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.REVIEWED, ProjectStatus.RETURNED,
                ProjectStatus.APPROVED, ProjectStatus.FILED, ProjectStatus.TENDERING, ProjectStatus.CONTRACTED],
        target=ProjectStatus.CANCELLED, permission=p.P(p.project_can_cancel),
        custom={"label": _("Cancel"), "reason_required": True, "css": "danger"},
    )
    def cancel(self, *, actor=None, reason=""):
        self.cancel_reason = reason


class RectificationStatus(models.TextChoices):
    NONE = "none", _("No rectification needed")
    PENDING = "pending", _("Rectification pending")
    DONE = "done", _("Rectified")


class InspectionVisit(Logged):
    """视导: an on-site or online check of a project in progress, with findings and what must be put right."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="inspections")
    visit_date = models.DateField(_("visit date"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    findings = models.TextField(_("findings"))
    rectification_deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    rectification_status = models.CharField(
        _("rectification status"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.NONE,
    )

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["-visit_date", "-pk"]

    def __str__(self):
        return f"{self.project} · {self.visit_date}"

    audit_region = "project.plan.province"  # where its audit events are filed (R2, R3)
