from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the product on the embedded default: migrate, seed the demo province, print log-ins, serve."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the data and stop.")

    def handle(self, *args, addrport, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_regions")
        call_command("seed_demo")
        self.stdout.write(f"\n打开 http://{addrport}/ 登录（Open http://{addrport}/ and log in）\n")
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
