"""Builds a province-decade dataset in PostgreSQL on top of the demo province (issue 13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale python bench/load/build.py --enrolments 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale python bench/load/build.py --enrolments 1000000

It grows the database to the sizes asked (run it again with a bigger size to grow it further; nothing is
rebuilt): teachers in every county's demo schools, ten years of annual plans with closed projects of about 1,000
trainees each (every project contracted to one of the demo institutions, tender, lot, bid and contract
included), their enrolments, audit events (2 per enrolment unless --audit says otherwise) and the settlement
statements of every contract × county. Big tables are written with COPY, with triggers off (the rows carry their
own list keys) and ANALYZE afterwards. Needs the demo data (`manage.py demo --no-serve`) in the same database.
"""
import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("AXES_ENABLED", "false")

PER_PROJECT = 1000
COUNTIES_PER_PROJECT = 10
YEARS = range(2016, 2026)
MARK = "BENCH-L"  # codes and phones of the rows this script made


def log(msg, start=[time.perf_counter()]):
    print(f"[{time.perf_counter() - start[0]:7.1f} s] {msg}", flush=True)


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY tuples into a table, triggers off (session_replication_role: the caller fills every derived key)."""
    from django.db import connection

    n = 0
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        finally:
            cursor.execute("SET session_replication_role = origin")
    return n


def build_teachers(target: int, rng: random.Random):
    from backoffice.identity import check_char
    from backoffice.demo import GIVEN, STAGE_SUBJECTS, SURNAMES
    from backoffice.models import Organisation, Teacher

    have = Teacher.objects.count()
    if have >= target:
        return log(f"teachers: {have} already")
    made = Teacher.objects.filter(phone=MARK).count()
    schools = list(Organisation.objects.filter(kind="school").values_list("pk", "region_id", "region__code", "stage"))
    now = dt.datetime.now(dt.timezone.utc)

    def rows():
        for i in range(made, made + target - have):
            school, region_id, code, stage = schools[i % len(schools)]
            born = dt.date(1965, 1, 1) + dt.timedelta(days=(i // 1000) % 12000)
            first17 = f"{code}{born:%Y%m%d}{i % 1000:03d}"
            subjects = STAGE_SUBJECTS.get(stage) or ["chinese"]
            yield (first17 + check_char(first17), rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                   school, region_id, stage or "primary", str(rng.choice(subjects)), "teacher", "none",
                   1985 + i % 38, i % 3 == 0, False, MARK, now, now)

    n = copy_rows("backoffice_teacher", ["id_number", "name", "school_id", "region_id", "stage", "subject", "post",
                                         "title", "teaching_since", "is_rural", "is_priority_county", "phone",
                                         "created_at", "updated_at"], rows())
    log(f"teachers: {n} added ({have + n} in all)")


def build_projects(needed: int):
    """Closed projects over ten years, each under a tender, lot, bid and contract (finance lists read these)."""
    from django.db import transaction

    from backoffice.models import Organisation, Region, User
    from projects.models import AnnualPlan, Project
    from tendering.models import Bid, Contract, Lot, Tender

    have = Project.objects.filter(code__startswith=MARK).count()
    if have >= needed:
        log(f"projects: {have} already")
        return
    province = Region.objects.get(code="360000")
    office = Organisation.objects.filter(kind="project_office").order_by("pk").first()
    institutions = list(Organisation.objects.filter(kind="institution").order_by("pk"))
    user = User.objects.get(username="province")
    plans = {}
    for year in YEARS:
        plans[year] = AnnualPlan.objects.filter(province=province, year=year).first() or AnnualPlan.objects.create(
            province=province, year=year, title=f"{year}年国培计划实施方案", central_subsidy=Decimal("900000000"),
            created_by=user, status="filed")
    now = dt.datetime.now(dt.timezone.utc)
    with transaction.atomic():
        projects = Project.objects.bulk_create([
            Project(plan=plans[YEARS[i % len(YEARS)]], code=f"{MARK}-{YEARS[i % len(YEARS)]}-{i:05d}",
                    name=f"国培计划（{YEARS[i % len(YEARS)]}）骨干教师能力提升培训项目{i}",
                    project_type="central_western", category="backbone", mode="online", hours=80,
                    quota=PER_PROJECT, start_date=dt.date(YEARS[i % len(YEARS)], 9, 1),
                    end_date=dt.date(YEARS[i % len(YEARS)], 11, 30), budget=Decimal("1200000"), owner=office,
                    office=office, created_by=user, status="closed", institution=institutions[i % len(institutions)],
                    unit_price=Decimal("12.50"), contract_reference=f"{MARK}-C{i:05d}")
            for i in range(have, needed)], batch_size=2000)
        tenders = Tender.objects.bulk_create([
            Tender(reference=f"{MARK}-T{p.code[-5:]}", title=p.name, province=province, office=office,
                   wrapped_key=b"", created_by=user, status="completed") for p in projects], batch_size=2000)
        lots = Lot.objects.bulk_create([Lot(tender=t, number=1, name=t.title, budget=Decimal("1200000"),
                                            status="contracted") for t in tenders], batch_size=2000)
        Lot.projects.through.objects.bulk_create([Lot.projects.through(lot_id=lot.pk, project_id=p.pk)
                                                  for lot, p in zip(lots, projects)], batch_size=2000)
        bids = Bid.objects.bulk_create([
            Bid(lot=lot, institution=p.institution, status="qualified", submitted_by=user, received_at=now,
                sealed=b"", receipt_sha256="0" * 64, price=Decimal("12.50")) for lot, p in zip(lots, projects)],
            batch_size=2000)
        Contract.objects.bulk_create([
            Contract(lot=lot, reference=p.contract_reference, institution=p.institution, bid=bid,
                     unit_price=Decimal("12.50"), quota=p.quota, trainee_hours=p.quota * 80,
                     amount=Decimal("12.50") * p.quota * 80, signed_by=user)
            for lot, p, bid in zip(lots, projects, bids)], batch_size=2000)
    log(f"projects: {len(projects)} added with tenders, lots, bids and contracts ({needed} in all)")


def build_enrolments(target: int, rng: random.Random):
    from backoffice.models import Region, Teacher
    from projects.enrolment.models import Enrolment
    from projects.models import Project

    have = Enrolment.objects.count()
    if have >= target:
        return log(f"enrolments: {have} already")
    done = set(Enrolment.objects.filter(project__code__startswith=MARK).values_list("project_id", flat=True).distinct())
    projects = [p for p in Project.objects.filter(code__startswith=MARK).order_by("pk")
                .values("pk", "code", "plan__year", "institution_id") if p["pk"] not in done]
    codes = dict(Region.objects.filter(level="county", code__startswith="36").values_list("pk", "code"))
    by_county = {}
    for pk, region_id in Teacher.objects.values_list("pk", "region_id"):
        by_county.setdefault(region_id, []).append(pk)
    counties = sorted(c for c in by_county if c in codes and len(by_county[c]) >= PER_PROJECT // COUNTIES_PER_PROJECT)
    statuses = ["completed"] * 17 + ["not_completed", "no_show", "withdrawn"]
    total = target - have

    def rows():
        n = 0
        for i, p in enumerate(projects):
            if n >= total:
                return
            year = p["plan__year"]
            start = dt.datetime(year, 5, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
            for k in range(COUNTIES_PER_PROJECT):
                county = counties[(i * COUNTIES_PER_PROJECT + k) % len(counties)]
                for teacher in rng.sample(by_county[county], PER_PROJECT // COUNTIES_PER_PROJECT):
                    status = rng.choice(statuses)
                    at = start + dt.timedelta(seconds=n % 86400 * 30)
                    outcome = at + dt.timedelta(days=150) if status != "withdrawn" else None
                    yield (p["pk"], teacher, status, "school", at, outcome, "", "", "", "", year, p["code"],
                           codes[county], p["institution_id"])
                    n += 1
                    if n >= total:
                        return

    n = copy_rows("enrolment_enrolment", ["project_id", "teacher_id", "status", "nominated_by", "submitted_at",
                                          "outcome_at", "reject_rule", "reject_reason", "withdraw_reason",
                                          "outcome_reason", "plan_year", "project_code", "county_code",
                                          "institution_id"], rows())
    log(f"enrolments: {n} added ({have + n} in all)")


def build_audit(target: int, rng: random.Random):
    from django.contrib.contenttypes.models import ContentType

    from backoffice.models import AuditEvent, User
    from projects.enrolment.models import Enrolment

    have = AuditEvent.objects.count()
    if have >= target:
        return log(f"audit events: {have} already")
    ct = ContentType.objects.get_for_model(Enrolment).pk
    actors = list(User.objects.filter(role__in=["institution_staff", "county_staff", "province_staff"])
                  .values_list("pk", "full_name"))
    sample = list(Enrolment.objects.order_by("?").values_list("pk", "county_code", "status")[:200_000])
    first = dt.datetime(2016, 1, 1, tzinfo=dt.timezone.utc)
    span = (dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc) - first).total_seconds()

    def rows():
        for i in range(target - have):
            pk, code, status = sample[i % len(sample)]
            actor, name = actors[i % len(actors)]
            yield (first + dt.timedelta(seconds=span * i / (target - have)), actor, name, "10.0.0.1", ct, str(pk),
                   f"教师{pk} · 项目", code, "transition", "complete", "in_training", status, "", "{}")

    n = copy_rows("backoffice_auditevent", ["at", "actor_id", "actor_name", "ip_address", "content_type_id",
                                            "object_id", "object_repr", "region_code", "action", "transition",
                                            "from_state", "to_state", "reason", "changes"], rows())
    log(f"audit events: {n} added ({have + n} in all)")


def build_statements():
    from backoffice.models import User
    from finance.services import settlement_compute

    result = settlement_compute(actor=User.objects.get(username="finance"))
    log(f"settlement statements: {result.created} created")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enrolments", type=int, default=100_000)
    parser.add_argument("--teachers", type=int, default=200_000)
    parser.add_argument("--audit", type=int, default=None, help="audit events (default: 2 per enrolment)")
    parser.add_argument("--no-statements", action="store_true", help="skip settling the contracts")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The load dataset is built in PostgreSQL: set DATABASE_URL=postgres://…")
    from backoffice.models import User

    if not User.objects.filter(username="province").exists():
        sys.exit("Load the demo first: DATABASE_URL=… python manage.py demo --no-serve")
    rng = random.Random(13)
    build_teachers(args.teachers, rng)
    build_projects(-(-args.enrolments // PER_PROJECT))
    build_enrolments(args.enrolments, rng)
    build_audit(args.audit if args.audit is not None else 2 * args.enrolments, rng)
    if not args.no_statements:
        build_statements()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log("VACUUM ANALYZE done")


if __name__ == "__main__":
    main()
