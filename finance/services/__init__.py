"""Writes in finance, one module per idea: budget (lines, lecture fees, commitments, spending), settlement
(statements, adjustments), invoices, payments. Each service is one transaction; money changes write an
AuditEvent (R3) and a history row. Reads — what is due, what a tranche may take — are in finance.selectors."""
from .budget import (  # noqa: F401
    budget_line_set, commitment_from_contract, expenditure_record, lecture_fee_add,
)
from .invoices import invoice_upload  # noqa: F401
from .payments import payment_record  # noqa: F401
from .settlement import (  # noqa: F401
    NIGHTLY_TIMEZONE, SettleResult, adjustment_add, contract_basis_locked, settlement_approve, settlement_compute,
    settlement_confirm, settlement_schedule_nightly, statement_edit,
)
