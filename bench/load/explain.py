"""EXPLAIN ANALYZE of each page's slowest statement, for docs/PERFORMANCE.md (issue 13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale python bench/load/explain.py [page name …]
    DATABASE_URL=… python bench/load/explain.py --every projects tenders contracts "budget overview" "finance dashboard"

Opens every page of bench/load/run.py in-process as its user, takes the page's main statement (the one that reads
a page of 50 rows, or else the one that ran longest) and prints its plan (ANALYZE, without costs) with the page's
statement count; docs/PERFORMANCE.md keeps this output. With --every it prints the plan of every statement of
the page that reads a list's tables (not the session, the user or a row fetched by its key), with its execution
time: the pages whose work is several aggregates (the budget overview, the finance dashboard) show each of them.
"""
import os
import re
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

    every = "--every" in sys.argv
    wanted = [a for a in sys.argv[1:] if a != "--every"]
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
        statements = [main_sql]
        if every:
            seen = {main_sql}
            for q in selects:
                if q["sql"] in seen or BY_KEY.search(q["sql"]) or not LIST_TABLES.search(q["sql"]):
                    continue
                seen.add(q["sql"])
                statements.append(q["sql"])
        for n, sql in enumerate(statements):
            label = "main statement" if n == 0 else f"statement {n + 1}"
            print(f"{label}: {sql[:300]}{'…' if len(sql) > 300 else ''}\n")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
                rows = [row[0] for row in cursor.fetchall()]
            if n and every:  # the others: the plan's top lines and its times, to keep the page readable
                rows = rows[:12] + (["    …"] if len(rows) > 14 else []) + rows[-2:]
            print("\n".join("    " + row for row in rows) + "\n")


# Statements that read a list's tables, and those that only fetch a row by its key (not worth a plan).
LIST_TABLES = re.compile(r'FROM "(projects_project|projects_annualplan|tendering_\w+|finance_\w+|'
                         r'backoffice_auditevent|enrolment_enrolment)"')
BY_KEY = re.compile(r'WHERE "\w+"\."id" = \d+ LIMIT 21$')


if __name__ == "__main__":
    main()
