"""Load harness (issue 13): serves the product under gunicorn with production settings on 127.0.0.1, logs in as
province, county, institution, finance and auditor users, and measures every list page and dashboard at 1, 10
and 50 concurrent clients with a bounded number of requests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale python bench/load/run.py --label 100k
    python bench/load/run.py --levels 1 --requests 10 --pages trainees   # a quick look at a few pages

Per page and level it prints p50, p95, throughput, errors (any status but 200), SQL statements and SQL time per
request (reported by the bench settings' middleware in X-SQL-Queries / X-SQL-Time-Ms), and the page's throughput
as a share of the home page's in the same run. The figures are also written to var/bench-load-<label>.json.

The clients are threads driving httpx (a small script rather than locust): the run is bounded by a number of
requests, not a duration, it needs no web UI or gevent, and it reads the SQL headers of every response.
Build the data first with bench/load/build.py.
"""
import argparse
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

BASE = Path(__file__).resolve().parent.parent.parent
PASSWORD = "Guopei-2026"

# (name, user, path): every list page and dashboard, as the user who works on it.
PAGES = [
    ("home", "province", "/"),
    ("trainees", "province", "/enrolment/trainees/"),
    ("trainees completed", "province", "/enrolment/trainees/?status=completed"),
    ("trainees name search", "province", "/enrolment/trainees/?q=%E7%8E%8B%E4%BC%9F"),
    ("trainees of a county", "county", "/enrolment/trainees/"),
    ("trainees of an institution", "institution", "/enrolment/trainees/"),
    ("credit hours", "province", "/enrolment/credits/"),
    ("certificates", "province", "/enrolment/certificates/"),
    ("exemptions", "province", "/enrolment/exemptions/"),
    ("enrolment projects", "province", "/enrolment/"),
    ("teachers primary", "province", "/registry/teachers/?stage=primary"),
    ("teachers name search", "province", "/registry/teachers/?q=%E7%8E%8B%E4%BC%9F"),
    ("teachers of a county", "county", "/registry/teachers/"),
    ("organisations", "province", "/registry/organisations/"),
    ("audit", "auditor", "/audit/"),
    ("audit one month", "auditor", "/audit/?since=2020-03-01&until=2020-03-31"),
    ("audit search", "auditor", "/audit/?q=%E6%95%99%E5%B8%8812345"),
    ("projects", "province", "/projects/"),
    ("plans", "province", "/projects/plans/"),
    ("waiting for me", "province", "/projects/queue/"),
    ("tenders", "province", "/tendering/"),
    ("evaluations", "province", "/evaluation/"),
    ("county dashboard", "county", "/"),
    ("institution dashboard", "institution", "/"),
    ("finance dashboard", "finance", "/"),
    ("budget overview", "finance", "/finance/"),
    ("contracts", "finance", "/finance/contracts/"),
    ("statements", "finance", "/finance/statements/"),
    ("invoices", "finance", "/finance/invoices/"),
    ("reconciliation", "finance", "/finance/reconciliation/"),
    # The API's lists (issue 15), read with the same session as the pages.
    ("api credits", "province", "/api/v1/credits/"),
    ("api credits of a year", "province", "/api/v1/credits/?year=2024"),
    ("api certificates", "province", "/api/v1/certificates/"),
    ("api plans", "province", "/api/v1/plans/"),
    ("api projects", "province", "/api/v1/projects/"),
    ("api tenders", "province", "/api/v1/tenders/"),
    ("api award notices", "province", "/api/v1/award-notices/"),
    ("api statements", "finance", "/api/v1/statements/"),
    ("api payments", "finance", "/api/v1/payments/"),
]


def start_server(port: int, workers: int, env: dict) -> subprocess.Popen:
    py = sys.executable
    subprocess.run([py, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE, env=env, check=True)
    server = subprocess.Popen([str(Path(py).parent / "gunicorn"), "-c", "gunicorn.conf.py", "backoffice.wsgi"],
                              cwd=BASE, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}",
                                             "GUNICORN_WORKERS": str(workers), "GUNICORN_ACCESS_LOG": ""},
                              start_new_session=True)
    for _ in range(120):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login/", timeout=2)
            return server
        except httpx.HTTPError:
            time.sleep(0.5)
    stop_server(server)
    sys.exit("gunicorn did not start")


def stop_server(server: subprocess.Popen):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)


