"""Re-wrap tender keys under the current seal key version (the first of TENDER_SEAL_SECRETS).

After it, older versions can be dropped from TENDER_SEAL_SECRETS; tenders whose key does not open are left as
they are and listed, and the command exits non-zero.
"""
from django.core.management.base import BaseCommand, CommandError

from tendering import sealing
from tendering.services import system_actor, tender_keys_rotate


class Command(BaseCommand):
    help = "Re-wrap every tender's sealing key under the current seal key version (TENDER_SEAL_SECRETS)."

    def handle(self, *args, **options):
        done, failed = tender_keys_rotate(actor=system_actor())
        self.stdout.write(f"Current seal key version: {sealing.current_key_version()}; "
                          f"re-wrapped {len(done)} tender(s).")
        for reference in done:
            self.stdout.write(f"  {reference}")
        if failed:
            for reference, reason in failed.items():
                self.stderr.write(f"  NOT re-wrapped {reference}: {reason}")
            raise CommandError(f"{len(failed)} tender key(s) do not open with the configured seal secrets.")
