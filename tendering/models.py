"""Tenders (R20-R29): a tender over filed projects, split into lots of regions; sealed bids; expert panels;
scores; award, public notice, questions (质疑) and contracts.

States and transitions are declared here; services.py fires them through backoffice.workflow.fire.
Sealing (R23): a bid's price, documents and team live only in `Bid.sealed` (Fernet ciphertext under the
tender's own key) until the opening writes the readable columns; see tendering/sealing.py.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.models import Role
from backoffice.permissions import has_role, in_region_of, is_superuser
from backoffice.workflow import guard, permission
from tendering.sealing import current_key_version

MONEY = {"max_digits": 14, "decimal_places": 2}
SCORE = {"max_digits": 7, "decimal_places": 2}
WEIGHT = {"max_digits": 5, "decimal_places": 4}

is_tender_staff = has_role(Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF)
is_department = has_role(Role.PROVINCE_STAFF)
office_of_tender = permission(is_superuser | (is_tender_staff & in_region_of("province")))
department_of_tender = permission(is_superuser | (is_department & in_region_of("province")))
office_of_lot = permission(is_superuser | (is_tender_staff & in_region_of("tender.province")))
department_of_lot = permission(is_superuser | (is_department & in_region_of("tender.province")))


class Holiday(models.Model):
    """Public holidays that are not working days (weekends are skipped anyway); working Saturdays (调休) too."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=64)
    is_working_day = models.BooleanField(_("working day (make-up day)"), default=False)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


# -- institutions and experts ------------------------------------------------------------------------
class QualificationKind(models.TextChoices):
    LEGAL_ENTITY = "legal_entity", _("Legal entity certificate")
    TRAINING_LICENCE = "training_licence", _("Training licence")
    TAX_CREDIT = "tax_credit", _("Tax credit certificate")
    QUALITY_SYSTEM = "quality_system", _("Quality management certification")
    NO_VIOLATION = "no_violation", _("Statement of no serious violation")