def login(base: str, username: str) -> dict:
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        done = client.post("/login/", data={"username": username, "password": PASSWORD,
                                            "csrfmiddlewaretoken": token})
        if done.status_code != 302:
            sys.exit(f"log-in as {username} failed ({done.status_code})")
        return dict(client.cookies)


def measure(base: str, cookies: dict, path: str, clients: int, requests: int) -> dict:
    times, sql_n, sql_ms, errors = [], [], [], []
    lock = threading.Lock()
    remaining = [requests]

    def client_loop():
        with httpx.Client(base_url=base, cookies=cookies, timeout=120) as client:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                start = time.perf_counter()
                try:
                    r = client.get(path)
                    status = r.status_code
                except httpx.HTTPError as exc:
                    r, status = None, type(exc).__name__
                elapsed = time.perf_counter() - start
                with lock:
                    times.append(elapsed)
                    if status != 200:
                        errors.append(status)
                    elif r is not None and "X-SQL-Queries" in r.headers:
                        sql_n.append(int(r.headers["X-SQL-Queries"]))
                        sql_ms.append(float(r.headers["X-SQL-Time-Ms"]))

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client_loop)
    wall = time.perf_counter() - start
    times.sort()
    return {
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[min(len(times) - 1, int(0.95 * len(times)))],
        "rps": len(times) / wall,
        "errors": len(errors), "error_codes": sorted({str(e) for e in errors}),
        "sql_queries": statistics.median(sql_n) if sql_n else None,
        "sql_ms": statistics.median(sql_ms) if sql_ms else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="run", help="name of this run (data size) in the output")
    parser.add_argument("--levels", default="1,10,50", help="concurrent clients, comma-separated")
    parser.add_argument("--requests", type=int, default=20, help="requests per page at 1 client")
    parser.add_argument("--per-client", type=int, default=4, help="requests per client at higher levels")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pages", default="", help="only pages whose name contains one of these (comma-separated)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (the database bench/load/build.py filled)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backoffice.settings.bench",
           "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(40)),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "CELERY_BROKER_URL": os.environ.get(
               "CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
           "TENDER_SEAL_SECRETS": os.environ.get("TENDER_SEAL_SECRETS", "bench:" + secrets.token_urlsafe(40))}
    wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
    pages = [p for p in PAGES if p[0] == "home" or not wanted or any(w in p[0] for w in wanted)]
    levels = [int(n) for n in args.levels.split(",")]
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args.port, args.workers, env)
    results = {}
    try:
        cookies = {u: login(base, u) for u in sorted({p[1] for p in pages})}
        for name, user, path in pages:  # warm up: templates, connections, caches
            measure(base, cookies[user], path, 1, 2)
        for level in levels:
            count = args.requests if level == 1 else level * args.per_client
            for name, user, path in pages:
                results[(name, level)] = measure(base, cookies[user], path, level, count)
                r = results[(name, level)]
                print(f"  {name:28} c={level:<3} p50 {r['p50_ms']:8.1f} ms  p95 {r['p95_ms']:8.1f} ms  "
                      f"{r['rps']:6.1f} req/s  err {r['errors']}  sql {r['sql_queries']} / {r['sql_ms']} ms",
                      flush=True)
    finally:
        stop_server(server)
    print(f"\n### {args.label}: {len(pages)} pages, gunicorn {args.workers} sync workers, levels {levels}\n")
    head = "| page | user | " + " | ".join(
        f"c={n} p50 ms | c={n} p95 ms | c={n} req/s | c={n} × home" for n in levels) + " | errors | SQL q | SQL ms |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, user, path in pages:
        cells = []
        for n in levels:
            r, home = results[(name, n)], results[("home", n)]
            cells.append(f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['rps']:.1f} | {r['rps'] / home['rps']:.2f}")
        errors = sum(results[(name, n)]["errors"] for n in levels)
        r1 = results[(name, levels[0])]
        print(f"| {name} | {user} | " + " | ".join(cells) + f" | {errors} | {r1['sql_queries']} | {r1['sql_ms']} |")
    out = BASE / "var" / f"bench-load-{args.label}.json"
    out.write_text(json.dumps([{"page": k[0], "clients": k[1], **v} for k, v in results.items()], indent=1,
                              ensure_ascii=False))
    print(f"\n(written to {out})")


if __name__ == "__main__":
    main()
