"""Enrolment of trainees (R30-R45): applications and two-way selection, outcomes, exemptions, credit hours,
certificates and the import/document jobs. States and transitions are declared here; guards and permissions
are attached from guards.py and permissions.py; services.py fires them through backoffice.workflow.fire."""
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.files import UploadTo
from backoffice.models import Audited, Teacher

from . import guards as g
from . import permissions as p


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    RECOMMENDED = "recommended", _("Recommended")
    SELECTED = "selected", _("Selected")
    RESERVE = "reserve", _("Reserve")
    PUBLICISED = "publicised", _("Publicised")
    ENROLLED = "enrolled", _("Enrolled")
    IN_TRAINING = "in_training", _("In training")
    COMPLETED = "completed", pgettext_lazy("enrolment", "Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")
    DISMISSED = "dismissed", _("Dismissed")
    NO_SHOW = "no_show", _("No-show")
    WITHDRAWN = "withdrawn", pgettext_lazy("enrolment", "Withdrawn")
    REJECTED = "rejected", _("Rejected")


S = EnrolmentStatus
# Statuses that hold one of the project's places (R32 quota).
PLACE_HOLDING = (S.SELECTED, S.PUBLICISED, S.ENROLLED, S.IN_TRAINING, S.COMPLETED, S.NOT_COMPLETED, S.DISMISSED,
                 S.NO_SHOW)
# Statuses that count as taking part in a project for the cap and the category rule (R33).
PARTICIPATING = (S.SELECTED, S.PUBLICISED, S.ENROLLED, S.IN_TRAINING, S.COMPLETED, S.NOT_COMPLETED, S.DISMISSED)
# Outcomes that bar a teacher for 3 years unless exempted (R34).
BANNING_OUTCOMES = (S.NO_SHOW, S.DISMISSED, S.NOT_COMPLETED)
OUTCOMES = (S.COMPLETED, S.NOT_COMPLETED, S.DISMISSED, S.NO_SHOW)
PENDING = (S.APPLIED, S.RECOMMENDED)
# The trainee lists' order: newest plan first, then county, project and submission; served by the indexes below.
LIST_ORDER = ("-plan_year", "county_code", "project_code", "submitted_at", "id")
BEFORE_START = (S.APPLIED, S.RECOMMENDED, S.SELECTED, S.RESERVE, S.PUBLICISED, S.ENROLLED)


class Nominator(models.TextChoices):
    TEACHER = "teacher", _("The teacher")
    SCHOOL = "school", _("The school")
    COUNTY = "county", _("The county bureau")


def _outcome(now, reason, **kw):
    return {"outcome_at": now, "outcome_reason": reason}


