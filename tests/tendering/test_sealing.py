"""R23: before the opening nobody but the bidder reads a bid's price, team or documents — on any read path."""
import datetime as dt
import json

import pytest
from django.urls import reverse

from backoffice.models import AuditEvent
from tendering import ocds, services
from tendering.models import Bid
from tendering.sealing import SealedError, unseal
from tests.factories import UserFactory
from tests.tendering.conftest import announce, bid_kwargs, frozen

pytestmark = pytest.mark.django_db

PRICE = "43.21"
CHIEF = "欧阳秘密"


@pytest.fixture
def sealed_bid(world):
    announce(world)
    return services.bid_submit(actor=world.personas.institution, lot=world.lot1,
                               **bid_kwargs(PRICE, chief_expert=CHIEF, document=b"%PDF secret proposal"))


def _no_secret(text: str):
    assert PRICE not in text and CHIEF not in text and "secret proposal" not in text


def test_r23_data_layer_stores_only_ciphertext(sealed_bid):
    row = Bid.objects.get(pk=sealed_bid.pk)
    assert row.price is None and row.chief_expert == "" and row.team == []
    _no_secret(bytes(row.sealed).decode("latin-1"))


def test_r23_unseal_refuses_everyone_but_the_bidder(world, sealed_bid):
    bid = Bid.objects.get(pk=sealed_bid.pk)
    assert unseal(bid, user=world.personas.institution)["price"] == __import__("decimal").Decimal(PRICE)
    admin = UserFactory(username="root", is_superuser=True, is_staff=True, role="")
    for user in (world.personas.province, world.personas.office, world.personas.other_institution,
                 world.personas.expert, world.personas.auditor, admin):
        with pytest.raises(SealedError):
            unseal(bid, user=user)
    with pytest.raises(SealedError):
        unseal(bid, opening=True)


@pytest.mark.parametrize("who", ["province", "office", "auditor", "ministry", "other_institution", "expert"])
def test_r23_sealed_on_pages_for_staff_and_rivals(world, sealed_bid, login, who):
    client = login(world.personas[who])
    urls = [reverse("tendering:tender_detail", args=[world.tender.pk]),
            reverse("tendering:lot_detail", args=[world.lot1.pk]),
            reverse("tendering:bid_document", args=[sealed_bid.pk]),
            reverse("tendering:portal_bid_detail", args=[sealed_bid.pk]),
            reverse("tendering:portal_bids"),
            reverse("tendering:opening_pdf", args=[world.tender.pk]),
            reverse("tendering:opening_xlsx", args=[world.tender.pk]),
            reverse("tendering:ocds_json", args=[world.tender.pk]),
            reverse("audit_list")]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        _no_secret(body.decode("utf-8", "replace"))
        if "opening" in url or "document" in url:
            assert response.status_code in (403, 404)


def test_r23_bidder_reads_its_own_receipt(world, sealed_bid, login):
    response = login(world.personas.institution).get(reverse("tendering:portal_bid_detail", args=[sealed_bid.pk]))
    assert response.status_code == 200
    assert PRICE in response.content.decode() and sealed_bid.receipt_sha256 in response.content.decode()


def test_r23_sealed_in_admin_for_superuser(world, sealed_bid, client):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True, role="")
    client.force_login(admin)
    listing = client.get("/admin/tendering/bid/")
    assert listing.status_code == 200
    _no_secret(listing.content.decode())
    assert client.get(f"/admin/tendering/bid/{sealed_bid.pk}/change/").status_code in (302, 404)


def test_r23_audit_events_carry_no_sealed_values(world, sealed_bid):
    services.bid_submit(actor=world.personas.institution, lot=world.lot1, **bid_kwargs("44.44", chief_expert=CHIEF))
    for event in AuditEvent.objects.all():
        text = json.dumps(event.changes, ensure_ascii=False) + event.reason + event.object_repr
        _no_secret(text)
        assert "44.44" not in text


def test_r23_exports_refuse_before_opening(world, sealed_bid):
    from tendering import documents

    with pytest.raises(SealedError):
        documents.opening_record_xlsx(world.tender)
    with pytest.raises(SealedError):
        documents.opening_record_pdf(world.tender)
    _no_secret(json.dumps(ocds.release_package(world.tender), ensure_ascii=False))


