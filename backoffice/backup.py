"""Backup and restore: the database, the media files and a manifest that proves a restore is complete.

A backup directory holds the database (PostgreSQL: a `pg_dump` custom-format dump; SQLite: a copy made with
sqlite3's backup API), `media.tar.gz` and `manifest.json`: when it was made, every table's row count, a SHA-256
digest of the audit trail in id order (R3), each file's SHA-256, and sections other apps register (tendering:
the fingerprints of the seal keys its sealed bids need; never the secrets). The manifest is written last, so a
directory without one is not a backup. Restoring goes into a new, empty database and media directory, and checks
the result against the manifest.
"""
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import uuid
from collections.abc import Callable
from pathlib import Path

import environ
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.utils import ConnectionHandler, load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.models import AuditEvent

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media.tar.gz"

_SECTIONS: dict[str, tuple[Callable[[], object], Callable[[object], list[str]] | None]] = {}


class BackupError(Exception):
    pass


def register_manifest_section(name: str, *, make: Callable[[], object], check: Callable[[object], list] | None = None):
    """Apps add what a backup must record beyond rows and files, and how a restore checks it against this machine
    (`check(recorded)` returns warnings). Call from AppConfig.ready()."""
    _SECTIONS[name] = (make, check)


def manifest_sections() -> dict:
    return {name: make() for name, (make, _check) in sorted(_SECTIONS.items())}


def manifest_warnings(manifest: dict) -> list[str]:
    return [w for name, (_make, check) in sorted(_SECTIONS.items()) if check and name in manifest
            for w in check(manifest[name])]


def key_fingerprint(secret: str) -> str:
    """Names a secret without revealing it: the same secret gives the same fingerprint on every machine."""
    return hashlib.sha256(b"guopei key fingerprint\x00" + secret.encode()).hexdigest()[:16]


# -- what a backup records and a restore checks ----------------------------------------------------------
def table_counts(alias: str) -> dict[str, int]:
    """Every table's row count, in one query."""
    conn = connections[alias]
    with conn.cursor() as cursor:
        tables = sorted(conn.introspection.table_names(cursor))
        if not tables:
            return {}
        q = conn.ops.quote_name
        cursor.execute(" UNION ALL ".join(f"SELECT %s, COUNT(*) FROM {q(t)}" for t in tables), tables)
        return {name: int(count) for name, count in cursor.fetchall()}


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value if isinstance(value, (int, float, str, bool, list, dict, type(None))) else str(value)


