"""Post-project performance evaluation (R60-R66): versioned indicator systems, the evaluation of one project,
assigned assessors and their scores, the anonymous survey, and the published results (kept across reopenings).

States and transitions are declared here; conditions live in guards.py, who may fire them in permissions.py;
services.py fires them."""
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.models import Audited, Recorded
from backoffice.workflow import permission
from projects.models import Grade, ProjectType

from . import guards as g
from . import permissions as p

SCORE = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class Source(models.TextChoices):
    """R63: where an indicator's score comes from. One indicator per source in a system."""

    SURVEY = "survey", _("Trainee satisfaction survey")
    COMPLETION_RATE = "completion_rate", _("Completion rate")
    EXPERT = "expert", _("Expert spot check")
    THIRD_PARTY = "third_party", _("Third-party evaluation")
    SELF = "self", _("Institution self-assessment")
    PARTICIPATION_RATE = "participation_rate", _("Participation rate")
    PRIORITY_COVERAGE = "priority_coverage", _("Priority-county coverage")
    BUDGET_EXECUTION = "budget_execution", _("Budget execution rate")
    # From the online platform's learning records (R47, R63).
    LEARNING_TIME = "learning_time", _("Average learning time against planned")
    ASSIGNMENT_COMPLETION = "assignment_completion", _("Assignment completion rate")
    WEEKLY_ACTIVITY = "weekly_activity", _("Share of trainees active each week")


PLATFORM_SOURCES = (Source.LEARNING_TIME, Source.ASSIGNMENT_COMPLETION, Source.WEEKLY_ACTIVITY)
COMPUTED_SOURCES = (Source.COMPLETION_RATE, Source.PARTICIPATION_RATE, Source.PRIORITY_COVERAGE,
                    Source.BUDGET_EXECUTION, *PLATFORM_SOURCES)
ASSESSED_SOURCES = (Source.EXPERT, Source.THIRD_PARTY, Source.SELF)


class IndicatorSystem(Recorded):
    """R60: a versioned set of weighted indicators for one project type in one province. Never edited once
    created: a change is a new version, and every evaluation keeps the version it was opened with."""

    province = models.ForeignKey("backoffice.Region", verbose_name=_("province"), on_delete=models.PROTECT,
                                 related_name="indicator_systems")
    project_type = models.CharField(_("project type"), max_length=32, choices=ProjectType.choices)
    version = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("indicator system")
        verbose_name_plural = _("indicator systems")
        ordering = ["province__code", "project_type", "-version"]
        constraints = [models.UniqueConstraint(fields=["province", "project_type", "version"],
                                               name="indicator_system_version_unique")]

    def __str__(self):
        return f"{self.get_project_type_display()} v{self.version}"

    audit_region = "province"  # where its audit events are filed (R2, R3)


class Indicator(models.Model):
    system = models.ForeignKey(IndicatorSystem, verbose_name=_("indicator system"), on_delete=models.PROTECT,
                               related_name="indicators")
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(0), MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["system", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["system", "source"], name="indicator_one_per_source")]

    def __str__(self):
        return f"{self.get_source_display()} {self.weight}"


class EvaluationStatus(models.TextChoices):
    OPENED = "opened", pgettext_lazy("evaluation status", "Opened")  # not the tender's 开标
    COLLECTING = "collecting", _("Collecting")
    SCORING = "scoring", _("Scoring")
    GRADED = "graded", _("Graded")
    PUBLISHED = "published", _("Published")


E = EvaluationStatus


