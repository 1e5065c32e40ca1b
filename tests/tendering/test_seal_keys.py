"""R23 seal secrets: apart from SECRET_KEY, versioned per tender, rotatable; legacy tenders still open."""
import base64
import datetime as dt
import io
import os
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from backoffice.models import AuditEvent
from backoffice.settings.seal import local_seal_secret, parse_seal_secrets
from tendering import sealing, services
from tendering.models import Bid, Tender, TenderStatus
from tests.tendering.conftest import announce, bid_kwargs, frozen

pytestmark = pytest.mark.django_db

V1 = ("v1", "first-seal-secret-0123456789abcdefghijklmnop")
V2 = ("v2", "second-seal-secret-0123456789abcdefghijklmno")


@pytest.fixture
def v1(settings):
    settings.TENDER_SEAL_SECRETS = [V1]
    return settings


def _bids(world, tender_lot, prices=("40", "50", "60")):
    return [services.bid_submit(actor=world.bidders[i][1], lot=tender_lot, **bid_kwargs(p)) for i, p in enumerate(prices)]


def _open(world):
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        return services.tender_open(actor=world.personas.office, tender=world.tender)


def test_r23_seal_secret_is_not_secret_key(v1, world):
    assert world.tender.key_version == "v1"
    # Unwrapping with a key derived from SECRET_KEY (the old scheme) fails: the session key no longer opens bids.
    legacy = Tender(key_version="legacy", wrapped_key=world.tender.wrapped_key)
    with pytest.raises(sealing.UnreadableBid):
        sealing.tender_key(legacy)


def test_r23_rotating_the_secret_old_tenders_still_open_new_ones_use_the_new_version(v1, world, settings):
    announce(world)
    _bids(world, world.lot1)
    settings.TENDER_SEAL_SECRETS = [V2, V1]  # rotation: v2 seals from now on, v1 still opens
    newer = services.tender_create(actor=world.personas.office, title="新招标", projects=[], bid_deadline=None,
                                   clarification_deadline=None, opening_at=None)
    assert newer.key_version == "v2"
    opened = _open(world)
    assert opened.status == TenderStatus.OPENED
    assert sorted(Bid.objects.filter(lot=world.lot1).values_list("price", flat=True)) == [
        Decimal("40"), Decimal("50"), Decimal("60")]


def test_r23_rotating_secret_key_does_not_touch_sealed_tenders(v1, world, settings):
    announce(world)
    _bids(world, world.lot1)
    settings.SECRET_KEY = "a-completely-new-session-key-after-a-leak-0123456789"
    assert _open(world).status == TenderStatus.OPENED


def _legacy_wrap(secret_key: str, key: bytes) -> bytes:
    """Exactly the derivation used before key versions existed (sealing.py before issue 11 #4)."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"guopei-tendering", info=b"tender-key-wrap").derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived)).encrypt(key)


def test_r23_legacy_tender_sealed_with_secret_key_still_opens(v1, world):
    Tender.objects.filter(pk=world.tender.pk).update(
        key_version="legacy", wrapped_key=_legacy_wrap(django_settings.SECRET_KEY, Fernet.generate_key()))
    world.tender.refresh_from_db()
    announce(world)
    _bids(world, world.lot1)
    assert _open(world).status == TenderStatus.OPENED
    assert Bid.objects.filter(lot=world.lot1, price=Decimal("50")).exists()


def test_r23_legacy_version_never_seals_and_cannot_be_configured():
    with pytest.raises(ImproperlyConfigured):
        parse_seal_secrets("legacy:abc")
    assert sealing.current_key_version() != "legacy"


@pytest.mark.parametrize("raw", ["v1", "v1:", ":abc", "v 1:abc", "v1:a,v1:b", "x" * 33 + ":abc"])
def test_malformed_seal_secrets_stop_start_up(raw):
    with pytest.raises(ImproperlyConfigured):
        parse_seal_secrets(raw)


def test_seal_secrets_current_first():
    assert parse_seal_secrets(" v2:abc:def , v1:old ") == [("v2", "abc:def"), ("v1", "old")]


def test_embedded_secret_is_generated_once_per_machine_with_0600(tmp_path):
    path = tmp_path / "seal.key"
    first = local_seal_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    local_seal_secret.cache_clear()
    assert local_seal_secret(path) == first and first[0][0].startswith("local-")
    other = tmp_path / "other.key"
    assert local_seal_secret(other)[0][1] != first[0][1]  # another machine, another secret


def test_seal_rotate_rewraps_old_versions_with_an_audit_event(v1, world, settings):
    announce(world)
    bids = _bids(world, world.lot1)
    settings.TENDER_SEAL_SECRETS = [V2, V1]
    call_command("seal_rotate", stdout=io.StringIO())
    world.tender.refresh_from_db()
    assert world.tender.key_version == "v2"
    event = AuditEvent.objects.get(object_id=str(world.tender.pk), changes__key_version__isnull=False)
    assert event.changes["key_version"] == ["v1", "v2"]
    settings.TENDER_SEAL_SECRETS = [V2]  # v1 can now be dropped
    assert sealing.unseal(Bid.objects.get(pk=bids[0].pk), user=world.bidders[0][1])["price"] == Decimal("40")
    assert _open(world).status == TenderStatus.OPENED


def test_seal_rotate_reports_keys_it_cannot_open_and_changes_nothing(v1, world, settings):
    settings.TENDER_SEAL_SECRETS = [V2]  # v1 lost
    with pytest.raises(CommandError):
        call_command("seal_rotate", stdout=io.StringIO(), stderr=io.StringIO())
    world.tender.refresh_from_db()
    assert world.tender.key_version == "v1"


# -- check --deploy on the production settings, run as CI runs it ---------------------------------------------
BASE_DIR = Path(__file__).resolve().parents[2]
SECRET_KEY = "ci-0123456789-not-a-real-secret-key-0123456789abcdef"


def _check_deploy(**extra):
    # A clean environment, as on a server: nothing the test run set (DJANGO_ALLOW_ASYNC_UNSAFE, DATABASE_URL…).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="backoffice.settings.production", SECRET_KEY=SECRET_KEY,
               ALLOWED_HOSTS="guopei.example.gov.cn", DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
               CELERY_BROKER_URL="redis://127.0.0.1:6379/0", **extra)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def test_r23_check_deploy_fails_without_the_seal_secret():
    result = _check_deploy()
    assert result.returncode != 0 and "tendering.E001" in result.stderr


def test_r23_check_deploy_fails_when_the_seal_secret_is_secret_key():
    result = _check_deploy(TENDER_SEAL_SECRETS=f"v1:{SECRET_KEY}")
    assert result.returncode != 0 and "tendering.E002" in result.stderr


def test_r23_check_deploy_passes_with_the_seal_secret():
    result = _check_deploy(TENDER_SEAL_SECRETS=f"v2:{V2[1]},v1:{V1[1]}")
    assert result.returncode == 0, result.stderr
