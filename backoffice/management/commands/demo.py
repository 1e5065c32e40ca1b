import ipaddress
import socket

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def _own_names(addr: str) -> set[str]:
    """The names and addresses other machines use to reach this one (and the one we bind to)."""
    host = socket.gethostname()
    names = {addr, host, socket.getfqdn()}
    try:
        names.update(info[4][0] for info in socket.getaddrinfo(host, None))
    except OSError:
        pass
    # The address of the interface that routes outwards (a UDP connect sends nothing).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            names.add(probe.getsockname()[0])
        except OSError:
            pass
    return {f"[{n}]" if ":" in n else n for n in names if n}


class Command(BaseCommand):
    help = "Run the product on the embedded default: migrate, seed the demo province, print log-ins, serve."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the data and stop.")

    def handle(self, *args, addrport, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_regions")
        call_command("seed_demo", base_url=f"http://{addrport}")
        self.stdout.write(f"\n打开 http://{addrport}/ 登录（Open http://{addrport}/ and log in）\n")
        if not no_serve:
            self._allow_lan_hosts(addrport)
            call_command("runserver", addrport, use_reloader=False)

    @staticmethod
    def _allow_lan_hosts(addrport: str):
        # With DEBUG off Django checks the Host header; serving on 0.0.0.0 means others reach us by our own name.
        addr = addrport.rsplit(":", 1)[0].strip("[]") if ":" in addrport else ""
        try:
            loopback = bool(addr) and ipaddress.ip_address(addr).is_loopback
        except ValueError:
            loopback = addr == "localhost"
        if addr and not loopback:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, *sorted(_own_names(addr) - set(settings.ALLOWED_HOSTS))]
