"""Issue 14 C: the complete public award notice (R27) and its PDF, and the contract PDF (R28)."""
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.factories.finance import contract_for
from tests.tendering.conftest import award_lot1

pytestmark = pytest.mark.django_db


def _pdf_text(response) -> str:
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)


def _noticed_lot(world):
    award_lot1(world)
    world.lot1.refresh_from_db()
    return world.lot1


def test_r27_public_award_notice_shows_winner_price_ranking_dates_and_how_to_question(world, client):
    lot = _noticed_lot(world)
    results = list(lot.results.select_related("bid__institution").order_by("rank"))
    html = client.get(reverse("tendering:notice_detail", args=[lot.pk])).content.decode()
    winner = lot.recommended_bid
    assert f'data-testid="winner">{winner.institution.name}<' in html
    assert f"¥{winner.price:,.2f}" in html
    for r in results:  # every ranked bidder with its total score
        assert r.bid.institution.name in html and str(r.total) in html
    assert lot.question_deadline.astimezone().strftime("%Y-%m-%d") in html
    assert "如何提出质疑" in html and "工作日内答复" in html and str(world.tender.office) in html


def test_r27_award_notice_pdf_holds_the_ranking_and_question_instructions(world, client):
    lot = _noticed_lot(world)
    text = _pdf_text(client.get(reverse("tendering:notice_pdf", args=[lot.pk])))
    top = lot.results.order_by("rank").select_related("bid__institution").first()
    assert top.bid.institution.name in text and str(top.total) in text
    assert "价格分" in text and "如何提出质疑" in text


def test_r27_notice_of_a_contracted_lot_without_recorded_ranking_is_not_blank(client, orgs):
    """The demo's 2025 lot was contracted without a recorded recommendation: the notice names the contract's
    institution and price and says that no ranking is recorded (it was blank)."""
    contract = contract_for(institution=orgs.institution, unit_price="12.50")
    html = client.get(reverse("tendering:notice_detail", args=[contract.lot.pk])).content.decode()
    assert orgs.institution.name in html and "¥12.50" in html and contract.reference in html
    assert "本标段未记录评标排名" in html


def test_r28_contract_pdf_needs_a_log_in(client, orgs):
    contract = contract_for(institution=orgs.institution)
    response = client.get(reverse("tendering:contract_pdf", args=[contract.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_r28_contract_pdf_for_its_institution_and_readers_only(login, personas, orgs):
    contract = contract_for(institution=orgs.institution, unit_price="12.50", hours=80, quota=50)
    url = reverse("tendering:contract_pdf", args=[contract.pk])
    text = _pdf_text(login(personas.institution).get(url))
    project = contract.lot.projects.get()
    assert contract.reference in text and orgs.institution.name in text and project.name in text
    assert "¥12.50" in text and "¥50,000.00" in text and "结算依据" in text
    assert _pdf_text(login(personas.finance).get(url))  # a reader of the province
    assert login(personas.other_institution).get(url).status_code == 404
    assert login(personas.expert).get(url).status_code == 404
