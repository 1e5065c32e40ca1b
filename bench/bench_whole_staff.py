"""Benchmark: whole-staff training (R49) and bulk moves on a trainee list (issue 12, part B).

Builds a city of N teachers (default 200,000, spread over the counties of 南昌市), then measures, each at a small
size and at N so the query counts can be compared side by side:
  - the preview of a whole-staff enrolment (count, who is left out and why) and the enrolment itself
    (one INSERT ... SELECT, one audit row per enrolment) by the city bureau;
  - a bulk select by the institution (within the quota by ranking score, the rest to the reserve list, R32);
  - a bulk reject by the city bureau with a rule (R13), every row audited (R3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_bulk python bench/bench_whole_staff.py
    python bench/bench_whole_staff.py --teachers 20000 --small 1000     # quicker
    python bench/bench_whole_staff.py                                   # SQLite file var/bench.sqlite3

The data is rebuilt on every run (rows prefixed BENCH-W are deleted before each size and at the end; on PostgreSQL the audit trail is
append-only, so its rows stay).
"""
import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("AXES_ENABLED", "false")

PREFIX = "BENCH-W"


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


def clean():
    from django.db import connection

    from backoffice.models import AuditEvent, Organisation, Teacher
    from projects.enrolment.models import Enrolment
    from projects.models import AnnualPlan, Project

    if connection.vendor != "postgresql":
        AuditEvent.objects.filter(object_repr__contains=PREFIX)._raw_delete(AuditEvent.objects.db)
    Enrolment.objects.filter(project__code__startswith=PREFIX)._raw_delete(Enrolment.objects.db)
    Project.regions.through.objects.filter(project__code__startswith=PREFIX)._raw_delete(Project.objects.db)
    Project.objects.filter(code__startswith=PREFIX)._raw_delete(Project.objects.db)
    AnnualPlan.objects.filter(title__startswith=PREFIX)._raw_delete(AnnualPlan.objects.db)
    Teacher.history.filter(school__code__startswith=PREFIX)._raw_delete(Teacher.history.db)
    Teacher.objects.filter(school__code__startswith=PREFIX)._raw_delete(Teacher.objects.db)
    # The bureau, the institution and their users stay: the audit trail refers to them.
    Organisation.objects.filter(code__startswith=f"{PREFIX}-S").delete()


