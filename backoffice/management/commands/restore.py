from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backoffice.backup import BackupError, manifest_warnings, restore_run


class Command(BaseCommand):
    help = ("Restore a backup made by `backup` into a new, empty database and media directory, then check every "
            "table's row count and the audit-trail digest against its manifest. The running site is not touched.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, type=Path, help="The backup directory")
        parser.add_argument("--database-url", required=True,
                            help="The new, empty target database, e.g. postgres://user@host:5432/guopei_restored")
        parser.add_argument("--media-root", required=True, type=Path, help="A new or empty directory for the files")

    def handle(self, *args, source, database_url, media_root, **options):
        try:
            manifest = restore_run(source=source, database_url=database_url, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in manifest_warnings(manifest):
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            f"restored {source} (made {manifest['finished_at']}): {len(manifest['tables'])} tables and "
            f"{manifest['audit']['events']} audit events match the manifest; media in {media_root}")
