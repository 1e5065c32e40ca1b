"""The secrets that wrap each tender's sealing key (R23), apart from SECRET_KEY.

`TENDER_SEAL_SECRETS="v2:<secret>,v1:<old secret>"`: each entry is a key version id and its secret; the first
seals new tenders, the others only open tenders sealed under them. Each tender records its version.
"""
import functools
import hashlib
import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

VERSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
# Reserved for tenders sealed before key versions existed: their key is wrapped with SECRET_KEY.
LEGACY = "legacy"


def parse_seal_secrets(raw: str) -> list[tuple[str, str]]:
    """`"v2:abc,v1:def"` -> [("v2", "abc"), ("v1", "def")]; a malformed value stops start-up with a clear message."""
    pairs = []
    for entry in (e.strip() for e in raw.split(",")):
        if not entry:
            continue
        version, sep, secret = entry.partition(":")
        version, secret = version.strip(), secret.strip()
        if not sep or not secret:
            raise ImproperlyConfigured(f"TENDER_SEAL_SECRETS: entry {version!r} needs the form <version>:<secret>.")
        if not VERSION_ID.match(version) or version == LEGACY:
            raise ImproperlyConfigured(
                f"TENDER_SEAL_SECRETS: {version!r} is not a valid key version id (letters, digits, . _ -; "
                f"at most 32; {LEGACY!r} is reserved).")
        if version in dict(pairs):
            raise ImproperlyConfigured(f"TENDER_SEAL_SECRETS: key version {version!r} is listed twice.")
        pairs.append((version, secret))
    return pairs


@functools.lru_cache
def local_seal_secret(path: Path) -> list[tuple[str, str]]:
    """The embedded set-up's seal secret: generated once per machine into `path` (mode 0600), never in the repo.
    Its version id carries a fingerprint, so a database copied to a machine with another file says so."""
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(tmp, path)  # atomic: a process starting at the same moment keeps the first file
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    secret = path.read_text().strip()
    return [(f"local-{hashlib.sha256(secret.encode()).hexdigest()[:8]}", secret)]