class Evaluation(ConcurrentTransitionMixin, Audited):
    """The evaluation of one completed project."""

    project = models.OneToOneField("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                   related_name="evaluation")
    system = models.ForeignKey(IndicatorSystem, verbose_name=_("indicator system"), on_delete=models.PROTECT,
                               related_name="evaluations")
    status = FSMField(_("status"), default=E.OPENED, choices=E.choices, protected=True, db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    # R61: the number of one-time survey tokens issued, one per trainee who attended.
    tokens_issued = models.PositiveIntegerField(_("survey tokens issued"), default=0)
    total = models.DecimalField(_("weighted total"), max_digits=5, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    breakdown = models.JSONField(_("breakdown"), default=list, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-opened_at", "-pk"]

    def __str__(self):
        return str(_("Evaluation of %(project)s") % {"project": self.project.name})

    audit_region = "project.plan.province"  # where its audit events are filed (R2, R3)

    @transition(field=status, source=E.OPENED, target=E.COLLECTING, conditions=[g.assessors_assigned, g.tokens_ready],
                permission=permission(p.can_manage), custom={"label": _("Open the survey and the spot checks")})
    def start_collecting(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=E.COLLECTING, target=E.SCORING, permission=permission(p.can_manage),
                custom={"label": _("Close the survey")})
    def close_collection(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=E.SCORING, target=E.GRADED, conditions=[g.assessments_complete],
                permission=permission(p.can_manage), custom={"label": _("Compute the grade")})
    def grade_(self, *, actor=None, reason="", total=None, grade="", breakdown=None):
        self.total, self.grade, self.breakdown = total, grade, breakdown or []
        self.graded_at = timezone.now()

    @transition(field=status, source=E.GRADED, target=E.SCORING, permission=permission(p.can_manage),
                custom={"label": _("Back to scoring"), "reason_required": True, "css": "danger"})
    def back_to_scoring(self, *, actor=None, reason=""):
        self.total, self.grade, self.graded_at = None, "", None

    @transition(field=status, source=E.GRADED, target=E.PUBLISHED, permission=permission(p.can_publish),
                custom={"label": _("Publish")})
    def publish(self, *, actor=None, reason=""):
        self.published_at = timezone.now()

    @transition(field=status, source=E.PUBLISHED, target=E.SCORING, permission=permission(p.can_publish),
                custom={"label": _("Reopen"), "reason_required": True, "css": "danger"})
    def reopen(self, *, actor=None, reason=""):
        # R66: the published result stays in EvaluationResult; the evaluation is scored again.
        self.reopen_reason = reason
        self.total, self.grade, self.graded_at, self.published_at = None, "", None, None


class AssessorKind(models.TextChoices):
    EXPERT = "expert", _("Expert spot check")
    THIRD_PARTY = "third_party", _("Third-party evaluation")


class Assignment(models.Model):
    """An expert or a third-party evaluator assigned to one evaluation; only they may score it."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT,
                                   related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessor"), on_delete=models.PROTECT,
                             related_name="evaluation_assignments")
    kind = models.CharField(_("kind"), max_length=16, choices=AssessorKind.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"),
                                    on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["evaluation", "kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "user", "kind"], name="assignment_unique")]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"


class Assessment(models.Model):
    """A score (0-100) from an assigned expert, a third-party evaluator, or the institution (self-assessment)."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT,
                                   related_name="assessments")
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessor"), on_delete=models.PROTECT,
                                 related_name="+")
    score = models.DecimalField(_("score"), **SCORE)
    comment = models.TextField(_("comment"), blank=True)
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["evaluation", "source", "pk"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "source", "assessor"],
                                               name="assessment_one_per_assessor")]

    def __str__(self):
        return f"{self.get_source_display()} {self.score}"


class SurveyToken(models.Model):
    """R61: an unused one-time survey token. Only a keyed hash is stored, and nothing about whom it was handed
    to: tokens are issued as an anonymous batch, one per trainee, and handed out in any order. Answering deletes
    the row, so no token row carries the answer's transaction id (xmin) or order; the evaluation's responses
    count the spent ones."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT,
                                   related_name="tokens")
    digest = models.CharField(_("token digest"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("survey token")
        verbose_name_plural = _("survey tokens")


DIMENSIONS = ("design", "resources", "implementation", "platform", "effect")
RATING = {"validators": [MinValueValidator(1), MaxValueValidator(5)]}


class SurveyResponse(models.Model):
    """R61: one anonymous answer. Deliberately no trainee, no token, no IP and no time of any kind; the random
    UUID key gives no insertion order either. Ratings 1 (very dissatisfied) to 5 (very satisfied)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT,
                                   related_name="responses")
    design = models.PositiveSmallIntegerField(_("Training design"), **RATING)
    resources = models.PositiveSmallIntegerField(_("Training resources"), **RATING)
    implementation = models.PositiveSmallIntegerField(_("Training implementation"), **RATING)
    platform = models.PositiveSmallIntegerField(_("Training platform"), **RATING)
    effect = models.PositiveSmallIntegerField(_("Training effect"), **RATING)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["id"]  # random: never the order of answering


class EvaluationResult(models.Model):
    """R65/R66: every published result, kept when the evaluation is reopened."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT,
                                   related_name="results")
    system = models.ForeignKey(IndicatorSystem, verbose_name=_("indicator system"), on_delete=models.PROTECT,
                               related_name="+")
    total = models.DecimalField(_("weighted total"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    breakdown = models.JSONField(_("breakdown"), default=list)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"),
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        ordering = ["evaluation", "-published_at", "-pk"]

    def __str__(self):
        return f"{self.total} {self.get_grade_display()}"
