"""Reads in finance, always scoped to the user (R2): finance officers and auditors see their region subtree,
institutions their own statements and invoices. Lists fetch what they show in a constant number of queries.
One module per idea: statements and contracts, budgets, reconciliation, payment limits."""
from .budgets import (  # noqa: F401
    ExecutionRow, advance_shares, budget_execution_rates, execution_by_category, execution_by_plan, execution_rows,
    execution_current_rows, execution_projects,
    project_budget,
)
from .payments import (  # noqa: F401
    PAYABLE_STATES, advance_paid, contract_payment_limits, due_for, paid_in_full_after, payment_limits,
    statement_due,
)
from .reconciliation import ReconRow, reconciliation_rows  # noqa: F401
from .statements import (  # noqa: F401
    MONEY_FIELD, contract_page_for_finance, contract_payments, contracts_for_finance, counties_with_due,
    invoice_list_visible_to, payment_list_visible_to,
    statement_adjustments, statement_get, statement_list_visible_to, statement_outcome_changes, statement_payments,
    statement_summary_counts,
)
