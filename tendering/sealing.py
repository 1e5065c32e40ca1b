"""R23 sealed bids, enforced in the data layer.

Each tender has its own Fernet key, generated at creation and stored only wrapped by the site key.
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

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError
from backoffice.models import Role


class SealedError(DomainError):
    pass


class UnreadableBid(DomainError):
    """The sealed content of a bid cannot be decrypted or parsed."""


def _site_fernet() -> Fernet:
    secret = getattr(settings, "TENDER_SEAL_SECRET", None) or settings.SECRET_KEY
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"guopei-tendering", info=b"tender-key-wrap").derive(
        secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def new_wrapped_key() -> bytes:
    return _site_fernet().encrypt(Fernet.generate_key())


def _tender_fernet(tender) -> Fernet:
    return Fernet(_site_fernet().decrypt(bytes(tender.wrapped_key)))


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
    own = user.role == Role.INSTITUTION_STAFF and user.organisation_id == bid.institution_id
    return own or not bid.lot.tender.is_sealed


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
    try:
        data = json.loads(_tender_fernet(tender).decrypt(bytes(bid.sealed)))
        data["price"] = Decimal(data["price"])
    except (InvalidToken, binascii.Error, ValueError, TypeError, KeyError, ArithmeticError) as exc:
        # A seal that does not open (no tender key, another site key, damaged ciphertext) is a data fault to
        # report, not a 500.
        raise UnreadableBid("bid_unreadable", _(
            "This bid's sealed content cannot be opened (the seal is missing or damaged). Ask the system "
            "administrator to check the tender's key.")) from exc
    return data


def document_of(content: dict) -> bytes:
    return base64.b64decode(content.get("document_b64", ""))
