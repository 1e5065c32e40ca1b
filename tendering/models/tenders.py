"""Tenders and lots (R20, R22, R24, R27, R28): their state machines and the lot's regions."""
from decimal import ROUND_DOWN, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.models import Audited, Recorded
from backoffice.workflow import permission
from tendering import permissions as perms
from tendering.guards import (
    contract_in_time,
    deadline_passed,
    no_open_question,
    notice_ended,
    opening_time_reached,
    panel_complete,
    tender_complete,
    timeline_ok,
)
from tendering.models.fields import MONEY, SCORE, WEIGHT
from tendering.models.parties import ExpertProfile, QualificationKind
from tendering.sealing import current_key_version

office_of_tender = permission(perms.manages_tender)
department_of_tender = permission(perms.decides_tender)
office_of_lot = permission(perms.manages_lot)
department_of_lot = permission(perms.decides_lot)



# -- tender -----------------------------------------------------------------------------------------
class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    BIDDING_CLOSED = "bidding_closed", _("Bidding closed")
    OPENED = "opened", _("Opened")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")



class Tender(ConcurrentTransitionMixin, Recorded):
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
    # Issue 15: `updated_since` on the API (incremental sync).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-created_at", "-pk"]
        # The tender list's order, and a province's readers' equality then that order (issue 13).
        indexes = [models.Index(fields=["-created_at", "-id"], name="tender_list_order"),
                   models.Index(fields=["province", "-created_at", "-id"], name="tender_list_province")]

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
        from tendering.calculations import tender_incomplete_reason

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



class Lot(ConcurrentTransitionMixin, Audited):
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
    # Issue 15: `updated_since` on the API (incremental sync).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
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

    @property
    def unit_price_ceiling(self) -> Decimal | None:
        """The highest unit price per trainee-hour a bid may ask: the one the lot names, else its budget ceiling
        spread over its trainee-hours (a dearer bid could not be paid from the budget); None when neither says."""
        if self.max_unit_price is not None:
            return self.max_unit_price
        hours = self.hours
        if not hours:
            return None
        return (self.budget / hours).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

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
