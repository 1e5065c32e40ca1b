"""Issue 14 #5: a bid above the lot's ceiling is refused at submission with the figures; an abnormally low price
is accepted with a warning that names the figures (R23, R26)."""
from decimal import Decimal

import pytest

from backoffice.config import setting_set
from backoffice.exceptions import DomainError
from tendering import services
from tendering.models import Bid

from .conftest import announce, bid_kwargs


def _ceiling(w):
    return w.lot1.unit_price_ceiling


def test_r23_ceiling_from_the_lot_budget_over_its_trainee_hours(world):
    lot = world.lot1
    assert lot.max_unit_price is None
    assert _ceiling(world) == (lot.budget / lot.hours).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    lot.max_unit_price = Decimal("35.00")
    assert lot.unit_price_ceiling == Decimal("35.00")


def test_r23_bid_above_the_ceiling_is_refused_at_submission_with_the_figures(world):
    announce(world)
    ceiling = _ceiling(world)
    with pytest.raises(DomainError) as exc:
        services.bid_submit(actor=world.personas.institution, lot=world.lot1, **bid_kwargs(str(ceiling + 1)))
    assert exc.value.code == "bid_above_ceiling"
    assert f"¥{ceiling + 1:,.2f}" in exc.value.message and f"¥{ceiling:,.2f}" in exc.value.message
    assert not Bid.objects.filter(lot=world.lot1).exists()
    # At the ceiling itself the bid stands.
    assert services.bid_submit(actor=world.personas.institution, lot=world.lot1, **bid_kwargs(str(ceiling))).pk


def test_r26_abnormally_low_price_is_warned_with_the_figures(world):
    ceiling = _ceiling(world)
    low = (ceiling * Decimal("0.4")).quantize(Decimal("0.01"))
    warnings = services.bid_price_warnings(lot=world.lot1, price=low)
    assert len(warnings) == 1 and f"¥{low:,.2f}" in warnings[0] and "50%" in warnings[0]
    assert services.bid_price_warnings(lot=world.lot1, price=ceiling) == []


def test_r26_abnormally_low_share_is_a_setting(world):
    ceiling = _ceiling(world)
    price = (ceiling * Decimal("0.6")).quantize(Decimal("0.01"))
    assert services.bid_price_warnings(lot=world.lot1, price=price) == []
    setting_set(key="tender_abnormally_low_ratio", value=Decimal("0.70"), province=world.tender.province,
                actor=world.personas.province)
    assert "70%" in services.bid_price_warnings(lot=world.lot1, price=price)[0]


def test_r26_portal_shows_the_ceiling_and_warns_a_low_bid_in_chinese(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    announce(world)
    client = login(world.personas.institution)
    ceiling = _ceiling(world)
    page = client.get(f"/tendering/portal/lots/{world.lot1.pk}/bid/").content.decode()
    assert f"¥{ceiling:,.2f}" in page
    kw = bid_kwargs("1")
    form = {"price": "1.00", "chief_expert": kw["chief_expert"], "chief_own_staff": "on",
            "team": "张教授,1\n李老师,0\n王老师,1", "past_projects": kw["past_projects"][0],
            "document": SimpleUploadedFile("proposal.pdf", kw["document"], content_type="application/pdf")}
    response = client.post(f"/tendering/portal/lots/{world.lot1.pk}/bid/", form, follow=True)
    text = response.content.decode()
    assert "¥1.00" in text and "异常低" in text
    over = dict(form, price=str(ceiling + 5),
                document=SimpleUploadedFile("proposal.pdf", kw["document"], content_type="application/pdf"))
    refused = client.post(f"/tendering/portal/lots/{world.lot1.pk}/bid/", over).content.decode()
    assert f"¥{ceiling + 5:,.2f}" in refused and "最高限价" in refused


def test_issue14_money_and_receipt_time_formats_on_tender_pages(world, login):
    import re

    announce(world)
    bid = services.bid_submit(actor=world.personas.institution, lot=world.lot1, **bid_kwargs("40"))
    office = login(world.personas.office)
    assert "¥1,000,000.00" in office.get(f"/tendering/lots/{world.lot1.pk}/").content.decode()
    assert "¥500,000.00" in office.get(f"/tendering/{world.tender.pk}/").content.decode()
    receipt = login(world.personas.institution).get(f"/tendering/portal/bids/{bid.pk}/").content.decode()
    received = receipt.split('data-testid="received-at">')[1].split("<")[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", received) and "¥40.00" in receipt
