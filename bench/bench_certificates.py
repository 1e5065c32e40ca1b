"""Benchmark: a certificate batch (R43) through the product against bare reportlab, and fanned out over workers.

Prints, in one run on the same certificates:
  (a) bare reportlab drawing the same pages (text prepared beforehand, no Django) into one PDF: pages/s;
  (b) the product's parts drawn in this process (the embedded default's path: the Celery group runs eagerly):
      pages/s per worker, the ratio to (a) (target >= 80%), queries per part at two batch sizes;
  (c) the whole batch through 1 and then 2 real Celery workers on the Redis broker (target: 2 workers >= 1.7x).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_jobs_bench python bench/bench_certificates.py
    ... --certificates 2000 --small 500 --workers 1,2 --output zip      # quicker

PostgreSQL is needed for (c) (workers in other processes share the database); on SQLite (c) is skipped.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(BASE / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("AXES_ENABLED", "false")
BROKER = os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")


def make_trainees(project, schools, n: int) -> None:
    """n completed trainees of the project (bulk: the bench measures certificates, not enrolment)."""
    import datetime as dt

    from backoffice.demo import make_id_number
    from backoffice.models import Teacher
    from projects.enrolment.models import Enrolment

    have = Enrolment.objects.filter(project=project, status="completed").count()
    if have >= n:
        return
    teachers = []
    for i in range(have, n):
        school = schools[i % len(schools)]
        number = make_id_number(school.region.code, dt.date(1970, 1, 1) + dt.timedelta(days=i // 900), i % 900)
        teachers.append(Teacher(id_number=number, name=f"证书教师{i}", school=school, region=school.region,
                                stage="primary", subject="chinese", teaching_since=2000))
    Teacher.objects.bulk_create(teachers, batch_size=2000, ignore_conflicts=True)
    ids = dict(Teacher.objects.filter(id_number__in=[t.id_number for t in teachers]).values_list("id_number", "pk"))
    Enrolment.objects.bulk_create([Enrolment(project=project, teacher_id=ids[t.id_number]) for t in teachers],
                                  batch_size=2000, ignore_conflicts=True)
    Enrolment.objects.filter(project=project).update(status="completed")


def certificate_project(user, schools, code: str, n: int):
    import datetime as dt
    from decimal import Decimal

    from backoffice.models import Organisation
    from projects.models import AnnualPlan, Project

    bench = Project.objects.get(code="BENCH-1")
    project = Project.objects.filter(code=code).first()
    if project is None:
        project = Project.objects.create(
            plan=AnnualPlan.objects.get(pk=bench.plan_id), code=code, name=f"基准证书项目（{n}人）：乡村骨干教师提升培训",
            project_type="central_western", category="backbone", mode="offline", hours=80, quota=n,
            start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 10), budget=Decimal("1"),
            owner=bench.owner, office=bench.office, created_by=user)
    Project.objects.filter(pk=project.pk).update(status="completed", institution=bench.institution)
    project.refresh_from_db()
    make_trainees(project, schools, n)
    return project


def bare_reportlab(pages, texts, path: Path) -> float:
    """The same pages drawn with reportlab alone: the floor a product page can approach."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as pdfcanvas

    from projects.enrolment.documents import PAGE, register_font

    font = register_font()
    width, height = PAGE
    red = colors.HexColor("#9a1b1b")
    start = time.perf_counter()
    c = pdfcanvas.Canvas(str(path), pagesize=PAGE)
    for lines in pages:
        c.setStrokeColor(red)
        c.setLineWidth(3)
        c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        c.setLineWidth(0.8)
        c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
        c.setFillColor(red)
        c.setFont(font, 30)
        c.drawCentredString(width / 2, height - 45 * mm, texts.title)
        c.setFont(font, 13)
        c.drawCentredString(width / 2, height - 55 * mm, texts.programme)
        c.setFillColor(colors.black)
        c.setFont(font, 15)
        y = height - 80 * mm
        for text in lines["body"]:
            c.drawString(35 * mm, y, text)
            y -= 9 * mm
        c.setFont(font, 12)
        c.drawString(35 * mm, y - 4 * mm, lines["institution"])
        c.drawString(35 * mm, 40 * mm, lines["number"])
        c.drawString(35 * mm, 32 * mm, lines["code"])
        c.drawRightString(width - 35 * mm, 40 * mm, lines["issued"])
        c.setFont(font, 9)
        c.setFillColor(colors.grey)
        c.drawRightString(width - 35 * mm, 32 * mm, texts.verify)
        c.showPage()
    c.save()
    return time.perf_counter() - start


def in_process(project, user, output: str):
    """The whole job on the embedded default's path; returns (job, queries, seconds drawing the parts)."""
    from django.db import connection

    from backoffice.celery import app
    from projects.enrolment import services
    from projects.enrolment.models import CertificateChunk, CertificateJob

    app.conf.task_always_eager = True
    counter = {"n": 0}

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        job = services.certificate_job_start(actor=user, project=project, output=output)
    job = CertificateJob.objects.get(pk=job.pk)
    assert job.status == "succeeded", job.message
    chunks = list(CertificateChunk.objects.filter(job=job))
    drawing = sum((c.finished_at - c.started_at).total_seconds() for c in chunks)
    return job, counter["n"], drawing, len(chunks)


