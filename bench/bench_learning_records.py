"""Benchmark: learning records, computed outcomes, bulk confirmation and audit of a whole-staff-sized project
(issue 12 part A: R47, R48). PostgreSQL only (the ingest's fast path is COPY).

Builds a project with --trainees in-training trainees (default 200,000) of one city's counties and a CSV of
--per-trainee records each (default 5: 1,000,000 rows), plus two .xlsx within the sheet limit (SPREADSHEET_MAX_ROWS,
default 200,000): later weeks (a first delivery, like the CSV) and a re-send of the CSV's first rows with new
figures (each supersedes a record, an UPDATE the floor has no part of; reported beside, without the target).
Prints side by side:

  ingest (CSV, xlsx)  vs  the floor measured in the same run: parsing the same file with the bare library (csv,
                          python-calamine) + a bare COPY of the same rows into the same table with its indexes and
                          its (deferred) foreign keys checked, rolled back; the ratio against the target 1.5x;
  outcomes computed for every trainee; bulk confirmation by the institution; audit by the city (one audit row
  per enrolment is checked); and each step's query count at --small trainees and at --trainees.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_records_bench python bench/bench_learning_records.py
    ... --trainees 20000 --small 1000            # quicker
    ... --ingest-only --small 0 --reuse [--sql-log]   # only the ingest against its floor, data kept between runs
"""
import argparse
import csv
import datetime as dt
import io
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("AXES_ENABLED", "false")
OUT = BASE / "var" / "bench-records"


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def counted(func):
    from django.db import connection

    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = func()
    return time.perf_counter() - start, counter.count, result


def _row_values(model, given: dict, columns: list[str]) -> tuple:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    out = []
    for name in columns:
        if name in given:
            out.append(given[name])
            continue
        f = fields[name]
        out.append(None if f.null else (f.get_default() if f.has_default() else ""))
    return tuple(out)