def test_r23_after_opening_staff_read_prices(world, sealed_bid, login):
    for i, p in ((1, "50"), (2, "60")):
        services.bid_submit(actor=world.bidders[i][1], lot=world.lot1, **bid_kwargs(p))
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        services.tender_open(actor=world.personas.office, tender=world.tender)
    response = login(world.personas.province).get(reverse("tendering:tender_detail", args=[world.tender.pk]))
    assert PRICE in response.content.decode()
    xlsx = login(world.personas.province).get(reverse("tendering:opening_xlsx", args=[world.tender.pk]))
    assert xlsx.status_code == 200


def test_r23_rival_institution_never_sees_other_bids(world, sealed_bid, login):
    client = login(world.personas.other_institution)
    assert client.get(reverse("tendering:portal_bid_detail", args=[sealed_bid.pk])).status_code == 404
    assert world.personas.institution.organisation.name not in client.get(reverse("tendering:portal_bids")).content.decode()


def test_opening_record_xlsx_writes_the_unit_price_as_a_number(world, login):
    import io
    from decimal import Decimal

    from openpyxl import load_workbook
    from pypdf import PdfReader

    announce(world)
    for i, p in ((0, "45.5"), (1, "50"), (2, "60")):
        services.bid_submit(actor=world.bidders[i][1], lot=world.lot1, **bid_kwargs(p))
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        services.tender_open(actor=world.personas.office, tender=world.tender)
    client = login(world.personas.province)
    xlsx = client.get(reverse("tendering:opening_xlsx", args=[world.tender.pk]))
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    bid_rows = [row for row in ws.iter_rows(min_row=2) if row[1].value != "—"]  # not the failed lot 2's row
    assert sorted(Decimal(str(row[3].value)) for row in bid_rows) == [Decimal("45.5"), Decimal("50"), Decimal("60")]
    assert all(isinstance(row[3].value, (int, float)) and row[3].number_format == "0.00" for row in bid_rows)
    pdf = client.get(reverse("tendering:opening_pdf", args=[world.tender.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert "45.50" in text and "50.00" in text


def test_opened_bid_document_downloads_under_its_chinese_name(world, login):
    from urllib.parse import quote

    announce(world)
    bid = services.bid_submit(actor=world.personas.institution, lot=world.lot1,
                              **bid_kwargs("50", document_name='技术方案"终稿".pdf'))
    for i, p in ((1, "55"), (2, "60")):
        services.bid_submit(actor=world.bidders[i][1], lot=world.lot1, **bid_kwargs(p))
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        services.tender_open(actor=world.personas.office, tender=world.tender)
    response = login(world.personas.province).get(reverse("tendering:bid_document", args=[bid.pk]))
    assert response.status_code == 200
    # A raw Chinese name or a quote in a plain filename="…" header is garbled or cut by browsers.
    name = f'bid-{bid.pk}-技术方案"终稿".pdf'
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"


def test_opening_record_xlsx_writes_hostile_bid_text_as_text(world, login):
    # issue 11 #5: the institution's name, the chief expert and the disqualification reason are typed by people.
    import io

    from openpyxl import load_workbook

    from backoffice.models import Organisation
    from tests.backoffice.hostile import HOSTILE, assert_no_formula

    announce(world)
    experts = ["@SUM(A1:A9)", "-3+4", "=1+1"]  # bid_submit strips the name, so no leading tab or CR here
    for i, p in ((0, "45.5"), (1, "50"), (2, "60")):
        Organisation.objects.filter(pk=world.bidders[i][1].organisation_id).update(name=HOSTILE[i + 3])
        services.bid_submit(actor=world.bidders[i][1], lot=world.lot1, **bid_kwargs(p, chief_expert=experts[i]))
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        services.tender_open(actor=world.personas.office, tender=world.tender)
    xlsx = login(world.personas.province).get(reverse("tendering:opening_xlsx", args=[world.tender.pk]))
    data = b"".join(xlsx.streaming_content)
    values = assert_no_formula(data)
    assert [t for t in HOSTILE[3:] + experts if t not in values] == []
    ws = load_workbook(io.BytesIO(data)).active
    prices = [row[3].value for row in ws.iter_rows(min_row=2) if row[1].value in HOSTILE[3:]]
    assert sorted(prices) == [45.5, 50, 60]
