"""Completion schemes (R46), learning records from the platforms (R47) and computed outcomes (R48)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.files import UploadTo
from backoffice.models import Audited, Job, Recorded

from . import guards as g
from . import permissions as p

__all__ = ["IndicatorKind", "SchemeStatus", "CompletionScheme", "SchemeIndicator", "LearningRecordBatch",
           "LearningRecord", "OutcomeStatus", "Proposed", "Outcome", "LearningRecordJob"]


class IndicatorKind(models.TextChoices):
    LEARNING_MINUTES = "learning_minutes", _("Learning time (minutes)")
    ASSIGNMENTS_SUBMITTED = "assignments_submitted", _("Assignments submitted")
    ASSIGNMENTS_PASSED = "assignments_passed", _("Assignments passed")
    ACHIEVEMENTS = "achievements", _("Training results submitted")
    ASSESSMENT = "assessment", _("Final assessment score")
    ACTIVITIES = "activities", _("Activities taken part in")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved, in force")
    RETURNED = "returned", _("Returned")
    SUPERSEDED = "superseded", _("Replaced by a later version")


class CompletionScheme(ConcurrentTransitionMixin, Recorded):
    """R46: one version of a project's completion scheme. An approved version is never edited: a change is a
    new version; the latest approved version is the one in force."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="completion_schemes")
    version = models.PositiveIntegerField(_("version"))
    pass_line = models.DecimalField(_("pass line of the learning score"), max_digits=5, decimal_places=2)
    status = FSMField(_("status"), default=SchemeStatus.DRAFT, choices=SchemeStatus.choices, protected=True)
    change_reason = models.TextField(_("reason for the change"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        verbose_name = _("completion scheme")
        verbose_name_plural = _("completion schemes")
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="completion_scheme_version_unique"),
            models.UniqueConstraint(fields=["project"], condition=Q(status="approved"),
                                    name="completion_scheme_one_in_force"),
        ]

    def __str__(self):
        return f"{self.project.code} v{self.version}"

    audit_region = "project.plan.province"

    @property
    def editable(self) -> bool:
        return self.status in (SchemeStatus.DRAFT, SchemeStatus.RETURNED)

    @transition(field=status, source=[SchemeStatus.DRAFT, SchemeStatus.RETURNED], target=SchemeStatus.SUBMITTED,
                conditions=[g.has_online_part, g.weights_sum_100], permission=p.scheme_institution,
                custom={"label": _("Submit for approval")})
    def submit(self, *, actor=None, reason=""):
        self.submitted_at = timezone.now()
        if reason:
            self.change_reason = reason

    @transition(field=status, source=SchemeStatus.SUBMITTED, target=SchemeStatus.APPROVED,
                conditions=[g.before_start, g.weights_sum_100], permission=p.scheme_office,
                custom={"label": _("Approve the scheme")})
    def approve(self, *, actor=None, reason=""):
        self.approved_at = timezone.now()

    @transition(field=status, source=SchemeStatus.SUBMITTED, target=SchemeStatus.APPROVED,
                conditions=[g.after_start, g.weights_sum_100], permission=p.scheme_province,
                custom={"label": _("Approve the change after the start"), "reason_required": True})
    def approve_change(self, *, actor=None, reason=""):
        # R46: a change after the start needs the province's approval with a reason.
        self.approved_at, self.change_reason = timezone.now(), reason

    @transition(field=status, source=SchemeStatus.SUBMITTED, target=SchemeStatus.RETURNED,
                permission=p.scheme_returner,
                custom={"label": _("Return"), "reason_required": True, "css": "danger"})
    def return_(self, *, actor=None, reason=""):
        self.return_reason = reason

    @transition(field=status, source=SchemeStatus.APPROVED, target=SchemeStatus.SUPERSEDED,
                custom={"label": _("Replace by the new version"), "hidden": True})
    def supersede(self, *, actor=None, reason=""):
        pass


