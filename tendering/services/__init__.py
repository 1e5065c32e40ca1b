"""Writes on tenders, by audience: set-up (tender, lots, criteria, profiles), bids and the opening, the panel
and its scores, the award and the contract. Every state change goes through backoffice.workflow.fire; projects
change only through projects.services. Sealed bid content never enters an audit event (R23).

Callers use `from tendering import services` and the names below; helpers stay in their modules.
"""
from tendering.services.common import (  # noqa: F401
    system_actor,
)
from tendering.services.setup import (  # noqa: F401
    institution_profile_update, qualification_upload, tender_create, EDITABLE_FIELDS, tender_update, lot_add,
    criteria_set, tender_announce, tender_cancel, lot_retender, expert_profile_save,
)
from tendering.services.bids import (  # noqa: F401
    bid_submit, bid_price_warnings, bid_withdraw, bid_confirm, tender_open, opening_alert_raise, tender_keys_rotate,
)
from tendering.services.panel import (  # noqa: F401
    panel_draw, score_parse, scores_save,
)
from tendering.services.award import (  # noqa: F401
    lot_recommend, lot_approve_award, lot_return_recommendation, question_lodge, question_answer, contract_sign,
    register_settlement_basis_lock, contract_set_settlement_basis,
)
from tendering.selectors import lot_outliers, lot_ranking  # noqa: F401,E402 (read here by documents.py)