def build(code: str, trainees: int, city_code: str = "360100"):
    """A project in training with `trainees` teachers of the city's counties, an approved default-like scheme,
    an institution user and a city user. Idempotent per project code."""
    from django.db import connection
    from django.utils import timezone

    from backoffice.demo import make_id_number
    from backoffice.models import (
        Organisation,
        OrganisationKind,
        Region,
        Role,
        Teacher,
        User,
    )
    from backoffice.regions_data import regions_load
    from projects.enrolment.imports import TEACHER_COLUMNS, fast_insert
    from projects.enrolment.models import CompletionScheme, Enrolment, SchemeIndicator
    from projects.models import AnnualPlan, Project

    if not Region.objects.filter(code="360000").exists():
        regions_load(province_codes={"36"})
    province = Region.objects.get(code="360000")
    counties = list(Region.objects.filter(code__startswith=city_code[:4], level="county").order_by("code"))
    office, _ = Organisation.objects.get_or_create(kind=OrganisationKind.PROJECT_OFFICE, region=province,
                                                   name="基准项目办")
    institution, _ = Organisation.objects.get_or_create(kind=OrganisationKind.INSTITUTION, region=province,
                                                        name="基准承训机构")
    city_bureau, _ = Organisation.objects.get_or_create(kind=OrganisationKind.CITY_BUREAU,
                                                        region=Region.objects.get(code=city_code), name="基准市教育局")
    inst_user, _ = User.objects.get_or_create(username="bench-institution", defaults={
        "role": Role.INSTITUTION_STAFF, "organisation": institution, "full_name": "基准机构"})
    city_user, _ = User.objects.get_or_create(username="bench-city", defaults={
        "role": Role.CITY_STAFF, "organisation": city_bureau, "full_name": "基准市"})
    plan, _ = AnnualPlan.objects.get_or_create(province=province, year=2026, defaults={
        "title": "基准", "central_subsidy": Decimal(1), "created_by": inst_user})
    project = Project.objects.filter(code=code).first()
    today = timezone.localdate()
    if project is not None:
        return project, inst_user, city_user
    project = Project.objects.create(
        plan=plan, code=code, name=f"基准全员培训{code}", project_type="central_western", category="backbone",
        mode="online", hours=50, quota=trainees, start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=30), budget=Decimal(1), owner=office, office=office, created_by=inst_user)
    Project.objects.filter(pk=project.pk).update(status="in_progress", institution=institution)
    project.refresh_from_db()
    schools = []
    for county in counties:
        school, _ = Organisation.objects.get_or_create(kind=OrganisationKind.SCHOOL, region=county,
                                                       name=f"{county.name}基准学校", defaults={"stage": "primary"})
        schools.append(school)
    tag = int(code.split("-")[-1])
    now = timezone.now()
    rows = []
    for k in range(trainees):
        school = schools[k % len(schools)]
        # Birth dates per project tag keep the ID numbers unique across projects of the same run.
        birth = dt.date(1960 + tag, 1, 1) + dt.timedelta(days=k // (1000 * len(schools)))
        number = make_id_number(school.region.code, birth, (k // len(schools)) % 1000)
        rows.append((number, f"学员{k}", school.pk, school.region_id, "primary", "chinese", "teacher", "none",
                     2010, False, False, "", now, now))
    fast_insert(Teacher, TEACHER_COLUMNS + ["updated_at"], rows, datetime_columns={"created_at", "updated_at"})
    ids = dict(Teacher.objects.filter(name__startswith="学员", school__in=schools,
                                      created_at=now).values_list("id_number", "pk"))
    columns = [f.attname for f in Enrolment._meta.concrete_fields if f.attname != "id"]
    fast_insert(Enrolment, columns, [
        _row_values(Enrolment, {"project_id": project.pk, "teacher_id": ids[r[0]], "status": "in_training",
                                "submitted_at": now, "enrolled_at": now}, columns) for r in rows],
        datetime_columns={"submitted_at", "enrolled_at"})
    scheme = CompletionScheme.objects.create(project=project, version=1, pass_line=Decimal(60),
                                             created_by=inst_user)
    CompletionScheme.objects.filter(pk=scheme.pk).update(status="approved", approved_at=now)
    for kind, target, weight, minimum in (("learning_minutes", 3000, 60, 80), ("assignments_passed", 2, 20, None),
                                          ("assessment", 100, 20, None)):
        SchemeIndicator.objects.create(scheme=scheme, kind=kind, target=target, weight=weight, minimum_percent=minimum)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return project, inst_user, city_user


def write_files(project, per_trainee: int, xlsx_rows: int):
    """The CSV (every trainee × per_trainee weekly periods), an xlsx of later weeks (a first delivery, like the
    CSV) and an xlsx re-sending the CSV's first rows with new figures (each supersedes a current record)."""
    from django.utils.translation import gettext as _

    from backoffice.spreadsheets import Book, Col
    from projects.enrolment.models import Enrolment
    from projects.enrolment.outcomes.ingest import FIELDS

    OUT.mkdir(parents=True, exist_ok=True)
    numbers = list(Enrolment.objects.filter(project=project).order_by("pk").values_list("teacher__id_number",
                                                                                       flat=True))
    headers = [_(label) for _k, label, _r, _kd in FIELDS]
    start = project.start_date

    def row(i, number, p):
        a = start + dt.timedelta(days=7 * p)
        # Most trainees complete; every 7th learns too little, every 11th has low scores.
        minutes = 700 if i % 7 else 300
        return [number, "", a.isoformat(), (a + dt.timedelta(days=6)).isoformat(), minutes, 1, 1 if p < 2 else 0, 0,
                "" if p else (90 if i % 11 else 20), 1]

    csv_path = OUT / f"{project.code}.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for i, number in enumerate(numbers):
            for p in range(per_trainee):
                w.writerow(row(i, number, p))
    paths = [csv_path]
    for kind in ("new", "resend"):
        book = Book()
        sheet = book.sheet(_("Learning records"), [Col(h) for h in headers])
        n = 0
        for p in (range(per_trainee, per_trainee + 8) if kind == "new" else range(per_trainee)):
            for i, number in enumerate(numbers):
                if n == xlsx_rows:
                    break
                cells = row(i, number, p)
                if kind == "resend":
                    cells[4] += 1  # new figures: supersedes the CSV's record
                sheet.append(cells)
                n += 1
        path = OUT / f"{project.code}-{kind}.xlsx"
        path.write_bytes(book.to_bytes())
        paths.append(path)
    return tuple(paths)


def floor(project, path: Path) -> tuple[float, float, int]:
    """The floor (issue 12): parse the same file with the bare library (csv / python-calamine) and COPY the same
    rows into the same table with its indexes, nothing else, rolled back. Answers (seconds with the foreign keys
    checked as a committed COPY checks them, seconds with them left unchecked as a rollback leaves them, rows):
    the table's foreign keys are deferred, so a COPY that is rolled back never checks them, while every import
    that commits does - the first figure is the floor the ratio uses."""
    from django.db import connection, transaction

    from projects.enrolment.models import Enrolment, LearningRecordBatch

    enrolment_of = dict(Enrolment.objects.filter(project=project).values_list("teacher__id_number", "pk"))
    now = dt.datetime.now(dt.UTC)
    cols = ("project_id", "enrolment_id", "period_start", "period_end", "source", "minutes", "assignments_submitted",
            "assignments_passed", "achievements", "assessment_score", "activities", "is_current", "batch_id",
            "received_at")
    batch = LearningRecordBatch.objects.create(project=project, source="floor")
    found = []
    for checked in (True, False):
        start = time.perf_counter()
        n = 0
        with transaction.atomic():
            with connection.cursor() as cursor:
                if checked:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                with cursor.cursor.copy(f"COPY enrolment_learningrecord ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in _parsed(path):
                        # Dates and scores go to COPY as the library gives them; counts as int (a sheet gives 1.0).
                        copy.write_row((project.pk, enrolment_of[row[0]], row[2], row[3], "floor", int(row[4]),
                                        int(row[5] or 0), int(row[6] or 0), int(row[7] or 0), row[8] or None,
                                        int(row[9] or 0), True, batch.pk, now))
                        n += 1
            found.append(time.perf_counter() - start)
            transaction.set_rollback(True)
    return found[0], found[1], n


def _parsed(path: Path):
    """The file's data rows as the bare library gives them."""
    data = path.read_bytes()
    if path.suffix == ".csv":
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
        next(reader)
        return reader
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    return iter(rows[1:])


def ingest(project, user, path: Path, log=None):
    """The product: the upload's reading and the one ingest service (what the job runs), committed."""
    from django.db import connection

    from projects.enrolment.outcomes.ingest import (
        IngestResult,
        ingest_learning_records,
        read_records_file,
    )

    def run():
        rows = read_records_file(path.read_bytes(), path.name, IngestResult())
        return ingest_learning_records(actor=user, project=project, rows=rows, source="bench-platform",
                                       valid_only=False)

    if log is None:
        return counted(run)
    with connection.execute_wrapper(log):
        return counted(run)


def load_records(project, per_trainee: int) -> int:
    """--outcomes-only: the same records as the CSV written straight into the table with COPY (committed), so the
    outcome steps can be measured without the ingest."""
    from django.db import connection, transaction
    from django.utils import timezone

    from projects.enrolment.models import Enrolment, LearningRecordBatch

    batch = LearningRecordBatch.objects.create(project=project, source="bench-platform")
    cols = ("project_id", "enrolment_id", "period_start", "period_end", "source", "minutes", "assignments_submitted",
            "assignments_passed", "achievements", "assessment_score", "activities", "is_current", "batch_id",
            "received_at")
    now, start, n = timezone.now(), project.start_date, 0
    pks = list(Enrolment.objects.filter(project=project).order_by("pk").values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY enrolment_learningrecord ({', '.join(cols)}) FROM STDIN") as copy:
        for i, pk in enumerate(pks):
            for p in range(per_trainee):
                a = start + dt.timedelta(days=7 * p)
                copy.write_row((project.pk, pk, a, a + dt.timedelta(days=6), "bench-platform", 700 if i % 7 else 300,
                                1, 1 if p < 2 else 0, 0, None if p else (90 if i % 11 else 20), 1, True, batch.pk, now))
                n += 1
    return n


# Issue 12's targets for the outcome steps (seconds, PostgreSQL, 200,000 trainees).
TARGETS = {"compute": 10, "confirm": 20, "audit": 20}


def steps(project, inst_user, city_user) -> dict:
    from backoffice.models import AuditEvent
    from projects.enrolment.outcomes import services

    found = {}
    found["compute"] = counted(lambda: services.outcomes_compute(actor=inst_user, project=project))
    before = AuditEvent.objects.count()
    found["confirm"] = counted(lambda: len(services.outcomes_confirm(actor=inst_user, project=project).done))
    found["confirm_audit_rows"] = AuditEvent.objects.count() - before
    before = AuditEvent.objects.count()
    found["audit"] = counted(lambda: len(services.outcomes_audit(actor=city_user, project=project).done))
    found["audit_audit_rows"] = AuditEvent.objects.count() - before
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=200_000)
    parser.add_argument("--per-trainee", type=int, default=5)
    parser.add_argument("--small", type=int, default=2_000, help="trainees of the second size for query counts")
    parser.add_argument("--xlsx-rows", type=int, default=None, help="default: SPREADSHEET_MAX_ROWS")
    parser.add_argument("--ingest-only", action="store_true", help="only the ingest against its floor")
    parser.add_argument("--reuse", action="store_true", help="reuse the projects (and files) of an earlier --reuse run")
    parser.add_argument("--sql-log", action="store_true", help="print each ingest statement's time")
    parser.add_argument("--outcomes-only", action="store_true",
                        help="skip the ingest: records go in by a bare COPY; only compute, confirm and audit are timed")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://…")
    translation.activate("zh-hans")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # a clean run: the bench database holds only bench data
        cursor.execute("TRUNCATE enrolment_learningrecord, enrolment_outcome, enrolment_creditrecord CASCADE")
    xlsx_rows = args.xlsx_rows or settings.SPREADSHEET_MAX_ROWS
    stamp = None if args.reuse else int(time.time()) % 90
    sizes = [("small", args.small)] if args.small else []
    sizes.append(("big", args.trainees))
    print(f"building {' and '.join(f'{n:,}' for _l, n in sizes)} trainees …", flush=True)
    t = time.perf_counter()
    # --reuse: one project per size (its code from the size), kept with its files between runs.
    built = {label: build(f"BENCH-LR-{(n % 89 if stamp is None else stamp):02d}{i + 1}", n)
             for i, (label, n) in enumerate(sizes)}
    print(f"  built in {time.perf_counter() - t:.1f} s", flush=True)
    results = {}
    load = [os.getloadavg()]
    for label, n in sizes:
        project, inst_user, city_user = built[label]
        want = {"csv": n * args.per_trainee, "xlsx": min(xlsx_rows, n * 8),
                "xlsx re-send": min(xlsx_rows, n * args.per_trainee)}
        paths = (OUT / f"{project.code}.csv", OUT / f"{project.code}-new.xlsx", OUT / f"{project.code}-resend.xlsx")
        if not args.outcomes_only and not (args.reuse and all(p.exists() for p in paths)):
            paths = write_files(project, args.per_trainee, min(xlsx_rows, n * 8))
        r = {}
        if args.outcomes_only:
            load_records(project, args.per_trainee)
        for kind, path in () if args.outcomes_only else zip(KINDS, paths):
            f_time, f_unchecked, f_rows = floor(project, path)
            log = SqlLog() if args.sql_log else None
            i_time, i_queries, result = ingest(project, inst_user, path, log)
            assert result.ok, result.errors[:3]
            assert result.written == f_rows == want[kind], (result.written, f_rows, want[kind])
            r[kind] = (want[kind], f_time, f_unchecked, i_time, i_queries)
            if log:
                log.show(f"{kind} ({n:,} trainees)")
        if not args.ingest_only:
            r.update(steps(project, inst_user, city_user))
        results[label] = (n, r)
        print(f"  {label}: done", flush=True)
    load.append(os.getloadavg())

    print()
    print(f"PostgreSQL {connection.pg_version}, {os.cpu_count()} cores; load average before "
          f"{' '.join(f'{x:.2f}' for x in load[0])}, after {' '.join(f'{x:.2f}' for x in load[1])}")
    print("floor = the bare library's parse + a bare COPY of the same rows into the same table (indexes, foreign keys "
          "checked), rolled back; in brackets the floor with the deferred foreign keys left unchecked")
    print(f"{'':28}{'rows':>10}{'floor s':>10}{'(no FK)':>9}{'ingest s':>10}{'ratio':>8}{'target':>8}{'queries':>9}")
    for label, _n in () if args.outcomes_only else sizes:
        n, r = results[label]
        for kind in KINDS:
            rows, f_time, f_unchecked, i_time, queries = r[kind]
            ratio = i_time / f_time
            verdict = ("met" if ratio <= 1.5 else "NOT met") if kind != "xlsx re-send" else \
                "(also marks as many records superseded: an UPDATE the floor does not do)"
            print(f"{f'{kind} ({n:,} trainees)':28}{rows:>10,}{f_time:>10.2f}{f'({f_unchecked:.2f})':>9}"
                  f"{i_time:>10.2f}{ratio:>7.2f}x{'<= 1.5x':>8}{queries:>9}  {verdict}")
    if args.ingest_only:
        return
    print()
    print(f"{'':28}{'trainees':>10}{'seconds':>10}{'target s':>10}{'queries':>9}{'audit rows':>12}")
    for label, _n in sizes:
        n, r = results[label]
        for step in ("compute", "confirm", "audit"):
            secs, queries, done = r[step]
            audit_rows = r.get(f"{step}_audit_rows", "")
            target = f"≤ {TARGETS[step]}" if label == "big" else ""
            print(f"{f'{step} ({label})':28}{done if step != 'compute' else n:>10,}{secs:>10.2f}{target:>10}"
                  f"{queries:>9}{audit_rows:>12}")


KINDS = ("csv", "xlsx", "xlsx re-send")


class SqlLog:
    """Each statement's time, to see where an ingest spends it."""

    def __init__(self):
        self.entries = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.entries.append((time.perf_counter() - start, " ".join(sql.split())[:110]))

    def show(self, title):
        print(f"  statements of the ingest, {title}:")
        for secs, sql in self.entries:
            if secs >= 0.05:
                print(f"    {secs:7.2f}  {sql}")


if __name__ == "__main__":
    main()
