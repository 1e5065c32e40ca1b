import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tendering.models import Bid, BidStatus, Qualification, Tender, TenderStatus
from tests.tendering.conftest import announce, award_lot1, bid_kwargs, frozen, open_with_bids, score_all
from tendering import services

pytestmark = pytest.mark.django_db


def _fmt(d):
    return timezone.localtime(d).strftime("%Y-%m-%dT%H:%M")


def test_office_creates_tender_through_the_page(world, login):
    client = login(world.personas.office)
    now = timezone.now()
    response = client.post(reverse("tendering:tender_create"), {
        "title": "页面创建的招标", "projects": [world.projects[0].pk], "price_weight": "30", "track_record_bonus": "2",
        "clarification_deadline": _fmt(now + dt.timedelta(days=3)), "bid_deadline": _fmt(now + dt.timedelta(days=25)),
        "opening_at": _fmt(now + dt.timedelta(days=25, hours=2)), "required_qualifications": ["legal_entity"]})
    assert response.status_code == 302
    tender = Tender.objects.get(title="页面创建的招标")
    assert tender.price_weight == Decimal("0.3000")


@pytest.mark.parametrize("who", ["institution", "expert", "county", "school", "city"])
def test_tender_pages_refused_to_other_roles(world, login, who):
    client = login(world.personas[who])
    assert client.get(reverse("tendering:tender_create")).status_code == 403
    assert client.get(reverse("tendering:tender_list")).status_code == 403
    assert client.get(reverse("tendering:tender_detail", args=[world.tender.pk])).status_code in (403, 404)
    assert client.get(reverse("tendering:lot_detail", args=[world.lot1.pk])).status_code in (403, 404)
    assert client.post(reverse("tendering:tender_action", args=[world.tender.pk]),
                       {"transition": "announce"}).status_code in (302, 403, 404)
    world.tender.refresh_from_db()
    assert world.tender.status == TenderStatus.DRAFT


def test_announce_refused_for_auditor_and_other_province(world, login):
    for user in (world.personas.auditor, world.personas.henan_province):
        login(user).post(reverse("tendering:tender_action", args=[world.tender.pk]), {"transition": "announce"})
        world.tender.refresh_from_db()
        assert world.tender.status == TenderStatus.DRAFT


def test_announce_through_the_page(world, login):
    response = login(world.personas.office).post(reverse("tendering:tender_action", args=[world.tender.pk]),
                                                 {"transition": "announce"})
    assert response.status_code == 302
    world.tender.refresh_from_db()
    assert world.tender.status == TenderStatus.ANNOUNCED


@pytest.mark.parametrize("who", ["province", "office", "expert", "county"])
def test_portal_refused_to_non_institutions(world, login, who):
    client = login(world.personas[who])
    for name in ("tendering:portal_tenders", "tendering:portal_bids", "tendering:portal_profile"):
        assert client.get(reverse(name)).status_code == 403


