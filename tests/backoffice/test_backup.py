"""Backup and restore: a restore into a new database has every row, the same audit trail, the files, and sealed
bids that still open."""
import json
import secrets
from urllib.parse import quote

import environ
import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from backoffice.audit import audit_record
from backoffice.backup import audit_digest, extra_database, restore_verify, table_counts
from backoffice.models import AuditEvent, User
from tendering import services
from tendering.backup import seal_key_identity, seal_keys_check
from tendering.models import Bid
from tendering.sealing import unseal
from tests.tendering.conftest import announce, bid_kwargs, world  # noqa: F401  (the tender world fixture)

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump / pg_restore: PostgreSQL only")


def _admin_conninfo(conf, dbname):
    return psycopg.conninfo.make_conninfo(dbname=dbname, host=conf["HOST"] or None, port=conf["PORT"] or None,
                                          user=conf["USER"] or None, password=conf["PASSWORD"] or None)


@pytest.fixture
def new_database():
    """A new, empty PostgreSQL database for the restore, dropped at the end."""
    conf = connection.settings_dict
    name = f"test_restore_{secrets.token_hex(4)}"
    with psycopg.connect(_admin_conninfo(conf, "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{quote(conf['PASSWORD'], safe='')}" if conf["PASSWORD"] else ""
    yield name, f"postgres://{quote(conf['USER'])}{password}@{conf['HOST']}:{conf['PORT']}/{name}"
    with psycopg.connect(_admin_conninfo(conf, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sealed_world(regions, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    announce(world)
    bids = [services.bid_submit(actor=user, lot=world.lot1, **bid_kwargs(price, document=f"%PDF {user}".encode()))
            for (org, user), price in zip(world.bidders[:3], ("41.50", "47.00", "52.25"))]
    default_storage.save("qualifications/营业执照.pdf", ContentFile(b"%PDF licence"))
    assert AuditEvent.objects.exists()
    return world, bids


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_r3_r23_backup_restores_into_a_new_database_with_every_row_the_audit_trail_and_openable_seals(
        sealed_world, new_database, tmp_path):
    world, bids = sealed_world
    call_command("backup", to=tmp_path / "backup")
    name, url = new_database
    call_command("restore", source=tmp_path / "backup", database_url=url, media_root=tmp_path / "restored")

    with extra_database(environ.Env.db_url_config(url)) as alias:
        assert table_counts(alias) == table_counts("default")
        assert audit_digest(alias) == audit_digest("default")
        assert audit_digest(alias)["events"] == AuditEvent.objects.count() > 0
        for original in bids:
            bid = Bid.objects.using(alias).select_related("lot__tender", "institution").get(pk=original.pk)
            owner = User.objects.using(alias).get(pk=original.submitted_by_id)
            assert unseal(bid, user=owner)["price"] == unseal(original, user=owner)["price"]
        # The restored audit table is append-only too: the trigger came with the dump.
        with pytest.raises(DatabaseError), transaction.atomic(using=alias):
            AuditEvent.objects.using(alias).update(reason="tampered")
        connections[alias].close()
    assert (tmp_path / "restored" / "qualifications" / "营业执照.pdf").read_bytes() == b"%PDF licence"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_dump_and_a_database_that_is_not_empty(regions, personas, new_database,
                                                                         tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", to=tmp_path / "backup")
    name, url = new_database
    dump = tmp_path / "backup" / "database.dump"
    good = dump.read_bytes()
    dump.write_bytes(good[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="database.dump"):
        call_command("restore", source=tmp_path / "backup", database_url=url, media_root=tmp_path / "r1")
    dump.write_bytes(good)
    call_command("restore", source=tmp_path / "backup", database_url=url, media_root=tmp_path / "r2")
    with pytest.raises(CommandError, match=name):
        call_command("restore", source=tmp_path / "backup", database_url=url, media_root=tmp_path / "r3")


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_a_directory_that_is_not_empty(regions, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError):
        call_command("backup", to=tmp_path / "old")
    assert [p.name for p in (tmp_path / "old").iterdir()] == ["manifest.json"]


@pytest.mark.django_db(transaction=True)
def test_backup_is_readable_by_its_owner_only_and_never_inside_media(regions, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    with pytest.raises(CommandError, match="MEDIA_ROOT"):
        call_command("backup", to=tmp_path / "media" / "backup")
    call_command("backup", to=tmp_path / "backup")
    assert (tmp_path / "backup").stat().st_mode & 0o077 == 0
    assert all(f.stat().st_mode & 0o077 == 0 for f in (tmp_path / "backup").iterdir())


@pytest.mark.django_db(transaction=True)
def test_r3_verification_names_a_changed_audit_trail_and_a_missing_row(regions, personas, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", to=tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert restore_verify(manifest=manifest, alias="default") == []
    assert len(manifest["seal_keys"]) >= 1 and all(len(k["fingerprint"]) == 16 for k in manifest["seal_keys"])
    assert settings.SECRET_KEY not in json.dumps(manifest)
    audit_record(obj=personas.county, actor=personas.province, action="update")
    problems = restore_verify(manifest=manifest, alias="default")
    assert any("backoffice_auditevent" in p for p in problems)
    assert len(problems) == 2  # the row count and the digest


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path")
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_into_a_new_file(regions, personas, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    default_storage.save("a/b.txt", ContentFile(b"x"))
    call_command("backup", to=tmp_path / "backup")
    target = tmp_path / "restored.sqlite3"
    call_command("restore", source=tmp_path / "backup", database_url=f"sqlite:///{target}",
                 media_root=tmp_path / "restored")
    with extra_database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)}) as alias:
        assert table_counts(alias) == table_counts("default")
        assert audit_digest(alias) == audit_digest("default")
    assert (tmp_path / "restored" / "a" / "b.txt").read_bytes() == b"x"
    with pytest.raises(CommandError):
        call_command("restore", source=tmp_path / "backup", database_url=f"sqlite:///{target}",
                     media_root=tmp_path / "again")


def test_r23_restore_warns_when_a_seal_key_the_backup_needs_is_not_configured(settings):
    recorded = seal_key_identity()
    assert seal_keys_check(recorded) == []
    settings.SECRET_KEY = "another-machine-another-secret-key-0123456789"
    [warning] = seal_keys_check(recorded)
    assert "legacy" in warning and recorded[-1]["fingerprint"] in warning
