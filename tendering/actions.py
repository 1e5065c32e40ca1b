"""What the buttons on the tender, lot, bid and question pages do (the transition door's tables, see
backoffice.transitions). Labels and "needs a reason" are declared on the transitions in tendering.models."""
from django.utils.translation import gettext_lazy as _

from backoffice.transitions import Door
from tendering import services


def _tender(service, *, takes_reason=False):
    if takes_reason:
        return lambda tender, *, actor, reason, data: service(tender=tender, actor=actor, reason=reason)
    return lambda tender, *, actor, reason, data: service(tender=tender, actor=actor)


def _lot(service, *, takes_reason=True):
    if takes_reason:
        return lambda lot, *, actor, reason, data: service(lot=lot, actor=actor, reason=reason)
    return lambda lot, *, actor, reason, data: service(lot=lot, actor=actor)


def _bid(service):
    return lambda bid, *, actor, reason, data: service(bid=bid, actor=actor)


def _sign(lot, *, actor, reason, data):
    # R28, R52: the one way to sign: the form's contract number and settlement basis.
    return services.contract_sign(actor=actor, lot=lot, reference=data.get("reference", ""),
                                  settlement_basis=data.get("settlement_basis") or "completed")


def _answer(question, *, actor, reason, data):
    return services.question_answer(actor=actor, question=question, answer=data.get("answer", ""))


TENDER_DOORS = {
    "announce": Door(_tender(services.tender_announce), success=_("The tender was announced."),
                     confirm=_("Announce the tender? Lots and criteria can no longer change.")),
    "open": Door(_tender(services.tender_open), success=_("The bids were opened."),
                 confirm=_("Open the bids now? This cannot be undone.")),
    "cancel": Door(_tender(services.tender_cancel, takes_reason=True), success=_("The tender was cancelled."),
                   confirm=_("Cancel this tender? This cannot be undone.")),
}

LOT_DOORS = {
    "recommend": Door(_lot(services.lot_recommend), success=_("The panel's recommendation was recorded.")),
    "approve_award": Door(_lot(services.lot_approve_award), success=_("The award notice was published."),
                          confirm=_("Approve the award and publish the notice?")),
    "return_recommendation": Door(_lot(services.lot_return_recommendation),
                                  success=_("The recommendation was returned to the panel."),
                                  confirm=_("Return the recommendation to the panel? The panel must score again.")),
    "sign_contract": Door(_sign, success=_("Contract signed."), fields=("reference", "settlement_basis"),
                          confirm=_("Sign the contract at the winning unit price? This cannot be undone.")),
}

BID_DOORS = {
    "withdraw": Door(_bid(services.bid_withdraw), success=_("Bid withdrawn."),
                     confirm=_("Withdraw this bid? You can submit a new one before the deadline.")),
    "confirm": Door(_bid(services.bid_confirm), success=_("Bid confirmed.")),
}

QUESTION_DOORS = {
    "give_answer": Door(_answer, success=_("The answer was recorded."), fields=("answer",)),
}