def test_institution_bids_through_the_portal_and_gets_a_receipt(world, login):
    announce(world)
    client = login(world.personas.institution)
    assert world.tender.title in client.get(reverse("tendering:portal_tenders")).content.decode()
    response = client.post(reverse("tendering:portal_bid", args=[world.lot1.pk]), {
        "price": "45.50", "chief_expert": "张教授", "chief_own_staff": "on", "team": "张教授,1\n李老师,0\n王老师,1",
        "past_projects": "2024年国培计划", "document": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 proposal")})
    assert response.status_code == 302, response.content.decode()[:2000]
    bid = Bid.objects.get(institution=world.personas.institution.organisation)
    page = client.get(reverse("tendering:portal_bid_detail", args=[bid.pk])).content.decode()
    assert bid.receipt_sha256 in page and "45.50" in page


def test_bid_upload_type_and_size_limits(world, login):
    announce(world)
    client = login(world.personas.institution)
    response = client.post(reverse("tendering:portal_bid", args=[world.lot1.pk]), {
        "price": "45.50", "chief_expert": "张教授", "chief_own_staff": "on", "team": "张教授,1",
        "document": SimpleUploadedFile("virus.exe", b"MZ....")})
    assert response.status_code == 200 and not Bid.objects.exists()
    from backoffice.config import setting_set
    setting_set(key="tender_upload_max_mb", value=0, actor=world.personas.province)
    response = client.post(reverse("tendering:portal_bid", args=[world.lot1.pk]), {
        "price": "45.50", "chief_expert": "张教授", "chief_own_staff": "on", "team": "张教授,1",
        "document": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert not Bid.objects.exists()


def test_qualification_upload_on_profile(world, login):
    client = login(world.personas.institution)
    response = client.post(reverse("tendering:portal_profile"), {
        "q-kind": "quality_system", "q-number": "ISO-1", "q-document": SimpleUploadedFile("iso.pdf", b"%PDF-1.4 iso")})
    assert response.status_code == 302
    assert Qualification.objects.filter(kind="quality_system").exists()
    response = client.post(reverse("tendering:portal_profile"), {
        "q-kind": "quality_system", "q-document": SimpleUploadedFile("iso.txt", b"hello")})
    assert response.status_code == 200 and Qualification.objects.filter(kind="quality_system").count() == 1


def test_expert_sees_only_assigned_panels(world, login):
    open_with_bids(world)
    world.lot1.refresh_from_db()
    panel = services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="s")
    member = panel.members.first()
    outsider = next(u for u in world.experts if not panel.members.filter(user=u).exists())
    assert login(outsider).get(reverse("tendering:expert_score", args=[member.pk])).status_code == 404
    client = login(member.user)
    assert str(world.lot1.name) in client.get(reverse("tendering:expert_panels")).content.decode()
    bids = list(Bid.objects.filter(lot=world.lot1, status=BidStatus.QUALIFIED).order_by("pk"))
    data = {f"s-{b.pk}-{c.pk}": "75" for b in bids for c in world.tender.criteria.all()}
    data["submit"] = "1"
    client.post(reverse("tendering:expert_score", args=[member.pk]), data)
    member.refresh_from_db()
    assert member.submitted_at is not None


def test_public_notice_without_login(world, client):
    award_lot1(world)
    page = client.get(reverse("tendering:notice_detail", args=[world.lot1.pk]))
    assert page.status_code == 200 and world.bidders[0][0].name in page.content.decode()
    pdf = client.get(reverse("tendering:notice_pdf", args=[world.lot1.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    # Lots not yet noticed are not public.
    assert client.get(reverse("tendering:notice_detail", args=[world.lot2.pk])).status_code == 404


def test_scoring_summary_exports(world, login):
    open_with_bids(world)
    world.lot1.refresh_from_db()
    services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="s")
    world.lot1.refresh_from_db()
    client = login(world.personas.province)
    assert client.get(reverse("tendering:scores_xlsx", args=[world.lot1.pk])).status_code == 403
    score_all(world, world.lot1, {0: [80, 80], 1: [70, 70], 2: [60, 60]})
    xlsx = client.get(reverse("tendering:scores_xlsx", args=[world.lot1.pk]))
    pdf = client.get(reverse("tendering:scores_pdf", args=[world.lot1.pk]))
    assert xlsx.status_code == 200 and pdf.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook
    rows = list(load_workbook(BytesIO(b"".join(xlsx.streaming_content))).active.values)
    assert rows[1][0] == 1 and rows[1][6] == "86.00"


def test_tender_list_query_count(world, login, django_assert_max_num_queries):
    client = login(world.personas.province)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("tendering:tender_list")).status_code == 200


def test_r52_contract_signing_page_chooses_the_settlement_basis(world, login):
    """Issue 10: one door signs the contract, the lot's transition door with the contract number and the settlement
    basis; the second URL (contract_sign) is gone."""
    from django.urls import NoReverseMatch

    from tendering.models import Contract
    from tests.tendering.test_scoring_and_award import _noticed

    with pytest.raises(NoReverseMatch):
        reverse("tendering:contract_sign", args=[1])
    lot = _noticed(world)
    door = reverse("tendering:lot_action", args=[lot.pk])
    with frozen(lot.notice_ends_at + dt.timedelta(hours=1)):
        client = login(world.personas.province)
        page = client.get(reverse("tendering:lot_detail", args=[lot.pk])).content.decode()
        assert 'data-transition="sign_contract"' in page and 'name="settlement_basis"' in page
        assert 'name="reference"' in page
        # Other roles cannot sign or change the basis through the pages.
        for who in ("institution", "henan_province", "office"):
            other = login(world.personas[who])
            assert other.post(door, {"transition": "sign_contract", "settlement_basis": "enrolled"}).status_code in (
                302, 403, 404)
        assert not Contract.objects.exists()
        client = login(world.personas.province)
        response = client.post(door, {"transition": "sign_contract", "reference": "x" * 65,
                                      "settlement_basis": "enrolled"}, follow=True)
        assert "合同编号" in response.content.decode() and not Contract.objects.exists()
        response = client.post(door, {"transition": "sign_contract", "reference": "HT-PAGE-1",
                                      "settlement_basis": "enrolled"})
    assert response.status_code == 302
    contract = Contract.objects.get()
    assert (contract.reference, contract.settlement_basis) == ("HT-PAGE-1", "enrolled")
    page = client.get(reverse("tendering:lot_detail", args=[lot.pk])).content.decode()
    assert 'data-testid="contract-basis-form"' in page
    assert login(world.personas.henan_province).post(reverse("tendering:contract_basis", args=[lot.pk]), {
        "settlement_basis": "completed"}).status_code in (403, 404)
    client = login(world.personas.office)
    client.post(reverse("tendering:contract_basis", args=[lot.pk]), {"settlement_basis": "completed"})
    contract.refresh_from_db()
    assert contract.settlement_basis == "completed"


@pytest.mark.parametrize("price", ["1e400", "1234567890123456", "1000000000000", "NaN", "Infinity", "-Infinity",
                                   "0", "-5", "abc", "45.555"])
def test_bid_form_refuses_a_price_bid_price_cannot_hold_in_chinese_next_to_the_field(world, login, price):
    announce(world)
    client = login(world.personas.institution)
    response = client.post(reverse("tendering:portal_bid", args=[world.lot1.pk]), {
        "price": price, "chief_expert": "张教授", "chief_own_staff": "on", "team": "张教授,1",
        "document": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 proposal")})
    assert response.status_code == 200 and not Bid.objects.exists()
    [message] = response.context["form"].errors["price"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


@pytest.mark.parametrize("price,code", [("1e400", "bid_price_too_large"), (Decimal("1e12"), "bid_price_too_large"),
                                        ("NaN", "bid_price_invalid"), (Decimal("sNaN"), "bid_price_invalid"),
                                        ("Infinity", "bid_price_invalid"), ("x", "bid_price_invalid")])
def test_bid_submit_refuses_prices_bid_price_cannot_hold(world, price, code):
    from backoffice.exceptions import DomainError

    announce(world)
    kwargs = bid_kwargs("45.00") | {"price": price}
    with pytest.raises(DomainError) as exc:
        services.bid_submit(actor=world.personas.institution, lot=world.lot1, **kwargs)
    assert exc.value.code == code and not Bid.objects.exists()


@pytest.mark.parametrize("value,code", [("abc", "score_invalid"), ("NaN", "score_invalid"), ("sNaN", "score_invalid"),
                                        ("Infinity", "score_invalid"), ("101", "score_range"),
                                        ("75.555", "score_decimals")])
def test_expert_score_that_is_not_a_score_is_refused_in_chinese_next_to_the_field(world, login, value, code):
    from backoffice.exceptions import DomainError

    with pytest.raises(DomainError) as exc:
        services.score_parse(value)
    assert exc.value.code == code
    open_with_bids(world)
    world.lot1.refresh_from_db()
    panel = services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="s")
    member = panel.members.first()
    client = login(member.user)
    bids = list(Bid.objects.filter(lot=world.lot1, status=BidStatus.QUALIFIED).order_by("pk"))
    criteria = list(world.tender.criteria.all())
    data = {f"s-{b.pk}-{c.pk}": "75" for b in bids for c in criteria}
    data[f"s-{bids[0].pk}-{criteria[0].pk}"] = value
    response = client.post(reverse("tendering:expert_score", args=[member.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "ConversionSyntax" not in page and "class 'decimal" not in page
    assert page.count('data-testid="score-error"') == 1 and exc.value.message in page
    assert f'name="s-{bids[0].pk}-{criteria[0].pk}" value="{value}"' in page
    assert not member.scores.exists()


def test_r23_bid_door_only_for_the_bidder(world, login):
    """Issue 10: the bid's withdraw goes through the one transition door; another institution gets 404, staff 403."""
    announce(world)
    bid = services.bid_submit(actor=world.personas.institution, lot=world.lot1, **bid_kwargs("40"))
    door = reverse("tendering:bid_action", args=[bid.pk])
    assert login(world.personas.other_institution).post(door, {"transition": "withdraw"}).status_code == 404
    assert login(world.personas.office).post(door, {"transition": "withdraw"}).status_code == 403
    bid.refresh_from_db()
    assert bid.status == BidStatus.ACTIVE
    response = login(world.personas.institution).post(door, {"transition": "withdraw",
                                                             "next": reverse("tendering:portal_bids")})
    assert response.status_code == 302 and response["Location"] == reverse("tendering:portal_bids")
    bid.refresh_from_db()
    assert bid.status == BidStatus.WITHDRAWN and bid.withdrawn_at is not None


def test_r27_question_door_answers_for_the_office_only(world, login):
    from tendering.models import QuestionStatus
    from tests.tendering.test_scoring_and_award import _noticed

    lot = _noticed(world)
    question = services.question_lodge(actor=world.bidders[2][1], lot=lot, text="评分有误")
    door = reverse("tendering:question_answer", args=[question.pk])
    for who in ("auditor", "institution", "henan_province"):
        login(world.personas[who]).post(door, {"transition": "give_answer", "answer": "越权答复"})
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN and question.answer == ""
    response = login(world.personas.office).post(door, {"transition": "give_answer", "answer": "经复核，评分无误。"})
    assert response.status_code == 302 and response["Location"] == reverse("tendering:lot_detail", args=[lot.pk])
    question.refresh_from_db()
    assert (question.status, question.answer, question.answered_by) == (
        QuestionStatus.ANSWERED, "经复核，评分无误。", world.personas.office)


def test_expert_scores_are_parsed_once_by_the_service_which_names_every_refused_cell(world, login):
    """Issue 10: the view no longer parses the grid itself; scores_save reports each refused cell at once and
    saves nothing (it stopped at the first bad value)."""
    from backoffice.exceptions import DomainError

    open_with_bids(world)
    world.lot1.refresh_from_db()
    member = services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="s").members.first()
    bids = list(Bid.objects.filter(lot=world.lot1, status=BidStatus.QUALIFIED).order_by("pk"))
    criteria = list(world.tender.criteria.all())
    scores = {(b.pk, c.pk): ("75", "") for b in bids for c in criteria}
    scores[(bids[0].pk, criteria[0].pk)] = ("abc", "")
    scores[(bids[1].pk, criteria[1].pk)] = ("101", "")
    with pytest.raises(DomainError) as exc:
        services.scores_save(actor=member.user, lot=world.lot1, scores=scores)
    assert exc.value.code == "score_invalid"
    assert {key for key, _m in exc.value.errors} == {(bids[0].pk, criteria[0].pk), (bids[1].pk, criteria[1].pk)}
    assert not member.scores.exists()
    data = {f"s-{b}-{c}": v for (b, c), (v, _x) in scores.items()}
    page = login(member.user).post(reverse("tendering:expert_score", args=[member.pk]), data).content.decode()
    assert page.count('data-testid="score-error"') == 2 and not member.scores.exists()
