"""EXPLAIN ANALYZE of each page's slowest statement, for docs/PERFORMANCE.md (issue 13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale python bench/load/explain.py [page name …]

Opens every page of bench/load/run.py in-process as its user, takes the page's main statement (the one that reads
a page of 50 rows, or else the one that ran longest) and prints its plan (ANALYZE, without costs) with the page's
statement count; docs/PERFORMANCE.md keeps this output.
"""
import os
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("AXES_ENABLED", "false")


def main():
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from backoffice.models import User
    from bench.load.run import PAGES

    wanted = sys.argv[1:]
    for name, username, path in PAGES:
        if wanted and not any(w in name for w in wanted):
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        selects = [q for q in queries.captured_queries
                   if q["sql"].startswith("SELECT") and "django_session" not in q["sql"]]
        print(f"\n## {name} — {username} {path}: HTTP {status}, {len(queries)} statements")
        if not selects:
            continue
        listing = [q for q in selects if q["sql"].endswith("LIMIT 50") or " LIMIT 50 OFFSET" in q["sql"]]
        main_sql = (listing or [max(selects, key=lambda q: float(q["time"]))])[0]["sql"]
        print(f"main statement: {main_sql[:300]}{'…' if len(main_sql) > 300 else ''}\n")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + main_sql)
            print("\n".join("    " + row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