class SchemeIndicator(models.Model):
    """One indicator of a scheme: its full-marks target, weight and optional hard minimum (share of the target)."""

    scheme = models.ForeignKey(CompletionScheme, verbose_name=_("completion scheme"), on_delete=models.CASCADE,
                               related_name="indicators")
    kind = models.CharField(_("indicator"), max_length=32, choices=IndicatorKind.choices)
    target = models.DecimalField(_("full-marks target"), max_digits=10, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    minimum_percent = models.DecimalField(_("hard minimum (percent of the target)"), max_digits=5, decimal_places=2,
                                          null=True, blank=True)

    class Meta:
        verbose_name = _("scheme indicator")
        verbose_name_plural = _("scheme indicators")
        ordering = ["scheme", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind"], name="scheme_indicator_kind_unique")]

    def __str__(self):
        return self.get_kind_display()


class LearningRecordBatch(Audited):
    """One delivery of learning records (a file or an API call): who, when, which key, what it did (R47)."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="+")
    source = models.CharField(_("source platform"), max_length=64)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received from"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    api_key_id = models.CharField(_("API key"), max_length=64, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    rows_refused = models.PositiveIntegerField(_("rows refused"), default=0)

    class Meta:
        verbose_name = _("learning-record delivery")
        verbose_name_plural = _("learning-record deliveries")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["project", "source", "idempotency_key"],
                                               condition=~Q(idempotency_key=""), name="record_batch_idempotent")]

    def __str__(self):
        return f"{self.source} · {self.received_at:%Y-%m-%d %H:%M}"

    audit_region = "project.plan.province"


class LearningRecord(models.Model):
    """R47: what a platform reported for one trainee and period. Never edited: a re-sent record becomes the current
    figure and the earlier one is kept with `is_current` false."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    enrolment = models.ForeignKey("enrolment.Enrolment", verbose_name=_("trainee"), on_delete=models.PROTECT,
                                  related_name="learning_records", db_index=False)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    source = models.CharField(_("source platform"), max_length=64)
    minutes = models.PositiveIntegerField(_("learning minutes"), default=0)
    assignments_submitted = models.PositiveIntegerField(_("assignments submitted"), default=0)
    assignments_passed = models.PositiveIntegerField(_("assignments passed"), default=0)
    achievements = models.PositiveIntegerField(_("training results submitted"), default=0)
    assessment_score = models.DecimalField(_("final assessment score"), max_digits=5, decimal_places=2, null=True,
                                           blank=True)
    activities = models.PositiveIntegerField(_("activities"), default=0)
    is_current = models.BooleanField(_("current figure"), default=True)
    batch = models.ForeignKey(LearningRecordBatch, verbose_name=_("delivery"), on_delete=models.PROTECT,
                              related_name="records", db_index=False)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("learning record")
        verbose_name_plural = _("learning records")
        ordering = ["enrolment", "period_start", "-received_at"]
        constraints = [
            # R47: one current figure per (project, teacher, period, source); earlier ones are kept.
            models.UniqueConstraint(fields=["enrolment", "period_start", "period_end", "source"],
                                    condition=Q(is_current=True), name="learning_record_one_current"),
        ]
        indexes = [models.Index(fields=["project", "enrolment"], name="learning_record_project_idx")]

    def __str__(self):
        return f"{self.period_start}–{self.period_end} · {self.source}"


class OutcomeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the computation")
    CONFIRMED = "confirmed", _("Confirmed by the institution")
    AUDITED = "audited", _("Audited by the county")
    RETURNED = "returned", _("Returned by the county")


class Proposed(models.TextChoices):
    COMPLETED = "completed", pgettext_lazy("enrolment", "Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")
    NO_SHOW = "no_show", _("No-show")


def _confirm_sets(*, actor, reason, now, **kwargs):
    return {"confirmed_at": now, "confirmed_by_id": getattr(actor, "pk", None)}


def _audit_sets(*, actor, reason, now, **kwargs):
    return {"audited_at": now, "audited_by_id": getattr(actor, "pk", None)}


def _return_sets(*, actor, reason, now, **kwargs):
    return {"audited_at": now, "audited_by_id": getattr(actor, "pk", None), "return_reason": reason}


class Outcome(ConcurrentTransitionMixin, Audited):
    """R48: a trainee's computed learning score and proposed outcome, with the scheme version used, and its
    confirmation by the institution (with an optional override and reason) and audit by the county (R41)."""

    enrolment = models.OneToOneField("enrolment.Enrolment", verbose_name=_("trainee"), on_delete=models.PROTECT,
                                     related_name="computed_outcome")
    # Indexes: the enrolment key and (project, status) only (enrolment 0010): each move rewrites every index.
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    scheme = models.ForeignKey(CompletionScheme, verbose_name=_("scheme version"), on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    records = models.PositiveIntegerField(_("records"), default=0)
    minutes = models.PositiveIntegerField(_("learning minutes"), default=0)
    assignments_submitted = models.PositiveIntegerField(_("assignments submitted"), default=0)
    assignments_passed = models.PositiveIntegerField(_("assignments passed"), default=0)
    achievements = models.PositiveIntegerField(_("training results submitted"), default=0)
    assessment_score = models.DecimalField(_("final assessment score"), max_digits=5, decimal_places=2, null=True)
    activities = models.PositiveIntegerField(_("activities"), default=0)
    score = models.DecimalField(_("learning score"), max_digits=5, decimal_places=2, default=0)
    # Kinds of the hard minimums not met, comma-separated, e.g. "learning_minutes".
    minimums_failed = models.CharField(_("hard minimums not met"), max_length=200, blank=True)
    proposed = models.CharField(_("proposed outcome"), max_length=16, choices=Proposed.choices)
    override = models.CharField(_("outcome set by the institution"), max_length=16, choices=Proposed.choices,
                                blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    status = FSMField(_("status"), default=OutcomeStatus.PROPOSED, choices=OutcomeStatus.choices, protected=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    audited_at = models.DateTimeField(_("audited at"), null=True, blank=True)
    audited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("audited by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        verbose_name = _("computed outcome")
        verbose_name_plural = _("computed outcomes")
        ordering = ["project", "enrolment"]
        indexes = [models.Index(fields=["project", "status"], name="outcome_project_status_idx")]

    def __str__(self):
        return f"{self.enrolment_id} · {self.get_final_display()}"

    audit_region = "enrolment.teacher.region"
    # fire_many: permission checked once per project (institution) or per county (audit).
    bulk_group_by = ("project_id", "enrolment__teacher__region_id")
    bulk_related = ("enrolment__project__institution", "enrolment__teacher__region")
    bulk_repr = ("enrolment__teacher__name",)

    @property
    def final(self) -> str:
        return self.override or self.proposed

    def get_final_display(self) -> str:
        return str(dict(Proposed.choices).get(self.final, self.final))

    @transition(field=status, source=[OutcomeStatus.PROPOSED, OutcomeStatus.RETURNED], target=OutcomeStatus.CONFIRMED,
                permission=p.outcome_institution, custom={"label": _("Confirm the outcome"), "sets": _confirm_sets})
    def confirm(self, *, actor=None, reason=""):
        self.confirmed_at, self.confirmed_by = timezone.now(), actor

    @transition(field=status, source=OutcomeStatus.CONFIRMED, target=OutcomeStatus.AUDITED,
                permission=p.outcome_county, custom={"label": _("Audit the outcome and hours"), "sets": _audit_sets})
    def audit(self, *, actor=None, reason=""):
        self.audited_at, self.audited_by = timezone.now(), actor

    @transition(field=status, source=OutcomeStatus.CONFIRMED, target=OutcomeStatus.RETURNED,
                permission=p.outcome_county,
                custom={"label": _("Return to the institution"), "reason_required": True, "css": "danger",
                        "sets": _return_sets})
    def return_(self, *, actor=None, reason=""):
        self.audited_at, self.audited_by, self.return_reason = timezone.now(), actor, reason


class LearningRecordJob(Job):
    """An uploaded CSV or workbook of learning records, ingested in the background with a progress bar."""

    task_path = "projects.enrolment.outcomes.tasks.run_learning_record_job"

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="+")
    file = models.FileField(_("file"), upload_to=UploadTo("learning-records"))
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    source = models.CharField(_("source platform"), max_length=64)
    valid_only = models.BooleanField(_("import the valid rows only"), default=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("learning-record upload")
        verbose_name_plural = _("learning-record uploads")
