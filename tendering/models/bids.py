"""Bids (R23, a state machine), the scoring panel, scores and the kept ranking (R25, R26)."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.models import Audited
from backoffice.workflow import permission
from tendering import permissions as perms
from tendering.guards import before_bid_deadline
from tendering.models.fields import MONEY, SCORE
from tendering.models.tenders import Criterion, Lot, Tender

bidder = permission(perms.owns_bid)
office_of_bid = permission(perms.runs_bid_tender)



# -- bids ---------------------------------------------------------------------------------------------
class BidStatus(models.TextChoices):
    ACTIVE = "active", _("Submitted")
    TO_CONFIRM = "to_confirm", _("To be confirmed")
    REPLACED = "replaced", _("Replaced")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    QUALIFIED = "qualified", _("Qualified at opening")
    DISQUALIFIED = "disqualified", _("Not qualified at opening")



ACTIVE_BID_STATES = [BidStatus.ACTIVE, BidStatus.TO_CONFIRM]



class Bid(ConcurrentTransitionMixin, Audited):
    """One submission. Before the opening only `sealed` holds price, team and documents (R23).

    The readable columns below the line are written by the opening and stay empty until then. The opening and an
    amendment (R22) move many bids at once, set-based; their transitions are declared here for the record.
    """

    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="bids")
    institution = models.ForeignKey("backoffice.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="bids")
    status = FSMField(_("status"), max_length=16, choices=BidStatus.choices, default=BidStatus.ACTIVE, protected=True)
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

    @transition(field=status, source=ACTIVE_BID_STATES, target=BidStatus.WITHDRAWN, conditions=[before_bid_deadline],
                permission=bidder, custom={"label": _("Withdraw the bid"), "css": "danger"})
    def withdraw(self, *, actor=None, reason="", now=None):
        self.withdrawn_at = now or timezone.now()

    @transition(field=status, source=BidStatus.TO_CONFIRM, target=BidStatus.ACTIVE, conditions=[before_bid_deadline],
                permission=bidder, custom={"label": _("Confirm the bid")})
    def confirm(self, *, actor=None, reason="", now=None):
        self.confirmed_at = now or timezone.now()

    # No deadline guard: bid_submit checks the new bid's arrival time (R23), which may precede this lock by a moment.
    @transition(field=status, source=ACTIVE_BID_STATES, target=BidStatus.REPLACED, permission=bidder,
                custom={"label": _("Replace the bid"), "hidden": True})
    def replace(self, *, actor=None, reason=""):
        pass

    # Set-based in tender_update (R22: an amendment sets bids back to 'to be confirmed').
    @transition(field=status, source=BidStatus.ACTIVE, target=BidStatus.TO_CONFIRM, permission=office_of_bid,
                custom={"label": _("Ask to confirm after an amendment"), "hidden": True})
    def ask_confirmation(self, *, actor=None, reason=""):
        self.confirmed_at = None

    # Set-based in tender_open (R23, R24).
    @transition(field=status, source=BidStatus.ACTIVE, target=BidStatus.QUALIFIED, permission=office_of_bid,
                custom={"label": _("Qualified at opening"), "hidden": True})
    def qualify(self, *, actor=None, reason=""):
        pass

    @transition(field=status, source=BidStatus.TO_CONFIRM, target=BidStatus.DISQUALIFIED, permission=office_of_bid,
                custom={"label": _("Not qualified at opening"), "hidden": True})
    def disqualify(self, *, actor=None, reason=""):
        self.disqualification_reason = reason


class OpeningAlert(Audited):
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
class Panel(Audited):
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