def build_city(n_teachers: int):
    """N teachers in BENCH-W schools of 南昌市's counties; the city bureau's clerk and an institution's staff."""
    from django.db import transaction

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

    regions_load(province_codes={"36"})
    city = Region.objects.get(code="360100")
    counties = list(Region.objects.filter(code__startswith="3601", level="county").order_by("code"))
    with transaction.atomic():
        bureau, _ = Organisation.objects.get_or_create(
            code=f"{PREFIX}-CITY", defaults={"kind": OrganisationKind.CITY_BUREAU, "region": city,
                                             "name": f"{PREFIX} 市教育局"})
        institution, _ = Organisation.objects.get_or_create(
            code=f"{PREFIX}-INST", defaults={"kind": OrganisationKind.INSTITUTION, "region": city,
                                             "name": f"{PREFIX} 机构"})
        clerk, _ = User.objects.get_or_create(username="bench_w_city", defaults={
            "role": Role.CITY_STAFF, "organisation": bureau, "full_name": "基准市教育局"})
        staff, _ = User.objects.get_or_create(username="bench_w_inst", defaults={
            "role": Role.INSTITUTION_STAFF, "organisation": institution, "full_name": "基准机构"})
        schools = Organisation.objects.bulk_create([
            Organisation(kind=OrganisationKind.SCHOOL, region=c, name=f"{PREFIX} 学校{c.code}",
                         code=f"{PREFIX}-S{c.code}", stage="primary") for c in counties])
        per_school = -(-n_teachers // len(schools))
        teachers = []
        for school in schools:
            for t in range(min(per_school, n_teachers - len(teachers))):
                teachers.append(Teacher(
                    id_number=make_id_number(school.region.code, dt.date(1965, 1, 1) + dt.timedelta(days=t // 900),
                                             100 + t % 900),
                    name=f"基准{t}", school=school, region=school.region, stage="primary" if t % 10 else "junior",
                    subject="maths", teaching_since=2000))
        Teacher.objects.bulk_create(teachers, batch_size=10000)
    return city, institution, clerk, staff


def make_project(city, institution, clerk, *, code, category, quota, plan):
    from decimal import Decimal

    from projects.models import Project

    project = Project.objects.create(
        plan=plan, code=code, name=f"{code} 基准项目", project_type="central_western", category=category,
        mode="online", hours=50, quota=quota, start_date=dt.date(2031, 3, 1), end_date=dt.date(2031, 6, 30),
        budget=Decimal(9999999), owner=institution, office=institution, created_by=clerk,
        target_stages=["primary"] if category == "whole_staff" else [])
    project.regions.set([city])
    Project.objects.filter(pk=project.pk).update(status="contracted", institution=institution,
                                                 unit_price=Decimal("4.00"))
    project.refresh_from_db()
    return project


def applicants(project, teacher_ids, status):
    from django.utils import timezone

    from projects.enrolment.models import Enrolment

    now = timezone.now()
    Enrolment.objects.bulk_create([
        Enrolment(project=project, teacher_id=t, status=status, submitted_at=now + dt.timedelta(microseconds=i),
                  ranking_score=(i * 7919) % 10000 / 100) for i, t in enumerate(teacher_ids)], batch_size=10000)


def run(size: int, label: str, enrol_only: bool = False) -> dict:
    from decimal import Decimal

    from backoffice.models import Region, Teacher
    from projects.enrolment import services
    from projects.enrolment.models import Enrolment
    from projects.enrolment.whole_staff import whole_staff_enrol, whole_staff_preview
    from projects.models import AnnualPlan

    clean()
    t0 = time.perf_counter()
    city, institution, clerk, staff = build_city(size)
    plan = AnnualPlan.objects.filter(province__code="360000", year=2031).first() or AnnualPlan.objects.create(
        province=Region.objects.get(code="360000"), year=2031, title=f"{PREFIX} 方案",
        central_subsidy=Decimal(999999999), created_by=clerk)
    whole = make_project(city, institution, clerk, code=f"{PREFIX}-A", category="whole_staff", quota=1, plan=plan)
    built = time.perf_counter() - t0
    figures = {"size": size, "build": built}
    figures["preview"] = counted(lambda: whole_staff_preview(actor=clerk, project=whole))
    figures["enrol"] = counted(lambda: whole_staff_enrol(actor=clerk, project=whole))
    if enrol_only:
        for key in ("preview", "enrol"):
            print(f"    {key}: {figures[key][0]:.2f} s, {figures[key][1]} queries")
        return figures

    ids = list(Teacher.objects.filter(school__code__startswith=PREFIX).values_list("pk", flat=True))
    select_project = make_project(city, institution, clerk, code=f"{PREFIX}-B", category="backbone",
                                  quota=len(ids) // 2, plan=plan)
    reject_project = make_project(city, institution, clerk, code=f"{PREFIX}-C", category="thematic",
                                  quota=len(ids), plan=plan)
    applicants(select_project, ids, "recommended")
    applicants(reject_project, ids, "applied")
    figures["select"] = counted(lambda: services.enrolments_bulk(
        actor=staff, queryset=Enrolment.objects.filter(project=select_project), name="select", by_ranking=True))
    figures["reject"] = counted(lambda: services.enrolments_bulk(
        actor=clerk, queryset=Enrolment.objects.filter(project=reject_project), name="reject", rule="R31"))
    _s, _q, preview = figures["preview"]
    _s, _q, added = figures["enrol"]
    _s, _q, selected = figures["select"]
    _s, _q, rejected = figures["reject"]
    figures["counts"] = (f"previewed {preview.to_enrol} to enrol / {preview.left_out} left out; enrolled {added}; "
                         f"selected {len(selected.done) - len(selected.reserved)} + reserve {len(selected.reserved)}; "
                         f"rejected {len(rejected.done)}")
    for key in ("preview", "enrol", "select", "reject"):
        print(f"    {key}: {figures[key][0]:.2f} s, {figures[key][1]} queries")
    print(f"[{label}] {size} teachers built in {built:.1f} s; {figures['counts']}")
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--teachers", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=2_000, help="the small size, to compare query counts")
    parser.add_argument("--enrol-only", action="store_true", help="only the preview and the whole-staff enrolment")
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    print(f"database: {connection.vendor}")
    small = run(args.small, "small", args.enrol_only)
    big = run(args.teachers, "large", args.enrol_only)
    print(f"\nload average {' '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    print(f"{'step':<46}{'size ' + str(small['size']):>22}{'size ' + str(big['size']):>24}{'target':>10}")
    for key, text in (("preview", "whole-staff preview (count, left out, why)"),
                      ("enrol", "whole-staff enrolment (INSERT...SELECT + audit)"),
                      ("select", "bulk select by ranking (quota, rest reserve)"),
                      ("reject", "bulk reject with a rule")):
        if key not in big:
            continue
        (s1, q1, _r1), (s2, q2, _r2) = small[key], big[key]
        target = "≤ 20 s" if key == "enrol" else ""  # issue 12: whole-staff enrolment of 200,000 teachers
        print(f"{text:<46}{s1:>10.2f} s {q1:>5} q{s2:>12.2f} s {q2:>5} q{target:>10}")
    clean()


if __name__ == "__main__":
    main()
