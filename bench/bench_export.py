"""Benchmark: the trainee export as a background job at 1,000,000 rows (issue 13): time and the worker's peak memory.

Loads --rows enrolments (teachers x projects, set-based SQL on PostgreSQL), then runs the export job in a fresh
worker process exactly as a Celery worker runs it (`backoffice.tasks.run_export_job`) and prints the rows written,
the seconds, the rows per second and the process's peak resident memory (target: under 300 MB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_jobs_bench python bench/bench_export.py
    ... --rows 100000 --teachers 20000                                                   # quicker
"""
import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(BASE / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("AXES_ENABLED", "false")


def load(rows: int, teachers: int, schools, user) -> None:
    """teachers x ceil(rows / teachers) projects of completed trainees, written by the database itself."""
    import datetime as dt
    from decimal import Decimal

    from django.db import connection

    from projects.enrolment.models import Enrolment
    from projects.models import Project

    bench = Project.objects.get(code="BENCH-1")
    have = Enrolment.objects.filter(project__code__startswith="BENCH-EXP-").count()
    if have >= rows:
        return
    projects = []
    for k in range(-(-rows // teachers)):
        project, _ = Project.objects.get_or_create(code=f"BENCH-EXP-{k}", defaults=dict(
            plan=bench.plan, name=f"基准导出项目{k}：乡村教师全员培训", project_type="central_western",
            category="backbone", mode="online", hours=50, quota=teachers, start_date=dt.date(2026, 3, 1),
            end_date=dt.date(2026, 6, 30), budget=Decimal("1"), owner=bench.owner, office=bench.office,
            created_by=user))
        projects.append(project.pk)
    school_ids = [s.pk for s in schools]
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO backoffice_teacher (id_number, name, stage, subject, post, title, teaching_since, is_rural,
                is_priority_county, phone, created_at, updated_at, region_id, school_id)
            SELECT 'X' || lpad(i::text, 17, '0'), '导出教师' || i, 'primary', 'chinese', 'teacher', 'none', 2005,
                   i %% 3 = 0, false, '', now(), now(), o.region_id, o.id
            FROM generate_series(0, %s - 1) AS i
            JOIN backoffice_organisation o ON o.id = (%s::bigint[])[1 + i %% %s]
            ON CONFLICT (id_number) DO NOTHING""", [teachers, school_ids, len(school_ids)])
        cur.execute("""
            INSERT INTO enrolment_enrolment (project_id, teacher_id, status, nominated_by, submitted_at,
                reject_rule, reject_reason, withdraw_reason, outcome_reason)
            SELECT p, t.id, 'completed', 'school', now() - (t.id || ' seconds')::interval, '', '', '', ''
            FROM unnest(%s::bigint[]) AS p CROSS JOIN backoffice_teacher t
            WHERE t.id_number LIKE 'X%%'
            LIMIT %s
            ON CONFLICT DO NOTHING""", [projects, rows])
        cur.execute("ANALYZE enrolment_enrolment; ANALYZE backoffice_teacher")


def run_job(job_id: int) -> None:
    """The worker side: one export job, as a Celery worker runs it; prints this process's peak memory."""
    import django

    django.setup()
    from backoffice.tasks import run_export_job

    result = run_export_job(job_id)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"worker: {result}; peak RSS {peak:.0f} MB", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=400)
    parser.add_argument("--run-job", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_job:
        return run_job(args.run_job)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench_import import setup_world
    from backoffice.models import ExportJob

    if connection.vendor != "postgresql":
        sys.exit("bench_export needs PostgreSQL (DATABASE_URL=postgres://...)")
    call_command("migrate", interactive=False, verbosity=0)
    schools, _project, user = setup_world(args.schools)
    t0 = time.perf_counter()
    load(args.rows, args.teachers, schools, user)
    print(f"data: {args.rows} enrolments ready in {time.perf_counter() - t0:.0f} s")
    job = ExportJob.objects.create(kind="enrolment.trainees", params={"project": ""}, title="学员",
                                   filename="trainees-bench.xlsx", created_by=user)
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--run-job", str(job.pk)], check=True, cwd=BASE)
    elapsed = time.perf_counter() - start
    job.refresh_from_db()
    size = job.file.size / 1e6 if job.file else 0
    print(f"export job: {job.status}, {job.rows} rows in {elapsed:.1f} s ({job.rows / elapsed:.0f} rows/s), "
          f"file {size:.0f} MB; {job.message}")
    print(f"worker peak RSS (children): {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB "
          "(target < 300 MB)")


if __name__ == "__main__":
    main()
