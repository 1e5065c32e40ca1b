"""R23 sealed bids, enforced in the data layer.

Each tender has its own Fernet key, generated at creation and stored only wrapped by a seal secret
(`TENDER_SEAL_SECRETS`, never SECRET_KEY); the tender records the key version that wrapped it, so a new secret
seals new tenders while older ones still open under theirs.
A bid's price, team, past projects and technical document are stored only as ciphertext under that key
(`Bid.sealed`); the readable columns of `Bid` stay empty until the opening writes them. Every read of
sealed content goes through `unseal()`, which refuses anyone but the bidder's own staff until the
tender's opening has run (`Tender.opened_at`). Views, admin, exports, OCDS and the audit trail never
touch `Bid.sealed` directly, and services never put sealed values into `AuditEvent.changes`.
"""
import base64
import binascii
import hashlib
import json
from decimal import Decimal
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _, gettext_lazy

from backoffice.exceptions import DomainError
from backoffice.settings.seal import LEGACY, local_seal_secret


class SealedError(DomainError):
    pass


# Why a seal does not open, in the reader's language; opening alerts keep the code and render it on each page.
REASONS = {
    "seal_key_version_unknown": gettext_lazy(
        "The seal secret of key version “%(version)s”, which sealed this tender, is not configured on this server "
        "(TENDER_SEAL_SECRETS)."),
    "seal_key_mismatch": gettext_lazy(
        "This tender's key does not open with the seal secret of key version “%(version)s”: the secret was "
        "changed, or the stored key is damaged."),
    "bid_unreadable": gettext_lazy(
        "This bid's sealed content cannot be opened (the seal is missing or damaged). Ask the system "
        "administrator to check the tender's key."),
}


def reason_text(code: str, params: dict) -> str:
    text = str(REASONS[code]) % params if code in REASONS else code
    return f"{text}（{params['bid']}）" if params.get("bid") else text


class UnreadableBid(DomainError):
    """The tender's key or a bid's sealed content cannot be decrypted or parsed; `params` feed the opening alert."""

    def __init__(self, code: str, **params):
        self.params = params
        super().__init__(code, reason_text(code, params))


def keyring() -> list[tuple[str, str]]:
    """(key version id, secret) pairs, current first: TENDER_SEAL_SECRETS, else the embedded per-machine file."""
    if settings.TENDER_SEAL_SECRETS:
        return list(settings.TENDER_SEAL_SECRETS)
    if settings.TENDER_SEAL_KEY_FILE:
        return local_seal_secret(Path(settings.TENDER_SEAL_KEY_FILE))
    raise ImproperlyConfigured("TENDER_SEAL_SECRETS is not set: tenders cannot be sealed (see README, Production).")


def current_key_version() -> str:
    return keyring()[0][0]


def _derive(secret: str, info: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"guopei-tendering", info=info).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _wrapping_fernet(version: str) -> Fernet:
    if version == LEGACY:
        # Tenders sealed before key versions existed: exactly the old derivation, from SECRET_KEY; unwrap only.
        return _derive(getattr(settings, "TENDER_SEAL_SECRET", None) or settings.SECRET_KEY, b"tender-key-wrap")
    secret = dict(keyring()).get(version)
    if secret is None:
        raise UnreadableBid("seal_key_version_unknown", version=version)
    return _derive(secret, b"tender-key-wrap:" + version.encode())


def new_wrapped_key() -> bytes:
    """A new tender key wrapped under the current key version (`Tender.key_version` defaults to that version)."""
    return _wrapping_fernet(current_key_version()).encrypt(Fernet.generate_key())


def tender_key(tender) -> bytes:
    """The tender's own key, unwrapped with the key version the tender records."""
    try:
        return _wrapping_fernet(tender.key_version).decrypt(bytes(tender.wrapped_key))
    except (InvalidToken, TypeError) as exc:
        raise UnreadableBid("seal_key_mismatch", version=tender.key_version) from exc


def rewrap(tender) -> tuple[str, bytes]:
    """The tender's key wrapped under the current key version (for `seal_rotate`); raises UnreadableBid."""
    version = current_key_version()
    return version, _wrapping_fernet(version).encrypt(tender_key(tender))


def _tender_fernet(tender) -> Fernet:
    return Fernet(tender_key(tender))


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def seal(tender, *, content: dict, document: bytes) -> tuple[bytes, str]:
    """Encrypt a bid's content; returns (ciphertext, SHA-256 of what was submitted incl. the document)."""
    doc_hash = hashlib.sha256(document).hexdigest()
    body = dict(content, document_sha256=doc_hash)
    digest = hashlib.sha256(canonical(body)).hexdigest()
    blob = canonical(dict(body, document_b64=base64.b64encode(document).decode()))
    return _tender_fernet(tender).encrypt(blob), digest


def may_read(bid, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    # The predicate itself, not has_perm: Django's has_perm lets a superuser through, and R23 lets nobody.
    from tendering.permissions import reads_bid_content

    return reads_bid_content.test(user, bid)


def unseal(bid, *, user=None, opening: bool = False) -> dict:
    """The bid's content for `user`; the bidder always, everyone else only after the opening.

    `opening=True` is used by the opening service itself, after it has set the tender's opening time.
    """
    tender = bid.lot.tender
    if opening:
        if tender.is_sealed:
            raise SealedError("r23_sealed", _("Bids are sealed until the opening."))
    elif not may_read(bid, user):
        raise SealedError("r23_sealed", _("Bids are sealed until the opening."))
    fernet = _tender_fernet(tender)  # an unknown or mismatched key version raises UnreadableBid naming it
    try:
        data = json.loads(fernet.decrypt(bytes(bid.sealed)))
        data["price"] = Decimal(data["price"])
    except (InvalidToken, binascii.Error, ValueError, TypeError, KeyError, ArithmeticError) as exc:
        # Damaged ciphertext is a data fault to report, not a 500.
        raise UnreadableBid("bid_unreadable") from exc
    return data


def document_of(content: dict) -> bytes:
    return base64.b64decode(content.get("document_b64", ""))
