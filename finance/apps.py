from decimal import Decimal

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from backoffice.config import register_setting
        from backoffice.demo import register_demo_step
        from backoffice.navigation import register_nav, register_panel
        from finance import deadlines

        deadlines.register()  # R4
        from backoffice.exports import register_export
        from finance import exports

        register_export("finance.reconciliation", exports.reconciliation)
        register_export("finance.statements", exports.statements)
        register_export("finance.budget", exports.budget)
        from backoffice.batches import register_batch
        from finance.batches import statement_pdfs

        register_batch("finance.statement_pdfs", statement_pdfs)
        from projects.evaluation.sources import register_indicator_source

        register_setting("finance.other_cap_ratio", default=Decimal("0.03"), rule="R51",
                         label=_("Largest share of the budget for other costs"))
        register_setting("finance.offline_daily_standard", default=Decimal(550), rule="R51",
                         label=_("Offline training cost standard per trainee per day (yuan)"))
        register_setting("finance.offline_full_rate_days", default=30, rule="R51",
                         label=_("Days of offline training paid at the full daily standard"))
        register_setting("finance.offline_long_stay_factor", default=Decimal("0.7"), rule="R51",
                         label=_("Share of the daily standard paid for days beyond the full-rate days"))
        register_setting("finance.lecture_rate_associate", default=Decimal(500), rule="R51",
                         label=_("Lecture fee cap per hour, associate professor level (yuan)"))
        register_setting("finance.lecture_rate_full", default=Decimal(1000), rule="R51",
                         label=_("Lecture fee cap per hour, full professor level (yuan)"))
        register_setting("finance.lecture_rate_academician", default=Decimal(1500), rule="R51",
                         label=_("Lecture fee cap per hour, academician or national expert (yuan)"))
        register_setting("finance.lecture_hours_per_half_day", default=4, rule="R51",
                         label=_("Most lecture hours per half day"))
        register_setting("finance.advance_max_ratio", default=Decimal("0.30"), rule="R54",
                         label=_("Largest advance, over all advances, as a share of the contract amount"))
        register_setting("finance.final_tranche_share", default=Decimal("0.30"), rule="R54",
                         label=_("Share of the amount due held back for the final tranche"))
        register_setting("finance.final_release_excellent", default=Decimal("1.00"), rule="R54",
                         label=_("Final tranche released for grade excellent"))
        register_setting("finance.final_release_good", default=Decimal("1.00"), rule="R54",
                         label=_("Final tranche released for grade good"))
        register_setting("finance.final_release_pass", default=Decimal("0.90"), rule="R54",
                         label=_("Final tranche released for grade pass"))
        register_setting("finance.final_release_fail", default=Decimal("0.00"), rule="R54",
                         label=_("Final tranche released for grade fail"))
        register_setting("finance.execution_flag_below", default=Decimal("0.90"), rule="R56",
                         label=_("Budget execution rate below which a finished project is flagged"))

        register_nav(_("Budgets"), "finance:budget_overview", perm="finance.view_finance", order=50, group=_("Finance"))
        register_nav(_("Settlement statements"), "finance:statement_list", perm="finance.view_statements", order=51,
                     group=_("Finance"))
        register_nav(_("Invoices"), "finance:invoice_list", perm="finance.view_statements", order=52,
                     group=_("Finance"))
        register_nav(_("Reconciliation"), "finance:reconciliation", perm="finance.view_finance", order=53,
                     group=_("Finance"))

        from finance.demo import demo_step
        from finance.panels import execution_panel
        from finance.selectors import budget_execution_rates

        register_panel(execution_panel, order=50)
        register_demo_step(demo_step, order=250)  # before the evaluation demo reads the execution rate
        from finance.demo import demo_contracts_2026

        register_demo_step(demo_contracts_2026, order=260)
        # R63: the evaluation reads the budget execution rate through this hook (projects never imports finance).
        register_indicator_source("budget_execution_rate", budget_execution_rates)
        # R53: tendering asks finance whether a contract's settlement basis is still open (no confirmed statement).
        from finance.services import contract_basis_locked
        from tendering.services import register_settlement_basis_lock

        register_settlement_basis_lock(contract_basis_locked)
        # Issue 15: the payments appear in the tender's public OCDS record as implementation transactions.
        from finance.ocds import contract_transactions
        from tendering.ocds import register_implementation

        register_implementation(contract_transactions)
