"""R4 deadlines of tendering: bid confirmation before the deadline (R22), the opening (R23), the answer to a
question (R27), the contract signature (R28)."""
import datetime as dt

from django.utils import timezone

from tendering import services
from tests.deadline_checks import check_reminders_and_overdue, todo_item
from tests.tendering.conftest import announce, bid_kwargs, frozen, open_with_bids
from tests.tendering.test_scoring_and_award import _noticed


def test_r4_r22_bid_to_confirm_is_reminded_and_gone_once_confirmed(world):
    announce(world)
    inst, staff = world.bidders[0]
    bid = services.bid_submit(actor=staff, lot=world.lot1, **bid_kwargs("40"))
    services.tender_update(actor=world.personas.office, tender=world.tender, reason="补充说明", description="新增要求")
    item = check_reminders_and_overdue(kind="tendering.bid_confirm", actor=staff, province=world.personas.province,
                                       outsider=world.personas.henan_province, bystander=world.bidders[1][1])
    world.tender.refresh_from_db()
    assert item.due_at == world.tender.bid_deadline
    services.bid_confirm(actor=staff, bid=bid)
    assert todo_item(staff, "tendering.bid_confirm") is None


def test_r4_r23_opening_is_reminded_and_gone_once_opened(world):
    announce(world)
    for i, price in enumerate(("40", "50", "80")):
        services.bid_submit(actor=world.bidders[i][1], lot=world.lot1, **bid_kwargs(price))
    item = check_reminders_and_overdue(kind="tendering.opening", actor=world.personas.office,
                                       province=world.personas.province, outsider=world.personas.henan_province,
                                       bystander=world.personas.institution)
    assert item.due_at == world.tender.opening_at
    assert todo_item(world.personas.province, "tendering.opening") is not None  # the department runs tenders too
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        services.tender_open(actor=world.personas.office, tender=world.tender)
    assert todo_item(world.personas.office, "tendering.opening") is None


def test_r4_r27_question_answer_is_reminded_and_gone_once_answered(world):
    lot = _noticed(world)
    question = services.question_lodge(actor=world.bidders[2][1], lot=lot, text="评分有误")
    item = check_reminders_and_overdue(kind="tendering.question_answer", actor=world.personas.office,
                                       province=world.personas.province, outsider=world.personas.henan_province,
                                       bystander=world.bidders[2][1])
    assert item.due_at == question.answer_due
    services.question_answer(actor=world.personas.office, question=question, answer="经复核，评分无误。")
    assert todo_item(world.personas.office, "tendering.question_answer") is None


def test_r4_r28_contract_signature_is_reminded_and_gone_once_signed(world):
    lot = _noticed(world)
    item = check_reminders_and_overdue(kind="tendering.contract_signature", actor=world.personas.province,
                                       province=world.personas.province, outsider=world.personas.henan_province,
                                       bystander=world.personas.office)
    assert item.due_at == lot.notice_published_at + dt.timedelta(days=30)
    with frozen(lot.notice_ends_at + dt.timedelta(minutes=1)):
        services.contract_sign(actor=world.personas.province, lot=lot)
    assert todo_item(world.personas.province, "tendering.contract_signature") is None


def test_r4_r28_contract_days_setting_moves_the_due_date(world):
    from backoffice.config import setting_set
    from tests.factories import region

    lot = _noticed(world)
    setting_set(key="tender_contract_days", value=20, actor=world.personas.province, province=region("360000"))
    item = todo_item(world.personas.province, "tendering.contract_signature")
    assert item.due_at == lot.notice_published_at + dt.timedelta(days=20)