class Enrolment(ConcurrentTransitionMixin, Audited):
    """One teacher in one project (R37), from application to outcome."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="enrolments", db_index=False)
    teacher = models.ForeignKey("backoffice.Teacher", verbose_name=_("teacher"), on_delete=models.PROTECT,
                                related_name="enrolments", db_index=False)
    status = FSMField(_("status"), default=S.APPLIED, choices=S.choices, protected=True)
    nominated_by = models.CharField(_("nominated by"), max_length=16, choices=Nominator.choices,
                                    default=Nominator.SCHOOL)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # R32: the reserve list is ordered by submission.
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    recommended_at = models.DateTimeField(_("recommended at"), null=True, blank=True)
    selected_at = models.DateTimeField(_("selected at"), null=True, blank=True)
    publicised_on = models.DateField(_("publicised on"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("publicity ends on"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    reject_rule = models.CharField(_("rule that failed"), max_length=8, blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)
    outcome_reason = models.TextField(_("note on the outcome"), blank=True)
    # R32: the institution may select within the quota by its own ranking (imported from Excel or entered).
    ranking_score = models.DecimalField(_("ranking score"), max_digits=6, decimal_places=2, null=True, blank=True)
    replaced = models.ForeignKey("self", verbose_name=_("took the place of"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # Scope and sort keys copied from the project, its plan and the teacher, so each trainee list is one index
    # scan instead of a sort over a six-table join (issue 13). Database triggers (migration
    # enrolment_list_keys) fill them on every insert, COPY included, and follow later changes to the source rows.
    plan_year = models.PositiveSmallIntegerField(_("plan year"), null=True, blank=True, editable=False)
    project_code = models.CharField(_("project code"), max_length=32, blank=True, db_default="", editable=False)
    county_code = models.CharField(_("county code"), max_length=6, blank=True, db_default="", editable=False)
    institution = models.ForeignKey("backoffice.Organisation", verbose_name=_("training institution"), null=True,
                                    blank=True, editable=False, on_delete=models.DO_NOTHING, db_constraint=False,
                                    related_name="+", db_index=False)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["project", "submitted_at", "pk"]
        constraints = [
            # R37: one enrolment per (project, teacher).
            models.UniqueConstraint(fields=["project", "teacher"], name="enrolment_one_per_project_teacher"),
        ]
        indexes = [
            models.Index(fields=["project", "status"]), models.Index(fields=["teacher", "status"]),
            # The trainee lists' order (LIST_ORDER) after each scope's filter: province, status, county, institution.
            models.Index(fields=["-plan_year", "county_code", "project_code", "submitted_at", "id"],
                         name="enrolment_list_all"),
            models.Index(fields=["status", "-plan_year", "county_code", "project_code", "submitted_at", "id"],
                         name="enrolment_list_status"),
            models.Index(fields=["county_code", "-plan_year", "project_code", "submitted_at", "id"],
                         name="enrolment_list_county"),
            models.Index(fields=["institution", "-plan_year", "county_code", "project_code", "submitted_at", "id"],
                         name="enrolment_list_institution"),
        ]

    def __str__(self):
        return f"{self.teacher.name} · {self.project.name}"

    audit_region = "teacher.region"  # where its audit events are filed (R2, R3)
    # fire_many: rows sharing these answer the permissions and group guards alike; events name teacher and project.
    bulk_group_by = ("project_id", "teacher__region_id", "teacher__school_id")
    bulk_related = ("project__plan__province", "project__institution", "teacher__region", "teacher__school")
    bulk_repr = ("teacher__name", "project__name")

    # -- selection (R32) --
    @transition(field=status, source=S.APPLIED, target=S.RECOMMENDED,
                conditions=[g.project_open, g.eligible], permission=p.dispatching_unit, custom={"label": _("Recommend"), "sets": lambda now, **kw: {"recommended_at": now}})
    def recommend(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=[S.APPLIED, S.RECOMMENDED, S.RESERVE], target=S.REJECTED, permission=p.screening_office,
                custom={"label": _("Reject"), "reason_required": True, "css": "danger",
                        "sets": lambda reason, rule="", **kw: {"reject_rule": rule, "reject_reason": reason}})
    def reject(self, *, actor=None, reason="", rule=""):
        pass

    @transition(field=status, source=S.RECOMMENDED, target=S.SELECTED,
                conditions=[g.project_open, g.quota_available, g.eligible], permission=p.institution_of_project, custom={"label": _("Select"), "sets": lambda now, **kw: {"selected_at": now}})
    def select(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=S.RECOMMENDED, target=S.RESERVE,
                conditions=[g.project_open, g.quota_full], permission=p.institution_of_project, custom={"label": _("Put on the reserve list"), "sets": lambda **kw: {}})
    def reserve(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=S.RESERVE, target=S.SELECTED, conditions=[g.project_open, g.quota_available],
                custom={"label": _("Take a freed place"), "hidden": True,
                        "sets": lambda now, replaced=None, **kw: {"selected_at": now, "replaced": replaced}})
    def promote(self, *, actor=None, reason="", replaced=None):
        pass

    @transition(field=status, source=S.SELECTED, target=S.PUBLICISED, permission=p.province_of_project, custom={"label": _("Publicise"), "sets": lambda now, ends_on=None, **kw: {
                    "publicised_on": timezone.localdate(now), "publicity_ends_on": ends_on}})
    def publicise(self, *, actor=None, reason="", ends_on: dt.date | None = None):
        pass

    @transition(field=status, source=S.PUBLICISED, target=S.ENROLLED,
                conditions=[g.publicity_over], permission=p.province_of_project, custom={"label": _("Enrol"), "sets": lambda now, **kw: {"enrolled_at": now}})
    def enrol(self, *, actor=None, reason=""):
        pass

    # -- withdrawal (R36) --
    @transition(field=status, source=list(BEFORE_START), target=S.WITHDRAWN,
                conditions=[g.not_started], permission=p.withdrawing_party,
                custom={"label": _("Withdraw"), "reason_required": True, "css": "danger",
                        "sets": lambda reason, **kw: {"withdraw_reason": reason}})
    def withdraw(self, *, actor=None, reason=""):
        pass

    # -- training and outcomes --
    @transition(field=status, source=S.ENROLLED, target=S.IN_TRAINING,
                conditions=[g.started], permission=p.institution_of_project, custom={"label": _("Check in"), "sets": lambda **kw: {}})
    def check_in(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=S.ENROLLED, target=S.NO_SHOW,
                conditions=[g.started], permission=p.institution_of_project,
                custom={"label": _("Record no-show"), "reason_required": True, "css": "danger", "sets": _outcome})
    def no_show(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=S.IN_TRAINING, target=S.COMPLETED, permission=p.institution_of_project,
                custom={"label": _("Record completion"), "sets": _outcome})
    def complete(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=S.IN_TRAINING, target=S.NOT_COMPLETED, permission=p.institution_of_project,
                custom={"label": _("Record not completed"), "reason_required": True, "css": "danger", "sets": _outcome})
    def fail(self, *, actor=None, reason=""):
        pass  # R36: a withdrawal after the start is recorded this way too.

    @transition(field=status, source=S.IN_TRAINING, target=S.DISMISSED, permission=p.institution_of_project,
                custom={"label": _("Dismiss"), "reason_required": True, "css": "danger", "sets": _outcome})
    def dismiss(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=S.COMPLETED, target=S.NOT_COMPLETED, permission=p.province_of_project,
                custom={"label": _("Correct the outcome to not completed"), "reason_required": True, "css": "danger", "sets": _outcome})
    def correct_outcome(self, *, actor=None, reason=""):
        pass


    # -- R48: the outcome the institution confirmed takes effect when the county audits it (谁主办谁审核, R41);
    # fired for a whole project at once by outcomes.services through fire_many --
    @transition(field=status, source=[S.ENROLLED, S.IN_TRAINING], target=S.COMPLETED,
                permission=p.county_of_teacher,
                custom={"label": _("Outcome audited: completed"), "hidden": True, "sets": _outcome})
    def confirm_completed(self, *, actor=None, reason=""):
        self.outcome_at, self.outcome_reason = timezone.now(), reason

    @transition(field=status, source=[S.ENROLLED, S.IN_TRAINING], target=S.NOT_COMPLETED,
                permission=p.county_of_teacher,
                custom={"label": _("Outcome audited: not completed"), "hidden": True, "sets": _outcome})
    def confirm_not_completed(self, *, actor=None, reason=""):
        self.outcome_at, self.outcome_reason = timezone.now(), reason

    @transition(field=status, source=[S.ENROLLED, S.IN_TRAINING], target=S.NO_SHOW,
                permission=p.county_of_teacher,
                custom={"label": _("Outcome audited: no-show"), "hidden": True, "sets": _outcome})
    def confirm_no_show(self, *, actor=None, reason=""):
        self.outcome_at, self.outcome_reason = timezone.now(), reason


class ExemptionStatus(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("exemption", "Applied")
    RECOMMENDED = "recommended", _("Recommended by the county")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExemptionGround(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    MATERNITY = "maternity", _("Maternity")
    OFFICIAL_DUTY = "official_duty", _("Official duty")
    FAMILY = "family", _("Family emergency")
    OTHER = "other", _("Other")


class Exemption(ConcurrentTransitionMixin, Audited):
    """R35: special circumstances lift an outcome's ban; the outcome stays on the record."""

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("outcome"), on_delete=models.PROTECT,
                                  related_name="exemptions")
    ground = models.CharField(_("ground"), max_length=16, choices=ExemptionGround.choices)
    explanation = models.TextField(_("explanation"))
    evidence = models.FileField(_("evidence"), upload_to=UploadTo("exemptions"))
    evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    status = FSMField(_("status"), default=ExemptionStatus.APPLIED, choices=ExemptionStatus.choices, protected=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT,
                                   related_name="+")
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        ordering = ["-applied_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment"], condition=~Q(status="refused"),
                                    name="exemption_one_open_per_outcome"),
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.get_ground_display()}"

    audit_region = "enrolment.teacher.region"  # where its audit events are filed (R2, R3)

    @transition(field=status, source=ExemptionStatus.APPLIED, target=ExemptionStatus.RECOMMENDED,
                permission=p.exemption_county,
                custom={"label": _("Recommend")})
    def recommend(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=ExemptionStatus.RECOMMENDED, target=ExemptionStatus.APPROVED,
                permission=p.exemption_province,
                custom={"label": _("Approve")})
    def approve(self, *, actor=None, reason=""):
        self.decided_at, self.decision_reason = timezone.now(), reason

    @transition(field=status, source=[ExemptionStatus.APPLIED, ExemptionStatus.RECOMMENDED],
                target=ExemptionStatus.REFUSED, permission=p.exemption_refuser,
                custom={"label": _("Refuse"), "reason_required": True, "css": "danger"})
    def refuse(self, *, actor=None, reason=""):
        self.decided_at, self.decision_reason = timezone.now(), reason


class CreditStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered, awaiting audit")
    APPROVED = "approved", _("Audited and counted")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class CreditRecord(ConcurrentTransitionMixin, Audited):
    """R40-R41: hours of a completed trainee; they count only once the organiser has audited them."""

    enrolment = models.OneToOneField(Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT,
                                     related_name="credit")
    hours = models.PositiveIntegerField(_("hours"))
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    status = FSMField(_("status"), default=CreditStatus.REGISTERED, choices=CreditStatus.choices, protected=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    audited_at = models.DateTimeField(_("audited at"), null=True, blank=True)
    # Issue 15: `updated_since` on the API (incremental sync).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    audited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("audited by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("credit hours")
        verbose_name_plural = _("credit hours")
        ordering = ["-year", "enrolment"]

    def __str__(self):
        return f"{self.enrolment} · {self.hours}"

    audit_region = "enrolment.teacher.region"  # where its audit events are filed (R2, R3)

    @transition(field=status, source=CreditStatus.REGISTERED, target=CreditStatus.APPROVED,
                conditions=[g.trainee_completed, g.hours_within_project], permission=p.credit_auditor,
                custom={"label": _("Approve hours")})
    def approve(self, *, actor=None, reason=""):
        self.audited_at, self.audited_by = timezone.now(), actor

    @transition(field=status, source=CreditStatus.REGISTERED, target=CreditStatus.RETURNED, permission=p.credit_auditor,
                custom={"label": _("Return"), "reason_required": True, "css": "danger"})
    def return_(self, *, actor=None, reason=""):
        self.audited_at, self.audited_by, self.note = timezone.now(), actor, reason

    @transition(field=status, source=CreditStatus.RETURNED, target=CreditStatus.REGISTERED, permission=p.credit_registrar,
                custom={"label": _("Register again")})
    def resubmit(self, *, actor=None, reason="", hours=None):
        if hours is not None:
            self.hours = hours

    @transition(field=status, source=[CreditStatus.REGISTERED, CreditStatus.APPROVED, CreditStatus.RETURNED],
                target=CreditStatus.CANCELLED, custom={"label": _("Cancel"), "hidden": True})
    def cancel(self, *, actor=None, reason=""):
        self.note = reason


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CertificateSequence(models.Model):
    """R43: the last number issued per year; numbers only go up, so none is ever reused."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("certificate number sequence")
        verbose_name_plural = _("certificate number sequences")


class Certificate(ConcurrentTransitionMixin, Audited):
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT,
                                  related_name="certificates")
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=12)
    hours = models.PositiveIntegerField(_("hours"))
    credits = models.DecimalField(_("credits"), max_digits=6, decimal_places=1)
    issued_on = models.DateField(_("issued on"))
    status = FSMField(_("status"), default=CertificateStatus.VALID, choices=CertificateStatus.choices,
                      protected=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Issue 15: `updated_since` on the API (incremental sync).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment"], condition=Q(status="valid"),
                                    name="certificate_one_valid_per_enrolment"),
        ]

    def __str__(self):
        return self.number

    audit_region = "enrolment.teacher.region"  # where its audit events are filed (R2, R3)

    @transition(field=status, source=CertificateStatus.VALID, target=CertificateStatus.WITHDRAWN,
                permission=p.certificate_withdrawer,
                custom={"label": _("Withdraw certificate"), "reason_required": True, "css": "danger", "hidden": True})
    def withdraw(self, *, actor=None, reason=""):
        self.withdrawn_at, self.withdraw_reason = timezone.now(), reason


class RegistryTeacher(Teacher):
    """The registry seen through django-import-export in the admin (preview, row errors)."""

    class Meta:
        proxy = True
        verbose_name = _("teacher (Excel import)")
        verbose_name_plural = _("teachers (Excel import)")


# The import, bulk-action and certificate jobs, and R46-R48 (completion schemes, learning records and computed
# outcomes), live in their own modules.
from .job_models import *  # noqa: E402,F401,F403
from .outcomes.models import *  # noqa: E402,F401,F403
