from django.core.management.base import BaseCommand

from backoffice.demo import seed_demo


class Command(BaseCommand):
    help = "Build the demo province (Jiangxi): organisations, schools, 20,000 teachers, one user per role. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the printed links point.")

    def handle(self, *args, base_url, **options):
        result = seed_demo()
        counts = result["counts"]
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
        for note in result["notes"]:
            self.stdout.write(str(note))
        self.stdout.write(f"\n登录账号（密码均为 {result['password']}）：")
        for username, role, org in result["accounts"]:
            self.stdout.write(f"  {username:<13} {role}  {org}")
        if result["links"]:
            self.stdout.write("\n无需登录即可打开：")
            for label, path in result["links"]:
                self.stdout.write(f"  {label}：{base_url.rstrip('/')}{path}")
