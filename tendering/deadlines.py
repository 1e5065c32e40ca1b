"""Deadlines the tendering workflow sets (R4), each beside the transition it guards: bid confirmation before the
bid deadline (R22), the opening (R23), the office's answer to a question (R27) and the contract signature (R28)."""

from django.db.models import F, IntegerField, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backoffice.deadlines import After, Deadline, register_deadline, register_holidays
from backoffice.models import Role

TENDER_STAFF = (Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF)


def holidays() -> dict:
    from tendering.models import Holiday

    return dict(Holiday.objects.values_list("date", "is_working_day"))


def _bids_to_confirm():
    from tendering.models import Bid, BidStatus, TenderStatus

    # Bid.confirm (R22): a tender changed after announcement sets bids back to 'to be confirmed'.
    return Bid.objects.filter(status=BidStatus.TO_CONFIRM, lot__tender__status=TenderStatus.ANNOUNCED).values(
        key=F("pk"), due=F("lot__tender__bid_deadline"), region_code=F("lot__tender__province__code"),
        org_id=F("institution_id"), reference=F("lot__tender__reference"), lot_number=F("lot__number"),
        lot_name=F("lot__name"))


def _tenders_to_open():
    from tendering.models import Tender, TenderStatus

    # Tender.open (R23): at the opening time; the beat catch-up opens it too.
    return Tender.objects.filter(status__in=[TenderStatus.ANNOUNCED, TenderStatus.BIDDING_CLOSED],
                                 opening_at__isnull=False).values(
        "reference", "title", key=F("pk"), due=F("opening_at"), region_code=F("province__code"),
        org_id=F("office_id"))


def _questions_to_answer():
    from tendering.models import Question, QuestionStatus

    # Question.give_answer (R27): within 7 working days, stored as answer_due when lodged.
    return Question.objects.filter(status=QuestionStatus.OPEN).values(
        key=F("pk"), due=F("answer_due"), region_code=F("lot__tender__province__code"),
        org_id=F("lot__tender__office_id"), reference=F("lot__tender__reference"), lot_number=F("lot__number"),
        lot_name=F("lot__name"), lot_pk=F("lot_id"), institution_name=F("institution__name"))


def _lots_to_sign():
    from tendering.models import Lot, LotStatus

    # Lot.sign_contract (R28): within 30 days (setting) after the notice; the province department signs.
    return Lot.objects.filter(status=LotStatus.NOTICE, notice_published_at__isnull=False).values(
        key=F("pk"), published=F("notice_published_at"), region_code=F("tender__province__code"),
        org_id=Value(None, output_field=IntegerField()), reference=F("tender__reference"), lot_number=F("number"), lot_name=F("name"))


_contract_due = After("published", "tender_contract_days", working=False)

def _lot_subject(row) -> str:
    return f"{row['reference']} · {row['lot_number']} {row['lot_name']}"


def register():
    register_holidays(holidays)
    register_deadline(Deadline(
        key="tendering.bid_confirm", label=_("Confirm the bid after the tender changed"), rule="R22",
        transition="tendering.Bid.confirm", rows=_bids_to_confirm, subject=_lot_subject,
        url=lambda row: reverse("tendering:portal_bid_detail", args=[row["key"]]),
        org_roles=(Role.INSTITUTION_STAFF,)))
    register_deadline(Deadline(
        key="tendering.opening", label=_("Open the bids"), rule="R23", transition="tendering.Tender.open",
        rows=_tenders_to_open, subject=lambda row: f"{row['reference']} {row['title']}",
        url=lambda row: reverse("tendering:tender_detail", args=[row["key"]]), region_roles=TENDER_STAFF))
    register_deadline(Deadline(
        key="tendering.question_answer", label=_("Answer the question"), rule="R27",
        transition="tendering.Question.give_answer", rows=_questions_to_answer,
        subject=lambda row: f"{_lot_subject(row)} · {row['institution_name']}",
        url=lambda row: reverse("tendering:lot_detail", args=[row["lot_pk"]]), region_roles=TENDER_STAFF))
    register_deadline(Deadline(
        key="tendering.contract_signature", label=_("Sign the contract"), rule="R28",
        transition="tendering.Lot.sign_contract", rows=_lots_to_sign, due=_contract_due, subject=_lot_subject,
        url=lambda row: reverse("tendering:lot_detail", args=[row["key"]]), region_roles=(Role.PROVINCE_STAFF,)))
