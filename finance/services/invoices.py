"""Invoices (R55): unique per institution, never more than is due and not yet invoiced."""
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError
from backoffice.money import ZERO, grouped_amount, money
from finance.models import Invoice, SettlementStatement
from finance.selectors import due_for


def invoice_upload(*, actor, contract, county, number: str, amount: Decimal, issued_on) -> Invoice:
    """The institution's invoice: unique number per institution, never more than is due and not yet invoiced."""
    number = (number or "").strip()
    if not actor.has_perm("finance.upload_invoice", contract):
        raise DomainError("forbidden", _("Only the contracted institution uploads its invoices."))
    if not number:
        raise DomainError("invoice_number_required", _("An invoice needs a number."))
    amount = money(amount)
    if amount <= 0:
        raise DomainError("negative_amount", _("An amount must be positive."))
    with transaction.atomic():
        # Lock the contract's statements so two uploads cannot both take the same remaining amount.
        list(SettlementStatement.objects.select_for_update().filter(contract=contract, county=county))
        if Invoice.objects.filter(institution_id=contract.institution_id, number=number).exists():
            raise DomainError("r55_duplicate_invoice", _("Invoice number %(number)s has already been uploaded.") % {
                "number": number})
        invoiced = Invoice.objects.filter(contract=contract, county=county).aggregate(s=Sum("amount"))["s"] or ZERO
        remaining = due_for(contract=contract, county=county) - invoiced
        if amount > remaining:
            raise DomainError("r55_invoice_exceeds_due", _(
                "The invoice (¥%(amount)s) exceeds what is due and not yet invoiced (¥%(remaining)s).") % {
                "amount": grouped_amount(amount), "remaining": grouped_amount(remaining)})
        invoice = Invoice.objects.create(institution_id=contract.institution_id, contract=contract, county=county,
                                         number=number, amount=amount, issued_on=issued_on, uploaded_by=actor)
        audit_record(obj=invoice, actor=actor, action="create", changes={"amount": (None, amount)})
    return invoice
