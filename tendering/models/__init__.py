"""Tenders (R20-R29): a tender over filed projects, split into lots of regions; sealed bids; expert panels;
scores; award, public notice, questions (质疑) and contracts. One module per idea: institutions and experts
(parties), tenders and lots, bids/panels/scores, award (questions and contracts).

States and transitions are declared on the models; services fire them through backoffice.workflow.fire.
Sealing (R23): a bid's price, documents and team live only in `Bid.sealed` (Fernet ciphertext under the
tender's own key) until the opening writes the readable columns; see tendering/sealing.py.
"""
from tendering.models.parties import (  # noqa: F401
    Holiday, QualificationKind, InstitutionProfile, qualification_path, Qualification, ExpertProfile,
    ExpertEmployment,
)
from tendering.models.tenders import (  # noqa: F401
    TenderStatus, Tender, Criterion, LotStatus, Lot, LotRegion,
)
from tendering.models.bids import (  # noqa: F401
    BidStatus, ACTIVE_BID_STATES, Bid, OpeningAlert, Panel, PanelMember, Score, LotResult,
)
from tendering.models.award import (  # noqa: F401
    QuestionStatus, Question, SettlementBasis, Contract,
)