def audit_digest(alias: str) -> dict:
    """SHA-256 over every audit event's stored values in id order: any edit, deletion or insertion changes it."""
    fields = [f.attname for f in AuditEvent._meta.concrete_fields]
    digest, count, last = hashlib.sha256(), 0, None
    rows = AuditEvent.objects.using(alias).order_by("id").values_list(*fields).iterator(chunk_size=5000)
    for row in rows:
        line = json.dumps([_plain(v) for v in row], sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                          default=str)
        digest.update(line.encode() + b"\n")
        count, last = count + 1, row[0]
    return {"events": count, "last_id": last, "sha256": digest.hexdigest()}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def extra_database(conf: dict):
    """A connection to another database under a temporary alias (the restore target, a SQLite copy)."""
    alias = f"backup_{uuid.uuid4().hex[:8]}"
    conf = ConnectionHandler().configure_settings({"default": dict(conf)})["default"]
    # Registered for this thread only, not in settings.DATABASES: the site's own connections are untouched.
    connections[alias] = load_backend(conf["ENGINE"]).DatabaseWrapper(conf, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def _libpq(conf: dict) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump / pg_restore; the password travels in the environment, not argv."""
    args = ["--dbname", conf["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if conf.get(key):
            args += [flag, str(conf[key])]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = conf["PASSWORD"]
    if conf.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = conf["OPTIONS"]["sslmode"]
    return args, env


def _run(cmd: list[str], env: dict):
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(_("%(tool)s is not installed (apt-get install postgresql-client).") % {"tool": cmd[0]}) \
            from exc
    if done.returncode:
        raise BackupError(_("%(tool)s failed: %(error)s") % {"tool": cmd[0], "error": done.stderr.strip()[-2000:]})


# -- backup ------------------------------------------------------------------------------------------------
def _backup_postgresql(target: Path) -> dict:
    """Dump and manifest figures come from one snapshot, so the counts and digest describe exactly the dump."""
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot run inside an open transaction."))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        figures = {"tables": table_counts(connection.alias), "audit": audit_digest(connection.alias)}
        args, env = _libpq(connection.settings_dict)
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(target / PG_DUMP), *args], env)
    return figures


def _backup_sqlite(target: Path) -> dict:
    copy = target / SQLITE_COPY
    connection.ensure_connection()
    dest = sqlite3.connect(copy)
    try:
        connection.connection.backup(dest)  # a consistent copy while others keep writing
    finally:
        dest.close()
    with extra_database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(copy)}) as alias:
        return {"tables": table_counts(alias), "audit": audit_digest(alias)}


def _tar_media(path: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    files = 0
    with tarfile.open(path, "w:gz") as tar:
        if root.is_dir():
            for item in sorted(root.rglob("*")):
                if item.is_file() and not item.is_symlink():
                    tar.add(item, arcname=str(item.relative_to(root)), recursive=False)
                    files += 1
    return files


def backup_make(*, target: Path) -> dict:
    """Write a backup of the default database and MEDIA_ROOT into `target` (new or empty); returns the manifest."""
    target = Path(target).resolve()
    if target.exists() and any(target.iterdir()):
        raise BackupError(_("%(dir)s is not empty: a backup never overwrites another.") % {"dir": target})
    if target.is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise BackupError(_("A backup cannot be written inside MEDIA_ROOT (%(dir)s).") % {"dir": settings.MEDIA_ROOT})
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)  # personal data (ID numbers, phone numbers): readable by the site's user only
    old_umask = os.umask(0o077)
    try:
        return _backup_into(target)
    except BaseException:
        # Leave nothing that looks like a half backup: remove what this run wrote.
        for item in target.iterdir():
            item.unlink()
        if created:
            target.rmdir()
        raise
    finally:
        os.umask(old_umask)


def _backup_into(target: Path) -> dict:
    started = timezone.now()
    if AuditEvent._meta.db_table not in connection.introspection.table_names():
        raise BackupError(_("The database has no tables yet: run `manage.py migrate` first."))
    vendor = connection.vendor
    if vendor == "postgresql":
        figures = _backup_postgresql(target)
    elif vendor == "sqlite":
        figures = _backup_sqlite(target)
    else:
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor})
    # Media after the database: every file a backed-up row names was already stored.
    media_files = _tar_media(target / MEDIA)
    database_file = PG_DUMP if vendor == "postgresql" else SQLITE_COPY
    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "vendor": vendor,
        "files": {name: {"sha256": file_sha256(target / name), "bytes": (target / name).stat().st_size}
                  for name in (database_file, MEDIA)},
        "media_files": media_files,
        **figures,
        **manifest_sections(),
    }
    tmp = target / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    tmp.rename(target / MANIFEST)
    return manifest


# -- restore -----------------------------------------------------------------------------------------------
def manifest_read(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(_("%(dir)s holds no manifest.json: it is not a complete backup.") % {"dir": source})
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(_("Unknown backup format %(format)s.") % {"format": manifest.get("format")})
    for name, meta in manifest["files"].items():
        if not (Path(source) / name).is_file() or file_sha256(Path(source) / name) != meta["sha256"]:
            raise BackupError(_("%(file)s is missing or damaged (its SHA-256 differs from the manifest).")
                              % {"file": name})
    return manifest


def _restore_database(source: Path, manifest: dict, conf: dict):
    vendor = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}.get(
        conf["ENGINE"], conf["ENGINE"])
    if vendor != manifest["vendor"]:
        raise BackupError(_("This backup is of a %(backup)s database; the target is %(target)s.")
                          % {"backup": manifest["vendor"], "target": vendor})
    if vendor == "sqlite":
        dest = Path(conf["NAME"])
        if dest.exists() and dest.stat().st_size:
            raise BackupError(_("The target database %(db)s is not empty.") % {"db": dest})
        shutil.copyfile(source / SQLITE_COPY, dest)
        return
    with extra_database(conf) as alias, connections[alias].cursor() as cursor:
        if connections[alias].introspection.table_names(cursor):
            raise BackupError(_("The target database %(db)s is not empty.") % {"db": conf["NAME"]})
    args, env = _libpq(conf)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *args,
          str(source / PG_DUMP)], env)


def _restore_media(source: Path, media_root: Path):
    media_root = Path(media_root)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(_("The target media directory %(dir)s is not empty.") % {"dir": media_root})
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA, "r:gz") as tar:
        tar.extractall(media_root, filter="data")  # refuses absolute paths, '..' and links out of the tree


def restore_verify(*, manifest: dict, alias: str) -> list[str]:
    """What differs between the database under `alias` and the manifest; empty when the restore is complete."""
    problems = []
    counts = table_counts(alias)
    for table in sorted(set(counts) | set(manifest["tables"])):
        expected, found = manifest["tables"].get(table), counts.get(table)
        if expected != found:
            problems.append(_("table %(table)s: %(found)s rows, the backup has %(expected)s")
                            % {"table": table, "found": found, "expected": expected})
    if audit_digest(alias) != manifest["audit"]:
        problems.append(_("the audit trail's digest differs from the backup's"))
    return problems


def restore_run(*, source: Path, database_url: str, media_root: Path) -> dict:
    """Restore a backup into a new database and media directory and check it; raises BackupError on any gap."""
    source = Path(source)
    manifest = manifest_read(source)
    conf = environ.Env.db_url_config(database_url)
    _restore_database(source, manifest, conf)
    _restore_media(source, media_root)
    with extra_database(conf) as alias:
        problems = restore_verify(manifest=manifest, alias=alias)
    if problems:
        raise BackupError(_("The restored data differs from the backup: %(problems)s")
                          % {"problems": "; ".join(problems)})
    return manifest
