"""OCDS through the whole process (issue 15): the record of a completed tender holds planning, tender, award,
contract and implementation with its payments (finance's hook), validates against release-schema 1.1.5 with the
lots and bids extensions, and is public once announced; a sealed tender's record holds no bid (R23)."""
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tendering import ocds, services
from tests.tendering.conftest import announce, award_lot1, bid_kwargs, frozen

pytestmark = pytest.mark.django_db
SCHEMAS = Path(ocds.__file__).parent
RELEASE_URI = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


def _merge(base, patch):
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def _release_schema():
    patch = json.loads((SCHEMAS / "extensions-patch.json").read_text())
    patch.pop("_comment")
    return _merge(json.loads((SCHEMAS / "release-schema.json").read_text()), patch)


def _valid_releases(releases):
    validator = Draft4Validator(_release_schema(), format_checker=FormatChecker())
    for release in releases:
        errors = sorted(validator.iter_errors(json.loads(json.dumps(release))), key=str)
        assert not errors, [f"{release['id']} {list(e.path)}: {e.message}" for e in errors[:5]]


def _valid_package(package):
    release = _release_schema()
    registry = Registry().with_resource(RELEASE_URI, Resource(contents=release, specification=DRAFT4))
    validator = Draft4Validator(json.loads((SCHEMAS / "release-package-schema.json").read_text()), registry=registry)
    errors = sorted(validator.iter_errors(json.loads(json.dumps(package))), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def _complete(world):
    """The tender walked to a signed contract, with the advance paid by finance."""
    from finance import services as finance

    lot = award_lot1(world)
    with frozen(lot.notice_ends_at + dt.timedelta(hours=1)):
        services.contract_sign(actor=world.personas.province, lot=lot)
    lot.refresh_from_db()
    finance.payment_record(actor=world.personas.finance, contract=lot.contract, tranche="advance",
                           amount=Decimal("1234.50"), paid_on=dt.date.today())
    world.tender.refresh_from_db()
    return lot


def test_ocds_record_of_completed_tender_holds_every_stage_validates_and_is_public(world, client):
    lot = _complete(world)
    response = client.get(f"/api/v1/ocds/tenders/{world.tender.reference}/record/")  # no log-in
    assert response.status_code == 200
    record = response.json()["records"][0]
    tags = [r["tag"][0] for r in record["releases"]]
    assert tags[:2] == ["planning", "tender"] and {"tenderUpdate", "award", "contract", "implementation"} <= set(tags)
    _valid_releases(record["releases"] + [record["compiledRelease"]])
    compiled = record["compiledRelease"]
    assert compiled["planning"]["budget"]["amount"]["amount"] > 0
    assert compiled["awards"][0]["suppliers"][0]["name"] == world.bidders[0][0].name
    assert "排名第1" in compiled["awards"][0]["description"]
    contract = compiled["contracts"][0]
    assert contract["id"] == lot.contract.reference
    assert [t["value"]["amount"] for t in contract["implementation"]["transactions"]] == [1234.5]
    assert len(compiled["bids"]["details"]) == 3
    _valid_package(client.get(f"/api/v1/ocds/tenders/{world.tender.reference}/releases/").json())
    page = client.get(f"/tendering/open-data/{world.tender.reference}/")
    assert page.status_code == 200 and lot.contract.reference in page.content.decode()


def test_r23_sealed_tender_record_holds_no_bid(world, client):
    announce(world)
    services.bid_submit(actor=world.bidders[0][1], lot=world.lot1, **bid_kwargs("40"))
    record = client.get(f"/api/v1/ocds/tenders/{world.tender.reference}/record/").json()["records"][0]
    text = json.dumps(record, ensure_ascii=False)
    assert "bids" not in record["compiledRelease"] and '"tenderers"' not in text and "40.0" not in text
    assert all("bids" not in r for r in record["releases"])
    _valid_releases(record["releases"] + [record["compiledRelease"]])
    assert world.bidders[0][0].name not in client.get(f"/tendering/open-data/{world.tender.reference}/").content.decode()


def test_ocds_draft_tender_is_not_published(world, client):
    assert client.get(f"/api/v1/ocds/tenders/{world.tender.reference}/record/").status_code == 404
    assert client.get(f"/tendering/open-data/{world.tender.reference}/").status_code == 404


def test_ocds_ocid_prefix_is_a_setting_and_the_year_package_holds_the_tender(world, client, settings):
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    announce(world)
    package = client.get(f"/api/v1/ocds/years/{world.tender.announced_at.year}/").json()
    assert {r["ocid"] for r in package["releases"]} == {f"ocds-abc123-{world.tender.reference}"}
    _valid_package(package)
    assert client.get("/api/v1/ocds/years/1850/").status_code == 404
