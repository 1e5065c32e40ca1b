"""Issue 11 #8: the public award notice PDF renders for a lot contracted without a recorded winning bid."""
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tendering.models import Contract, Lot, Tender
from tests.factories import UserFactory, region
from tests.factories.finance import contract_for

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)


def test_notice_pdf_of_a_contracted_lot_without_recommended_bid_shows_the_contract(client, orgs):
    contract = contract_for(institution=orgs.institution, unit_price="12.50")
    assert contract.lot.recommended_bid_id is None  # like the demo's 2025 lot
    text = _text(client.get(reverse("tendering:notice_pdf", args=[contract.lot.pk])))  # anonymous: a public notice
    assert orgs.institution.name in text and "12.50" in text
    assert "本标段未记录公示期" in text


def test_notice_pdf_without_bid_or_contract_says_so(client, orgs):
    tender = Tender.objects.create(reference="FT-NONE", title="无中标记录的招标", province=region("360000"),
                                   office=orgs.office, wrapped_key=b"", created_by=UserFactory())
    lot = Lot.objects.create(tender=tender, number=1, name="全省", budget=Decimal("1000"), status="contracted")
    assert not Contract.objects.filter(lot=lot).exists()
    text = _text(client.get(reverse("tendering:notice_pdf", args=[lot.pk])))
    assert "中标机构：—" in text and "未记录中标投标或合同" in text
