"""Reconciliation (对账): due vs invoiced vs paid per contract × county, each difference explained (R52-R55)."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from backoffice.models import Region
from backoffice.money import ZERO, grouped_amount, money
from backoffice.scoping import scope_for
from finance.models import LOCKED_STATES, Adjustment, Invoice, Payment, SettlementStatement, StatementStatus

from .statements import contracts_for_finance


@dataclass
class ReconRow:
    contract: object
    county: object = None  # None: the contract's row for the advance not yet set off (R54)
    due: Decimal = ZERO
    draft: Decimal = ZERO
    invoiced: Decimal = ZERO
    paid: Decimal = ZERO
    advance_set_off: Decimal = ZERO  # part of `paid`: the contract's advance set off against this county's due
    adjustments: int = 0
    adjustment_amount: Decimal = ZERO
    settled: bool = False  # contract row: every statement of the contract is confirmed
    flags: list = field(default_factory=list)  # [(code, explanation)]

    @property
    def institution(self):
        return self.contract.institution

    @property
    def is_advance(self) -> bool:
        return self.county is None

    @property
    def label(self) -> str:
        return self.county.full_name if self.county else _("Advance not yet set off (contract)")

    @property
    def not_invoiced(self) -> Decimal:
        return self.due - self.invoiced

    @property
    def not_paid(self) -> Decimal:
        return self.due - self.paid


def _explain(row: ReconRow):
    if row.is_advance:
        if row.settled:
            row.flags.append(("overpayment", _(
                "The advance exceeds what turned out to be due: overpayment of ¥%(amount)s.") % {
                "amount": grouped_amount(row.paid)}))
        else:
            row.flags.append(("advance_not_set_off", _(
                "Advance of ¥%(amount)s paid against the contract, not yet set off against a settled statement.") % {
                "amount": grouped_amount(row.paid)}))
        return
    if row.due > row.invoiced:
        row.flags.append(("missing_invoice", _("Invoice missing for ¥%(amount)s.") % {
            "amount": grouped_amount(row.due - row.invoiced)}))
    if row.invoiced > row.due:
        row.flags.append(("over_invoiced", _("Invoiced ¥%(amount)s more than is due.") % {
            "amount": grouped_amount(row.invoiced - row.due)}))
    if row.paid > row.due:
        row.flags.append(("overpayment", _("Overpayment of ¥%(amount)s.") % {"amount": grouped_amount(row.paid - row.due)}))
    elif row.invoiced > row.paid:
        row.flags.append(("awaiting_payment", _("¥%(amount)s invoiced and not yet paid.") % {
            "amount": grouped_amount(row.invoiced - row.paid)}))
    if row.advance_set_off:
        row.flags.append(("advance_set_off", _("Paid includes ¥%(amount)s of the contract's advance, set off here.") % {
            "amount": grouped_amount(row.advance_set_off)}))
    if row.adjustments:
        row.flags.append(("outcome_changed", _(
            "%(n)s adjustment entries after confirmation (trainee outcomes changed): ¥%(amount)s.") % {
            "n": row.adjustments, "amount": grouped_amount(row.adjustment_amount)}))
    if row.draft:
        row.flags.append(("awaiting_confirmation", _(
            "¥%(amount)s in statements waiting for the institution's confirmation.") % {"amount": grouped_amount(row.draft)}))


def _set_off(advance: Decimal, county_rows: list[ReconRow]) -> Decimal:
    """Spread a contract's advance over its counties in proportion to their due, never beyond it (shown figures,
    rounded once here, the last county takes the cents left). Returns what is left: the advance not yet set off."""
    due_rows = [r for r in county_rows if r.due > 0]
    total_due = sum((r.due for r in due_rows), ZERO)
    setoff = min(advance, total_due)
    given = ZERO
    for i, r in enumerate(due_rows):
        share = setoff - given if i == len(due_rows) - 1 else money(setoff * r.due / total_due)
        r.advance_set_off = share
        r.paid += share
        given += share
    return advance - setoff


def _grouped(qs, *, contract="contract_id", county="county_id"):
    return qs.order_by().values(contract, county).annotate(s=Sum("amount"), n=Count("pk")).values_list(
        contract, county, "s", "n")


def _figures(contract_ids) -> dict:
    """{(contract, county): {name: (sum, count)}} over every county of the contracts; four queries."""
    statements = SettlementStatement.objects.filter(contract_id__in=contract_ids)
    sources = (
        ("due", _grouped(statements.filter(status__in=LOCKED_STATES))),
        ("draft", _grouped(statements.filter(status=StatementStatus.DRAFT))),
        ("adj", _grouped(Adjustment.objects.filter(statement__contract_id__in=contract_ids),
                         contract="statement__contract_id", county="statement__county_id")),
        ("inv", _grouped(Invoice.objects.filter(contract_id__in=contract_ids))),
        ("paid", _grouped(Payment.objects.filter(contract_id__in=contract_ids, statement__isnull=False),
                          contract="statement__contract_id", county="statement__county_id")),
    )
    found = {}
    for name, data in sources:
        for c, r, s, n in data:
            found.setdefault((c, r), {})[name] = (s or ZERO, n)
    return found


def _county_row(contract, county, data) -> ReconRow:
    row = ReconRow(contract=contract, county=county)
    adj_amount, adj_n = data.get("adj", (ZERO, 0))
    row.due = data.get("due", (ZERO, 0))[0] + adj_amount
    row.draft = data.get("draft", (ZERO, 0))[0]
    row.invoiced = data.get("inv", (ZERO, 0))[0]
    row.paid = data.get("paid", (ZERO, 0))[0]
    row.adjustments, row.adjustment_amount = adj_n, adj_amount
    return row


def reconciliation_rows(*, user, contract_ids=None) -> list[ReconRow]:
    """Due vs invoiced vs paid for every contract × county the user may see, with each difference explained; the
    contract's advance (R54) is set off against all its counties' due, and what is not yet set off is a row of the
    contract. A city or county reader sees only its counties' rows, never the contract's (R2). A constant number
    of queries whatever the number of rows."""
    from tendering.models import Contract

    visible = contracts_for_finance(user=user)
    if contract_ids is not None:  # a page of them
        visible = visible.filter(pk__in=list(contract_ids))
    contract_ids = list(visible.values_list("pk", flat=True))
    found = _figures(contract_ids)
    advances = dict(Payment.objects.filter(statement__isnull=True, contract_id__in=contract_ids).order_by()
                    .values_list("contract_id").annotate(s=Sum("amount")))
    contracts = Contract.objects.filter(pk__in={k[0] for k in found} | set(advances)).select_related(
        "institution", "lot__tender__province").in_bulk()
    # With their city and province: each row's full name reads them (no query per row, issue 13).
    counties = Region.objects.filter(pk__in={k[1] for k in found}).select_related("parent__parent").in_bulk()
    by_contract: dict[int, list[ReconRow]] = {}
    rows = []
    for (contract_id, county_id), data in found.items():
        row = _county_row(contracts[contract_id], counties[county_id], data)
        rows.append(row)
        by_contract.setdefault(contract_id, []).append(row)
    for contract_id, advance in advances.items():
        county_rows = sorted(by_contract.get(contract_id, []), key=lambda r: r.county.code)
        left = _set_off(advance, county_rows)
        if left > 0:
            rows.append(ReconRow(contract=contracts[contract_id], paid=left,
                                 settled=bool(county_rows) and all(r.due > 0 and not r.draft for r in county_rows)))
    scope = scope_for(user)
    whole = scope.kind in ("all", "organisation")
    rows = [r for r in rows if whole or scope.covers_region(r.county or r.contract.lot.tender.province)]
    for row in rows:
        _explain(row)
    return sorted(rows, key=lambda r: (r.institution.name, r.contract.reference, r.county.code if r.county else "~"))
