"""Conditions of the tendering transitions (R22-R28): pure functions of the instance, each with a coded reason."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.workflow import guard


# -- tender ----------------------------------------------------------------------------------------------------
def _r22_message(t):
    from tendering.calculations import r22_problems

    problems = r22_problems(t, announce_at=timezone.now())
    return problems[0][1] if problems else ""


@guard("r22_timeline", _r22_message)
def timeline_ok(t):
    from tendering.calculations import r22_problems

    return not r22_problems(t, announce_at=timezone.now())


@guard("tender_incomplete", lambda t: t.incomplete_reason())
def tender_complete(t):
    return not t.incomplete_reason()


@guard("bidding_open", _("The bid deadline has not passed yet."))
def deadline_passed(t):
    return t.bid_deadline is not None and timezone.now() > t.bid_deadline


@guard("opening_time_not_reached", _("The opening time has not been reached yet."))
def opening_time_reached(t):
    return t.opening_at is not None and timezone.now() >= t.opening_at


# -- lot -------------------------------------------------------------------------------------------------------
@guard("panel_not_submitted", _("Not every panel member has submitted scores."))
def panel_complete(lot):
    panel = getattr(lot, "panel", None)
    return panel is not None and panel.all_submitted()


@guard("r27_question_open", _("A question (质疑) on this lot is still open."))
def no_open_question(lot):
    from tendering.models import QuestionStatus

    return not lot.questions.filter(status=QuestionStatus.OPEN).exists()


@guard("r27_notice_running", _("The public notice period has not ended yet."))
def notice_ended(lot):
    return lot.notice_ends_at is not None and timezone.now() >= lot.notice_ends_at


@guard("r28_contract_late", _("The contract must be signed within 30 days after the notice."))
def contract_in_time(lot):
    from tendering.calculations import contract_deadline

    return lot.notice_published_at is not None and timezone.now() <= contract_deadline(lot)


# -- bid (R23) -------------------------------------------------------------------------------------------------
@guard("r23_after_deadline", _("The bid deadline has passed."))
def before_bid_deadline(bid):
    from tendering.models import TenderStatus

    tender = bid.lot.tender
    return tender.status == TenderStatus.ANNOUNCED and timezone.now() <= tender.bid_deadline