class InstitutionProfile(models.Model):
    institution = models.OneToOneField(
        "backoffice.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="tender_profile",
        limit_choices_to={"kind": "institution"},
    )
    description = models.TextField(_("introduction"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    staff_count = models.PositiveIntegerField(_("training staff"), default=0)
    # R21 track record: past national or provincial projects, one per line ("2024 国培 … (national)").
    track_record = models.TextField(_("past national or provincial projects"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("institution profile")
        verbose_name_plural = _("institution profiles")

    def __str__(self):
        return str(self.institution)

    @property
    def track_record_lines(self) -> list[str]:
        return [line.strip() for line in self.track_record.splitlines() if line.strip()]


def qualification_path(instance, filename):
    return f"tendering/qualifications/{instance.institution_id}/{filename}"


class Qualification(models.Model):
    institution = models.ForeignKey(
        "backoffice.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="qualifications",
    )
    kind = models.CharField(_("qualification"), max_length=32, choices=QualificationKind.choices)
    number = models.CharField(_("certificate number"), max_length=64, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to=qualification_path)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["institution", "kind"]

    def __str__(self):
        return f"{self.institution} · {self.get_kind_display()}"

    def is_valid_on(self, day) -> bool:
        return self.valid_until is None or self.valid_until >= day


class ExpertProfile(models.Model):
    """A member of the expert pool (评审专家库) and what R25 needs to exclude conflicts."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("expert"), on_delete=models.PROTECT,
                                related_name="expert_profile")
    employer = models.ForeignKey("backoffice.Organisation", verbose_name=_("current employer"), on_delete=models.PROTECT,
                                 related_name="+", null=True, blank=True)
    speciality = models.CharField(_("speciality"), max_length=128, blank=True)
    declared_relations = models.ManyToManyField(
        "backoffice.Organisation", verbose_name=_("declared relations"), blank=True, related_name="related_experts",
        help_text=_("Organisations the expert declares a relation with (family, shares, consulting)."),
    )
    is_active = models.BooleanField(_("in the pool"), default=True)

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")
        ordering = ["user__username"]

    def __str__(self):
        return str(self.user)


class ExpertEmployment(models.Model):
    """Past employers: R25 excludes anyone who worked for a bidder in the last 3 years."""

    expert = models.ForeignKey(ExpertProfile, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="employments")
    organisation = models.ForeignKey("backoffice.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="+")
    ended_on = models.DateField(_("left on"))

    class Meta:
        verbose_name = _("past employment")
        verbose_name_plural = _("past employments")


# -- tender -----------------------------------------------------------------------------------------
class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    BIDDING_CLOSED = "bidding_closed", _("Bidding closed")
    OPENED = "opened", _("Opened")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


def _r22_period_ok(t) -> bool:
    from tendering.rules import r22_problems

    return not r22_problems(t, announce_at=timezone.now())


def _r22_message(t):
    from tendering.rules import r22_problems

    problems = r22_problems(t, announce_at=timezone.now())
    return problems[0][1] if problems else ""


@guard("r22_timeline", _r22_message)
def timeline_ok(t):
    return _r22_period_ok(t)


@guard("tender_incomplete", lambda t: t.incomplete_reason())
def tender_complete(t):
    return not t.incomplete_reason()


@guard("bidding_open", _("The bid deadline has not passed yet."))
def deadline_passed(t):
    return t.bid_deadline is not None and timezone.now() > t.bid_deadline


@guard("opening_time_not_reached", _("The opening time has not been reached yet."))
def opening_time_reached(t):
    return t.opening_at is not None and timezone.now() >= t.opening_at


class Tender(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(_("tender number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    province = models.ForeignKey("backoffice.Region", verbose_name=_("province"), on_delete=models.PROTECT,
                                 related_name="tenders", limit_choices_to={"level": "province"})
    office = models.ForeignKey("backoffice.Organisation", verbose_name=_("organised by"), on_delete=models.PROTECT,
                               related_name="tenders")
    projects = models.ManyToManyField("projects.Project", verbose_name=_("projects"), related_name="tenders", blank=True)
    description = models.TextField(_("description"), blank=True)
    # R21 eligibility: qualifications named by the tender (QualificationKind values).
    required_qualifications = models.JSONField(_("required qualifications"), default=list, blank=True)
    # R26: price weight as a fraction (0.30 = 30 points); the criteria weights make up the rest.
    price_weight = models.DecimalField(_("price weight"), default=Decimal("0.30"), **WEIGHT,
                                       validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])
    # R29: points added to the technical score of an institution whose latest grade is 优秀.
    track_record_bonus = models.DecimalField(_("track-record bonus (points)"), default=Decimal("2.00"), **SCORE)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    clarification_deadline = models.DateTimeField(_("clarifications close"), null=True, blank=True)
    bid_deadline = models.DateTimeField(_("bid deadline"), null=True, blank=True)
    opening_at = models.DateTimeField(_("opening time"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    status = FSMField(_("status"), default=TenderStatus.DRAFT, choices=TenderStatus.choices, protected=True)
    # The tender's own Fernet key, wrapped by the site key; only the opening unwraps it for non-bidders (R23).
    wrapped_key = models.BinaryField(_("sealing key (wrapped)"), editable=False)
    # Which seal secret wrapped it (TENDER_SEAL_SECRETS); "legacy" = wrapped with SECRET_KEY before versions existed.
    key_version = models.CharField(_("seal key version"), max_length=32, default=current_key_version, editable=False)
    drafting_experts = models.ManyToManyField(ExpertProfile, verbose_name=_("experts who helped write the tender"),
                                              blank=True, related_name="drafted_tenders")
    retender_of = models.ForeignKey("self", verbose_name=_("re-tender of"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="retenders")
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    audit_region = "province"  # where its audit events are filed (R2, R3)

    @property
    def required_qualification_labels(self) -> list[str]:
        return [str(QualificationKind(k).label) for k in self.required_qualifications if k in QualificationKind.values]

    @property
    def price_points(self) -> Decimal:
        return self.price_weight * 100

    @property
    def is_sealed(self) -> bool:
        """R23: until the opening has run, bid content stays encrypted for everyone but the bidder."""
        return self.opened_at is None

    def bidding_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == TenderStatus.ANNOUNCED and self.bid_deadline is not None and now <= self.bid_deadline

    def incomplete_reason(self) -> str:
        from tendering.rules import tender_incomplete_reason

        return tender_incomplete_reason(self)

    @transition(field=status, source=TenderStatus.DRAFT, target=TenderStatus.ANNOUNCED,
                conditions=[tender_complete, timeline_ok], permission=office_of_tender,
                custom={"label": _("Announce")})
    def announce(self, *, actor=None, reason=""):
        self.announced_at = timezone.now()

    @transition(field=status, source=TenderStatus.ANNOUNCED, target=TenderStatus.BIDDING_CLOSED,
                conditions=[deadline_passed], permission=office_of_tender,
                custom={"label": _("Close bidding"), "hidden": True})
    def close_bidding(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=[TenderStatus.ANNOUNCED, TenderStatus.BIDDING_CLOSED], target=TenderStatus.OPENED,
                conditions=[opening_time_reached], permission=office_of_tender,
                custom={"label": _("Open bids")})
    def open(self, *, actor=None, reason=""):
        self.opened_at = timezone.now()

    @transition(field=status, source=TenderStatus.OPENED, target=TenderStatus.FAILED,
                custom={"label": _("All lots failed"), "hidden": True})
    def fail(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=TenderStatus.OPENED, target=TenderStatus.COMPLETED,
                custom={"label": _("Complete"), "hidden": True})
    def complete(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=[TenderStatus.DRAFT, TenderStatus.ANNOUNCED], target=TenderStatus.CANCELLED,
                permission=department_of_tender,
                custom={"label": _("Cancel"), "reason_required": True, "css": "danger"})
    def cancel(self, *, actor=None, reason=""):
        self.cancel_reason = reason


class Criterion(models.Model):
    """A technical criterion; experts score 0-100, the weight turns the mean into points (R26)."""

    tender = models.ForeignKey(Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=128)
    weight = models.DecimalField(_("weight"), **WEIGHT, validators=[MinValueValidator(Decimal("0.0001"))])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["tender", "position", "pk"]

    def __str__(self):
        return self.name

    @property
    def points(self) -> Decimal:
        return self.weight * 100


class LotStatus(models.TextChoices):
    OPEN = "open", _("Open for bids")
    FAILED = "failed", _("Failed (流标)")
    EVALUATION = "evaluation", _("Under evaluation")
    RECOMMENDED = "recommended", _("Winner recommended")
    NOTICE = "notice", _("Award notice published")
    CONTRACTED = "contracted", _("Contracted")


@guard("panel_not_submitted", _("Not every panel member has submitted scores."))
def panel_complete(lot):
    panel = getattr(lot, "panel", None)
    return panel is not None and panel.all_submitted()


@guard("r27_question_open", _("A question (质疑) on this lot is still open."))
def no_open_question(lot):
    return not lot.questions.filter(answered_at__isnull=True).exists()


@guard("r27_notice_running", _("The public notice period has not ended yet."))
def notice_ended(lot):
    return lot.notice_ends_at is not None and timezone.now() >= lot.notice_ends_at


@guard("r28_contract_late", _("The contract must be signed within 30 days after the notice."))
def contract_in_time(lot):
    from tendering.rules import contract_deadline

    return lot.notice_published_at is not None and timezone.now() <= contract_deadline(lot)


class Lot(ConcurrentTransitionMixin, models.Model):
    tender = models.ForeignKey(Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("lot number"))
    name = models.CharField(_("lot name"), max_length=128)
    regions = models.ManyToManyField("backoffice.Region", through="LotRegion", verbose_name=_("regions"),
                                     related_name="lots")
    projects = models.ManyToManyField("projects.Project", verbose_name=_("projects"), related_name="lots", blank=True)
    budget = models.DecimalField(_("budget ceiling"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    max_unit_price = models.DecimalField(_("highest unit price per trainee-hour"), **MONEY, null=True, blank=True)
    status = FSMField(_("status"), default=LotStatus.OPEN, choices=LotStatus.choices, protected=True)
    recommended_bid = models.ForeignKey("Bid", verbose_name=_("recommended bid"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    notice_published_at = models.DateTimeField(_("notice published at"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("notice ends"), null=True, blank=True)
    question_deadline = models.DateTimeField(_("questions close"), null=True, blank=True)
    fail_reason = models.TextField(_("reason for failure"), blank=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["tender", "number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique")]

    def __str__(self):
        return f"{self.tender.reference} · {_('Lot')} {self.number} {self.name}"

    audit_region = "tender.province"  # where its audit events are filed (R2, R3)

    @property
    def quota(self) -> int:
        return sum(p.quota for p in self.projects.all())

    @property
    def hours(self) -> int:
        return sum(p.hours * p.quota for p in self.projects.all())

    @transition(field=status, source=LotStatus.OPEN, target=LotStatus.FAILED,
                custom={"label": _("Lot failed"), "hidden": True})
    def fail(self, *, actor=None, reason=""):
        self.fail_reason = reason

    @transition(field=status, source=LotStatus.OPEN, target=LotStatus.EVALUATION,
                custom={"label": _("Start evaluation"), "hidden": True})
    def start_evaluation(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=LotStatus.EVALUATION, target=LotStatus.RECOMMENDED,
                conditions=[panel_complete], permission=office_of_lot,
                custom={"label": _("Record the panel's recommendation")})
    def recommend(self, *, actor=None, reason="", bid=None):
        self.recommended_bid = bid

    @transition(field=status, source=LotStatus.RECOMMENDED, target=LotStatus.NOTICE, permission=department_of_lot,
                custom={"label": _("Approve the award and publish the notice")})
    def approve_award(self, *, actor=None, reason="", notice_ends_at=None, question_deadline=None):
        self.notice_published_at = timezone.now()
        self.notice_ends_at, self.question_deadline = notice_ends_at, question_deadline

    @transition(field=status, source=LotStatus.RECOMMENDED, target=LotStatus.EVALUATION, permission=department_of_lot,
                custom={"label": _("Return to the panel"), "reason_required": True, "css": "danger"})
    def return_recommendation(self, *, actor=None, reason=""):
        self.recommended_bid = None

    @transition(field=status, source=LotStatus.NOTICE, target=LotStatus.CONTRACTED,
                conditions=[notice_ended, no_open_question, contract_in_time], permission=department_of_lot,
                custom={"label": _("Sign the contract")})
    def sign_contract(self, *, actor=None, reason=""):
        pass


class LotRegion(models.Model):
    """R20: within one tender a region belongs to at most one lot; the database enforces it."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="lot_regions")
    region = models.ForeignKey("backoffice.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "region"], name="r20_region_in_one_lot")]


# -- bids ---------------------------------------------------------------------------------------------
class BidStatus(models.TextChoices):
    ACTIVE = "active", _("Submitted")
    TO_CONFIRM = "to_confirm", _("To be confirmed")
    REPLACED = "replaced", _("Replaced")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    QUALIFIED = "qualified", _("Qualified at opening")
    DISQUALIFIED = "disqualified", _("Not qualified at opening")


ACTIVE_BID_STATES = [BidStatus.ACTIVE, BidStatus.TO_CONFIRM]


class Bid(models.Model):
    """One submission. Before the opening only `sealed` holds price, team and documents (R23).

    The readable columns below the line are written by the opening and stay empty until then.
    """

    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="bids")
    institution = models.ForeignKey("backoffice.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="bids")
    status = models.CharField(_("status"), max_length=16, choices=BidStatus.choices, default=BidStatus.ACTIVE)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT,
                                     related_name="+")
    received_at = models.DateTimeField(_("received at"))
    sealed = models.BinaryField(_("sealed content"), editable=False)
    document_name = models.CharField(_("document file name"), max_length=200, blank=True)
    receipt_sha256 = models.CharField(_("receipt hash (SHA-256)"), max_length=64)
    replaces = models.OneToOneField("self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # ---- written by the opening (plain copies of the sealed content) ----
    price = models.DecimalField(_("unit price per trainee-hour"), **MONEY, null=True, blank=True)
    chief_expert = models.CharField(_("chief expert"), max_length=64, blank=True)
    team = models.JSONField(_("expert team"), default=list, blank=True)
    disqualification_reason = models.TextField(_("why not qualified"), blank=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["lot", "received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "institution"], condition=models.Q(status__in=ACTIVE_BID_STATES),
                                    name="r23_one_active_bid_per_lot"),
        ]

    def __str__(self):
        return f"{self.institution} · {self.lot}"

    audit_region = "lot.tender.province"  # where its audit events are filed (R2, R3)


class OpeningAlert(models.Model):
    """R23: an opening that could not unseal every bid. Nothing was opened; the office and the province see it in
    red until the tender opens. One row per fault: the sweeper's retries count up `attempts`."""

    tender = models.ForeignKey(Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="opening_alerts")
    code = models.CharField(_("reason code"), max_length=64)
    params = models.JSONField(_("details"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    audit_region = "tender.province"  # where its audit events are filed (R2, R3)

    class Meta:
        verbose_name = _("opening alert")
        verbose_name_plural = _("opening alerts")
        ordering = ["-raised_at", "-pk"]

    def __str__(self):
        return f"{self.tender.reference} {self.code}"

    @property
    def reason(self) -> str:
        """In the reader's language (the row keeps the code and its details)."""
        from tendering.sealing import reason_text

        return reason_text(self.code, self.params)


# -- panel and scores ----------------------------------------------------------------------------------
class Panel(models.Model):
    lot = models.OneToOneField(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="panel")
    seed = models.CharField(_("random seed"), max_length=64)
    candidates = models.JSONField(_("candidates (user ids)"), default=list)
    excluded = models.JSONField(_("excluded for conflicts"), default=dict)
    size = models.PositiveSmallIntegerField(_("panel size"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        verbose_name = _("scoring panel")
        verbose_name_plural = _("scoring panels")

    def __str__(self):
        return f"{self.lot} · {_('panel')}"

    audit_region = "lot.tender.province"  # where its audit events are filed (R2, R3)

    def all_submitted(self) -> bool:
        members = list(self.members.all())
        return bool(members) and all(m.submitted_at for m in members)


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT,
                             related_name="panel_memberships")
    is_expert = models.BooleanField(_("expert from the pool"), default=True)
    submitted_at = models.DateTimeField(_("scores submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ["panel", "pk"]
        constraints = [models.UniqueConstraint(fields=["panel", "user"], name="panel_member_unique")]

    def __str__(self):
        return str(self.user)


class Score(models.Model):
    member = models.ForeignKey(PanelMember, verbose_name=_("panel member"), on_delete=models.CASCADE, related_name="scores")
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("score (0-100)"), **SCORE,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["member", "bid", "criterion"], name="score_unique")]


class LotResult(models.Model):
    """The computed ranking of a lot (R26), kept as it was when the recommendation was recorded."""

    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.CASCADE, related_name="results")
    bid = models.OneToOneField(Bid, verbose_name=_("bid"), on_delete=models.PROTECT, related_name="result")
    price_score = models.DecimalField(_("price score"), max_digits=12, decimal_places=6)
    technical_score = models.DecimalField(_("technical score"), max_digits=12, decimal_places=6)
    bonus = models.DecimalField(_("track-record bonus"), **SCORE, default=Decimal("0"))
    total = models.DecimalField(_("total score"), **SCORE)
    rank = models.PositiveSmallIntegerField(_("rank"))
    outliers = models.JSONField(_("outlier scores"), default=list, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["lot", "rank"]


# -- award --------------------------------------------------------------------------------------------
class Question(models.Model):
    """质疑 (R27): lodged by a bidder of the lot within the window; an open one blocks the contract."""

    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="questions")
    institution = models.ForeignKey("backoffice.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="+")
    text = models.TextField(_("question"))
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lodged by"), on_delete=models.PROTECT,
                                  related_name="+")
    lodged_at = models.DateTimeField(_("lodged at"), default=timezone.now)
    answer_due = models.DateTimeField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question (质疑)")
        verbose_name_plural = _("questions (质疑)")
        ordering = ["lot", "lodged_at"]

    def __str__(self):
        return f"{self.institution} · {self.lot}"

    audit_region = "lot.tender.province"  # where its audit events are filed (R2, R3)


class SettlementBasis(models.TextChoices):
    """R52: which trainees a contract is paid for; the basis is a term of the contract (default: completed)."""

    COMPLETED = "completed", _("Completed trainees")
    ENROLLED = "enrolled", _("Enrolled trainees")


class Contract(models.Model):
    lot = models.OneToOneField(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="contract")
    reference = models.CharField(_("contract number"), max_length=64, unique=True)
    institution = models.ForeignKey("backoffice.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="tender_contracts")
    bid = models.OneToOneField(Bid, verbose_name=_("winning bid"), on_delete=models.PROTECT, related_name="contract")
    unit_price = models.DecimalField(_("unit price per trainee-hour"), **MONEY)
    quota = models.PositiveIntegerField(_("quota"))
    trainee_hours = models.PositiveIntegerField(_("trainee-hours"))
    amount = models.DecimalField(_("contract amount"), **MONEY)
    settlement_basis = models.CharField(_("settlement basis"), max_length=16, choices=SettlementBasis.choices,
                                        default=SettlementBasis.COMPLETED)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_at"]

    def __str__(self):
        return self.reference

    audit_region = "lot.tender.province"  # where its audit events are filed (R2, R3)