def part_queries(project, user) -> list[int]:
    """Queries of single parts of different sizes (the same job machinery, no assembly)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.enrolment.models import Certificate, CertificateChunk, CertificateJob
    from projects.enrolment.tasks import draw_certificate_chunk

    ids = list(Certificate.objects.filter(enrolment__project=project, status="valid").order_by("number")
               .values_list("pk", flat=True))
    job = CertificateJob.objects.create(project=project, created_by=user, total=len(ids), chunks_total=99)
    CertificateJob.objects.filter(pk=job.pk).update(status="running")
    counts = []
    for index, size in enumerate((50, 500)):
        chunk = CertificateChunk.objects.create(job=job, index=index, certificates=ids[:size])
        with CaptureQueriesContext(connection) as queries:
            draw_certificate_chunk(chunk.pk)
        counts.append((size, len(queries)))
    return counts


def with_workers(project, user, workers: int, output: str) -> tuple[float, float]:
    """The batch through `workers` real Celery worker processes (one task at a time each) on Redis."""
    from backoffice.celery import app
    from projects.enrolment import services
    from projects.enrolment.models import CertificateJob

    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    app.control.purge()
    env = dict(os.environ, CELERY_BROKER_URL=BROKER)
    procs = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "backoffice", "worker", "-P", "solo",
                               "-n", f"bench{i}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                               "-l", "warning"], cwd=BASE, env=env)
             for i in range(workers)]
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            replies = app.control.ping(timeout=1) or []
            if len(replies) >= workers:
                break
        start = time.perf_counter()
        job = services.certificate_job_start(actor=user, project=project, output=output)
        while True:
            state = CertificateJob.objects.filter(pk=job.pk).values_list("status", flat=True).get()
            if state in ("succeeded", "failed"):
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        job = CertificateJob.objects.get(pk=job.pk)
        assert job.status == "succeeded", job.message
        assembly = (job.finished_at - max(c.finished_at for c in job.chunks.all())).total_seconds()
        return elapsed, assembly
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="a second batch size, for the query counts")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--output", default="zip", choices=["zip", "pdf"])
    parser.add_argument("--schools", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    from bench_import import setup_world
    from projects.enrolment.documents import CertificateTexts, certificate_facts, page_lines, register_font
    from projects.enrolment.models import Certificate

    call_command("migrate", interactive=False, verbosity=0)
    schools, _bench_project, user = setup_world(args.schools)
    out = BASE / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    big = certificate_project(user, schools, f"BENCH-CERT-{args.certificates}", args.certificates)
    small = certificate_project(user, schools, f"BENCH-CERT-{args.small}", args.small)
    print(f"database: {connection.vendor}; certificates: {args.certificates} (and {args.small}); output: {args.output}")

    with translation.override("zh-hans"):
        small_job, small_queries, _, small_parts = in_process(small, user, args.output)
        certs = certificate_facts(Certificate.objects.filter(enrolment__project=big, status="valid").order_by("number"))
        texts, font = CertificateTexts.current(), register_font()
        pages = [page_lines(c, texts, font) for c in certs]
        # Alternate the two, best of --rounds each: the machine is shared, so one slow moment must not decide.
        bare, drawing, job = float("inf"), float("inf"), None
        for _ in range(args.rounds):
            bare = min(bare, bare_reportlab(pages, texts, out / "bare-certificates.pdf"))
            run, queries, seconds, parts = in_process(big, user, args.output)
            if seconds < drawing:
                drawing, job = seconds, run
        per_part = part_queries(big, user)
    n = len(certs)
    print()
    print(f"(a) bare reportlab, same pages:              {n / bare:8.0f} pages/s ({bare:.2f} s)")
    print(f"(b) product, parts drawn in one worker:      {n / drawing:8.0f} pages/s ({drawing:.2f} s over {parts} parts)"
          f" = {bare / drawing:.0%} of bare reportlab (target >= 80%)")
    total = (job.finished_at - job.started_at).total_seconds()
    print(f"    whole job in process (issue+draw+{args.output}): {total:.2f} s")
    print(f"    queries: {queries} for {n} certificates ({parts} parts), {small_queries} for {args.small} "
          f"({small_parts} parts); one part: " + ", ".join(f"{q} queries for {s} pages" for s, q in per_part))
    if connection.vendor != "postgresql":
        print("(c) skipped: real workers need PostgreSQL")
        return
    timings = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        timings[workers] = with_workers(big, user, workers, args.output)
        elapsed, assembly = timings[workers]
        print(f"(c) {workers} Celery worker(s) on Redis:          {elapsed:6.2f} s for {n} certificates "
              f"({n / elapsed:.0f} pages/s; assembling the {args.output} {assembly:.2f} s)")
    if 1 in timings and 2 in timings:
        print(f"    2 workers vs 1: {timings[1][0] / timings[2][0]:.2f}x faster (target >= 1.7x on 2 cores)")


if __name__ == "__main__":
    main()
