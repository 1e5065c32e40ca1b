from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backoffice.backup import BackupError, backup_make


class Command(BaseCommand):
    help = ("Back up the database (PostgreSQL: pg_dump custom format; SQLite: a consistent copy), MEDIA_ROOT and "
            "a manifest (row counts, audit-trail digest, seal-key fingerprints) into a new directory.")

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, help="A new or empty directory")

    def handle(self, *args, to, **options):
        try:
            manifest = backup_make(target=to)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup written to {to}: {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
            f"{manifest['audit']['events']} audit events (sha256 {manifest['audit']['sha256'][:16]}…), "
            f"{manifest['media_files']} media files")
