"""What a backup records about the seal keys (R23): which keys the sealed bids need, by fingerprint, never the
secret. The secrets are kept apart from the backups (README, Production); a restore says which are missing here."""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from backoffice.backup import key_fingerprint


def seal_key_identity() -> list[dict]:
    from tendering import sealing

    keys = []
    keyring = getattr(sealing, "keyring", None)  # versioned seal secrets, where the sealing module has them
    if callable(keyring):
        try:
            keys += [{"version": version, "fingerprint": key_fingerprint(secret)} for version, secret in keyring()]
        except ImproperlyConfigured:
            pass  # no seal secret configured: the deploy check says so; the backup still runs
    legacy = getattr(settings, "TENDER_SEAL_SECRET", None)
    # Tenders sealed before key versions existed open with TENDER_SEAL_SECRET, or SECRET_KEY without it.
    keys.append({"version": "legacy", "source": "TENDER_SEAL_SECRET" if legacy else "SECRET_KEY",
                 "fingerprint": key_fingerprint(legacy or settings.SECRET_KEY)})
    return keys


def seal_keys_check(recorded: list[dict]) -> list[str]:
    """A warning for each seal key the backup's tenders may need that this machine's settings do not hold."""
    here = {(k["version"], k["fingerprint"]) for k in seal_key_identity()}
    return [_("Seal key %(version)s (fingerprint %(fingerprint)s) is not configured here: tenders sealed with it "
              "will not open until its secret is set.") % k
            for k in recorded if (k["version"], k["fingerprint"]) not in here]
