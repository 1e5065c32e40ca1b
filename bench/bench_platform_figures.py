"""Benchmark: the evaluation's platform figures (R63) from a project's learning records, at two sizes, with their
query counts (they must not grow with the rows). PostgreSQL only (it builds the data with the learning-record
bench's COPY paths).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_walk12 python bench/bench_platform_figures.py \
        --trainees 20000 --small 1000
"""
import argparse
import os
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(BASE / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("AXES_ENABLED", "false")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=200_000)
    parser.add_argument("--per-trainee", type=int, default=5)
    parser.add_argument("--small", type=int, default=2_000)
    args = parser.parse_args()

    import django

    django.setup()
    from bench_learning_records import build, counted, ingest, write_files
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    from projects.enrolment.selectors import platform_figures

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://…")
    translation.activate("zh-hans")
    call_command("migrate", verbosity=0)
    stamp = int(time.time()) % 90
    rows = []
    for label, n in (("small", args.small), ("big", args.trainees)):
        project, inst_user, _city = build(f"BENCH-PF-{stamp:02d}{3 if label == 'small' else 4}", n)
        csv_path, _xlsx = write_files(project, args.per_trainee, 1)
        secs, _q, result = ingest(project, inst_user, csv_path)
        assert result.ok, result.errors[:3]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE enrolment_learningrecord")
        platform_figures(project)  # warm the cache of plans and pages once
        secs, queries, figures = counted(lambda p=project: platform_figures(p))
        rows.append((label, n, figures.records, figures.weeks, secs, queries, figures))
    print(f"\nPostgreSQL {connection.pg_version}, {os.cpu_count()} cores, load average {os.getloadavg()}")
    print(f"{'':8}{'trainees':>10}{'records':>10}{'weeks':>7}{'seconds':>9}{'queries':>9}  figures")
    for label, n, records, weeks, secs, queries, f in rows:
        print(f"{label:8}{n:>10,}{records:>10,}{weeks:>7}{secs:>9.2f}{queries:>9}  "
              f"time {f.learning_time:.3f} assignments {f.assignment_completion or 0:.3f} weekly {f.weekly_activity:.3f}")


if __name__ == "__main__":
    main()
