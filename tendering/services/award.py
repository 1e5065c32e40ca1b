"""The award (R26-R28): recommendation, approval and notice, questions (质疑), the contract and its
settlement basis (R52, R53)."""
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.config import get_setting
from backoffice.exceptions import DomainError
from backoffice.money import money
from backoffice.workflow import fire
from projects.services import project_record_contract
from tendering.calendar import add_working_days
from tendering.models import Bid, BidStatus, Contract, Lot, LotResult, LotStatus, Question, SettlementBasis, Tender
from tendering.selectors import lot_outliers, lot_ranking
from tendering.services.common import _require_institution_staff


def lot_recommend(*, actor, lot: Lot, reason: str = "") -> Lot:
    with transaction.atomic():
        results = lot_ranking(lot)
        flagged = lot_outliers(lot)
        LotResult.objects.filter(lot=lot).delete()
        LotResult.objects.bulk_create([LotResult(
            lot=lot, bid_id=r.key, price_score=r.price_score.quantize(Decimal("0.000001")),
            technical_score=r.technical.quantize(Decimal("0.000001")), bonus=r.bonus, total=r.total, rank=r.rank,
            outliers=flagged.get(r.key, [])) for r in results])
        winner = Bid.objects.get(pk=results[0].key) if results else None
        lot = fire(Lot, lot.pk, name="recommend", actor=actor, reason=reason, bid=winner,
                   changes={"recommended": (None, str(winner.institution) if winner else None),
                            "ranking": (None, [[str(r.key), str(r.total)] for r in results])})
    return lot



def lot_approve_award(*, actor, lot: Lot, reason: str = "") -> Lot:
    now = timezone.now()
    region = lot.tender.province
    notice_ends = add_working_days(now, get_setting("tender_notice_working_days", region=region))
    questions_close = add_working_days(notice_ends, get_setting("tender_question_working_days", region=region))
    return fire(Lot, lot.pk, name="approve_award", actor=actor, reason=reason, notice_ends_at=notice_ends,
                question_deadline=questions_close)



def lot_return_recommendation(*, actor, lot: Lot, reason: str) -> Lot:
    return fire(Lot, lot.pk, name="return_recommendation", actor=actor, reason=reason)



# -- questions (R27) ---------------------------------------------------------------------------------------------
def question_lodge(*, actor, lot: Lot, text: str, now=None) -> Question:
    now = now or timezone.now()
    institution = _require_institution_staff(actor, "tendering.lodge_question")
    if not text.strip():
        raise DomainError("question_empty", _("Write the question."))
    with transaction.atomic():
        lot = Lot.objects.select_for_update().select_related("tender").get(pk=lot.pk)
        if not lot.bids.filter(institution=institution).exclude(status=BidStatus.WITHDRAWN).exists():
            raise DomainError("forbidden", _("Only bidders of this lot may lodge a question."))
        if lot.status != LotStatus.NOTICE or lot.question_deadline is None or now > lot.question_deadline:
            raise DomainError("r27_question_window_closed", _("The question window for this lot is closed."))
        due = add_working_days(now, get_setting("tender_answer_working_days", region=lot.tender.province))
        question = Question.objects.create(lot=lot, institution=institution, text=text.strip(), lodged_by=actor,
                                           lodged_at=now, answer_due=due)
        audit_record(obj=question, actor=actor, action="create", changes={"question": (None, text.strip()[:200])})
    return question



def question_answer(*, actor, question: Question, answer: str) -> Question:
    """R27: the office answers; an answered question no longer blocks the contract."""
    if not answer.strip():
        raise DomainError("answer_empty", _("Write the answer."))
    return fire(Question, question.pk, name="give_answer", actor=actor, text=answer.strip(),
                changes={"answer": (None, answer.strip()[:200])})



# -- contract (R28) -----------------------------------------------------------------------------------------------
def _check_basis(basis):
    if basis not in SettlementBasis.values:
        raise DomainError("unknown_basis", _("Unknown settlement basis."))



def contract_sign(*, actor, lot: Lot, reference: str = "",
                  settlement_basis: str = SettlementBasis.COMPLETED) -> Contract:
    """R28: sign at the winning unit price for the lot's projects; the settlement basis (R52) is set here."""
    _check_basis(settlement_basis)
    reference = (reference or "").strip() or f"{lot.tender.reference}-{lot.number:02d}"
    if len(reference) > Contract._meta.get_field("reference").max_length:
        raise DomainError("contract_reference_too_long", _("The contract number has at most 64 characters."))
    if Contract.objects.filter(reference=reference).exists():
        raise DomainError("contract_reference_taken", _("Another contract already has this number."))
    with transaction.atomic():
        lot = fire(Lot, lot.pk, name="sign_contract", actor=actor)
        bid = lot.recommended_bid
        projects = list(lot.projects.all())
        quota = sum(p.quota for p in projects)
        trainee_hours = sum(p.quota * p.hours for p in projects)
        contract = Contract.objects.create(
            lot=lot, reference=reference, institution=bid.institution, bid=bid, unit_price=bid.price, quota=quota,
            trainee_hours=trainee_hours, amount=money(bid.price * trainee_hours),
            settlement_basis=settlement_basis, signed_by=actor)
        audit_record(obj=contract, actor=actor, action="create", changes={
            "unit_price": (None, bid.price), "amount": (None, contract.amount), "institution": (None, str(bid.institution)),
            "settlement_basis": (None, settlement_basis)})
        for project in projects:
            project_record_contract(project=project, actor=actor, institution=bid.institution, unit_price=bid.price,
                                    contract_reference=reference)
        tender = lot.tender
        if not tender.lots.exclude(status__in=[LotStatus.CONTRACTED, LotStatus.FAILED]).exists():
            fire(Tender, tender.pk, name="complete", actor=actor)
    return contract



# R53: apps that settle contracts (finance) register a check here, called with the contract row locked, that says
# whether a statement of the contract is already confirmed. Tendering never imports them (dependencies run one
# way); the registration happens in their AppConfig.ready(), like projects.evaluation.sources.
_BASIS_LOCKS = []



def register_settlement_basis_lock(func):
    """`func(contract) -> bool`: True when the contract's settlement basis may no longer change."""
    if func not in _BASIS_LOCKS:
        _BASIS_LOCKS.append(func)
    return func



def contract_set_settlement_basis(*, actor, contract: Contract, basis: str) -> Contract:
    """Change the contract's settlement basis (R52) before any of its statements is confirmed (R53)."""
    _check_basis(basis)
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("lot__tender__province").get(pk=contract.pk)
        if not actor.has_perm("tendering.change_contract", contract):
            raise DomainError("forbidden", _("Only province or project office staff may do this."))
        before = contract.settlement_basis
        if before == basis:
            return contract
        if any(lock(contract) for lock in _BASIS_LOCKS):
            raise DomainError("r53_basis_locked", _(
                "A settlement statement of this contract is already confirmed; its settlement basis can no longer "
                "change."))
        contract.settlement_basis = basis
        contract.save(update_fields=["settlement_basis"])
        audit_record(obj=contract, actor=actor, action="update", changes={"settlement_basis": (before, basis)})
    return contract
