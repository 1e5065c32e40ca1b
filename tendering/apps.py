from decimal import Decimal

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenderingConfig(AppConfig):
    name = "tendering"
    verbose_name = _("Tendering and contracts")

    def ready(self):
        from backoffice.backup import register_manifest_section
        from backoffice.config import register_setting
        from backoffice.demo import register_demo_step
        from backoffice.navigation import register_nav, register_panel
        from tendering import deadlines
        from tendering.backup import seal_key_identity, seal_keys_check

        deadlines.register()  # R4

        register_manifest_section("seal_keys", make=seal_key_identity, check=seal_keys_check)

        register_setting("tender_min_bidding_days", default=20, rule="R22",
                         label=_("Minimum calendar days from announcement to bid deadline"))
        register_setting("tender_clarification_days", default=15, rule="R22",
                         label=_("Days between the close of clarifications and the bid deadline"))
        register_setting("tender_min_price_weight", default=Decimal("0.10"), rule="R26",
                         label=_("Minimum price weight for services"))
        register_setting("tender_min_qualified_bids", default=3, rule="R24",
                         label=_("Qualified bids a lot needs at opening"))
        register_setting("tender_large_lot_budget", default=Decimal(10000000), rule="R25",
                         label=_("Lot budget from which the panel needs 7 members"))
        register_setting("tender_conflict_years", default=3, rule="R25",
                         label=_("Years of past employment that exclude an expert"))
        register_setting("tender_outlier_points", default=Decimal(25), rule="R26",
                         label=_("Distance from the other experts' mean that flags a score"))
        register_setting("tender_abnormally_low_ratio", default=Decimal("0.50"), rule="R26",
                         label=_("Share of a lot's unit price ceiling below which a bid is warned as abnormally low"))
        register_setting("tender_notice_working_days", default=1, rule="R27",
                         label=_("Working days the award notice is published"))
        register_setting("tender_question_working_days", default=7, rule="R27",
                         label=_("Working days after the notice in which bidders may lodge a question"))
        register_setting("tender_answer_working_days", default=7, rule="R27",
                         label=_("Working days the office has to answer a question"))
        register_setting("tender_contract_days", default=30, rule="R28",
                         label=_("Days after the notice within which the contract is signed"))
        register_setting("tender_fail_bar_months", default=12, rule="R29",
                         label=_("Months an institution graded fail cannot bid"))
        register_setting("tender_upload_max_mb", default=10, rule="R21",
                         label=_("Largest document upload (MB)"))

        register_nav(_("Tenders"), "tendering:tender_list", perm="tendering.view_tenders", order=30,
                     group=_("Tendering"))
        portal = "tendering.use_portal"
        register_nav(_("Open tenders"), "tendering:portal_tenders", perm=portal, order=30, group=_("Tendering"),
                     acting=True)
        register_nav(_("My bids"), "tendering:portal_bids", perm=portal, order=31, group=_("Tendering"), acting=True)
        register_nav(_("Institution profile"), "tendering:portal_profile", perm=portal, order=32,
                     group=_("Tendering"), acting=True)
        register_nav(_("My panels"), "tendering:expert_panels", perm="tendering.score_bids", order=30, acting=True)

        from tendering import checks  # noqa: F401  (registers the seal-secret deploy check)
        from tendering.demo import demo_step
        from tendering.selectors import dashboard_panel, opening_alert_panel

        register_panel(opening_alert_panel, order=1)
        register_panel(dashboard_panel, order=30)
        register_demo_step(demo_step, order=40)
        from tendering.demo import demo_lot_in_scoring, demo_ready_to_open

        register_demo_step(demo_ready_to_open, order=41)
        register_demo_step(demo_lot_in_scoring, order=42)
