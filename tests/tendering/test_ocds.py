"""OCDS 1.1 release package export, validated against the OCDS 1.1.5 schema copied into tendering/ocds/."""
import datetime as dt
import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tendering import ocds, services
from tests.tendering.conftest import announce, award_lot1, frozen

pytestmark = pytest.mark.django_db
SCHEMAS = Path(ocds.__file__).parent
RELEASE_URI = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


def _validator():
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    registry = Registry().with_resource(RELEASE_URI, Resource(contents=release, specification=DRAFT4))
    return Draft4Validator(package, registry=registry)


def _valid(data):
    errors = sorted(_validator().iter_errors(json.loads(json.dumps(data))), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_ocds_release_of_draft_and_announced_tender_is_valid(world):
    _valid(ocds.release_package(world.tender))
    announce(world)
    data = ocds.release_package(world.tender)
    _valid(data)
    assert "bids" not in data["releases"][0]


def test_ocds_release_with_bids_award_and_contract_is_valid(world):
    lot = award_lot1(world)
    with frozen(lot.notice_ends_at + dt.timedelta(hours=1)):
        services.contract_sign(actor=world.personas.province, lot=lot)
    world.tender.refresh_from_db()
    data = ocds.release_package(world.tender)
    _valid(data)
    release = data["releases"][0]
    assert len(release["bids"]["details"]) == 3
    assert release["awards"][0]["suppliers"][0]["name"] == world.bidders[0][0].name
    assert release["contracts"][0]["value"]["amount"] > 0
    assert {"award", "contract"} <= set(release["tag"])
