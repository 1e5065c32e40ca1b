"""Questions (质疑, R27, a state machine) and contracts (R28, R52)."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.models import Audited
from backoffice.workflow import permission
from tendering import permissions as perms
from tendering.models.bids import Bid
from tendering.models.fields import MONEY
from tendering.models.tenders import Lot

office_of_question = permission(perms.manages_question)



# -- award --------------------------------------------------------------------------------------------
class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")



class Question(ConcurrentTransitionMixin, Audited):
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
    status = FSMField(_("status"), max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.OPEN,
                      protected=True)

    class Meta:
        verbose_name = _("question (质疑)")
        verbose_name_plural = _("questions (质疑)")
        ordering = ["lot", "lodged_at"]

    def __str__(self):
        return f"{self.institution} · {self.lot}"

    audit_region = "lot.tender.province"  # where its audit events are filed (R2, R3)

    @transition(field=status, source=QuestionStatus.OPEN, target=QuestionStatus.ANSWERED,
                permission=office_of_question, custom={"label": _("Answer")})
    def give_answer(self, *, actor=None, reason="", text=""):
        self.answer, self.answered_by, self.answered_at = text, actor, timezone.now()



class SettlementBasis(models.TextChoices):
    """R52: which trainees a contract is paid for; the basis is a term of the contract (default: completed)."""

    COMPLETED = "completed", _("Completed trainees")
    ENROLLED = "enrolled", _("Enrolled trainees")
    # R49: whole-staff training is paid per trainee whose hours were credited (audited) for the year.
    CREDITED = "credited", _("Trainees credited with hours")



class Contract(Audited):
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
