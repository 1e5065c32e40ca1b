from django.core.management.base import BaseCommand

from backoffice.regions_data import regions_load


class Command(BaseCommand):
    help = "Load GB/T 2260 region codes (2023) shipped with the product. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", default=[], help="Two-digit province code, e.g. 36")

    def handle(self, *args, province, **options):
        created = regions_load(province_codes=set(province) or None)
        self.stdout.write(f"regions created: {created}")
