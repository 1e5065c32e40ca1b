"""Payments in tranches (R54): the advance against the signed contract, interim and final against an approved
statement, each within what `finance.selectors.payments` says the tranche may still take."""
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError
from backoffice.money import money
from backoffice.workflow import fire
from finance.models import Payer, Payment, SettlementStatement, StatementStatus, Tranche
from finance.selectors.payments import PAYABLE_STATES, contract_payment_limits, paid_in_full_after, payment_limits

from .common import check_payer, require_finance


def payment_record(*, actor, contract, tranche: str, amount: Decimal, paid_on, statement=None, reference: str = "",
                   payer: str = Payer.CENTRAL_SUBSIDY) -> Payment:
    """Record a tranche (R54): the advance against the signed contract, interim and final against an approved
    statement of it. The contract row is locked, so simultaneous payments are checked one after the other."""
    from tendering.models import Contract

    check_payer(payer)
    require_finance(actor, contract.lot.tender.province)
    amount = money(amount)
    if amount <= 0:
        raise DomainError("negative_amount", _("An amount must be positive."))
    if tranche not in Tranche.values:
        raise DomainError("unknown_tranche", _("Unknown tranche."))
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("lot__tender__province").get(pk=contract.pk)
        if statement is not None:
            statement = SettlementStatement.objects.select_for_update().select_related("project", "county").get(
                pk=statement.pk)
            if statement.contract_id != contract.pk:
                raise DomainError("statement_of_other_contract", _("This statement belongs to another contract."))
            require_finance(actor, statement.county)
        # Computed once, under the contract's lock, for the check and for the paid-in-full test below.
        limits = contract_payment_limits(contract)
        if tranche == Tranche.ADVANCE:
            if statement is not None:
                raise DomainError("r54_advance_on_contract", _(
                    "The advance is paid against the contract, not against a statement."))
            if not contract.signed_at or contract.signed_at > timezone.now():
                raise DomainError("r54_contract_not_signed", _("An advance is paid only once the contract is signed."))
        else:
            if statement is None:
                raise DomainError("statement_required", _("Interim and final payments are made against a statement."))
            if statement.status not in PAYABLE_STATES:
                raise DomainError("statement_not_approved", _(
                    "Payments are made only on statements approved by finance."))
            limits = payment_limits(statement, limits)
        if tranche == Tranche.FINAL and limits["factor"] is None:
            raise DomainError("r54_not_evaluated", _(
                "The final tranche is released only after the project's evaluation is published."))
        allowed = limits[tranche]
        if tranche == Tranche.FINAL and not allowed:
            raise DomainError("r54_final_withheld", _(
                "Nothing of the final tranche can be released for this project's grade."))
        if amount > allowed:
            code = {Tranche.ADVANCE: "r54_advance_cap", Tranche.INTERIM: "r54_interim_cap",
                    Tranche.FINAL: "r54_final_cap"}[tranche]
            raise DomainError(code, _("This tranche may take at most ¥%(allowed)s now.") % {"allowed": allowed})
        payment = Payment.objects.create(contract=contract, statement=statement, tranche=tranche, amount=amount,
                                         paid_on=paid_on, reference=reference, payer=payer, recorded_by=actor)
        audit_record(obj=payment, actor=actor, action="create", changes={"amount": (None, amount)})
        # Paid in full once every approved statement's evaluation has fixed what is payable and all of it is paid.
        if paid_in_full_after(limits, amount):
            for pk in SettlementStatement.objects.filter(contract=contract, status=StatementStatus.APPROVED) \
                    .values_list("pk", flat=True):
                fire(SettlementStatement, pk, name="mark_paid", actor=actor)
    return payment

