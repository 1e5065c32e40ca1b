"""Benchmark: settling a whole province (issue 6, R52).

Builds 2,000 contract × county combinations (200 contracts, each over one project with trainees from 10 counties)
and 200,000 enrolments with bulk_create, then settles every contract the province's finance officer can see,
and prints seconds and queries for: the first settlement (creates every statement), a second one with nothing
changed, and a third after outcomes changed on confirmed statements (adjustment entries, R53).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/finance_bench python bench/bench_settlement.py
    python bench/bench_settlement.py                                 # SQLite file var/bench.sqlite3
    python bench/bench_settlement.py --contracts 20 --per-county 50  # quicker

The data is rebuilt on every run (rows prefixed BENCH-F are deleted first).
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

COUNTIES_PER_CONTRACT = 10


class QueryCounter:
    def __init__(self):
        self.count = 0
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        self.statements.append(sql[:90])
        return execute(sql, params, many, context)


def counted(func):
    from django.db import connection

    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = func()
    if os.environ.get("BENCH_SHOW_QUERIES"):
        print("\n".join(f"    {q}" for q in counter.statements))
    return time.perf_counter() - start, counter.count, result


def clean():
    from django.db import connection

    from backoffice.models import AuditEvent, Organisation, Teacher
    from finance.models import Adjustment, SettlementStatement
    from projects.enrolment.models import Enrolment
    from projects.models import AnnualPlan, Project
    from tendering.models import Bid, Contract, Lot, Tender

    statements = SettlementStatement.objects.filter(contract__reference__startswith="BENCH-F")
    for model, qs in (
        (Adjustment.history.model, Adjustment.history.filter(statement__contract__reference__startswith="BENCH-F")),
        (Adjustment, Adjustment.objects.filter(statement__in=statements)),
        (SettlementStatement.history.model, SettlementStatement.history.filter(contract__reference__startswith="BENCH-F")),
        (SettlementStatement, statements),
    ):
        qs._raw_delete(qs.db)
    if connection.vendor != "postgresql":
        # On PostgreSQL the audit trail is append-only even here (R3 trigger): its BENCH-F rows stay.
        AuditEvent.objects.filter(object_repr__startswith="BENCH-F")._raw_delete(AuditEvent.objects.db)
    Enrolment.objects.filter(project__code__startswith="BENCH-F")._raw_delete(Enrolment.objects.db)
    Contract.objects.filter(reference__startswith="BENCH-F").delete()
    Bid.objects.filter(lot__tender__reference__startswith="BENCH-F").delete()
    Lot.objects.filter(tender__reference__startswith="BENCH-F").delete()
    Tender.objects.filter(reference__startswith="BENCH-F").delete()
    Project.objects.filter(code__startswith="BENCH-F").delete()
    AnnualPlan.objects.filter(title__startswith="BENCH-F").delete()
    Teacher.history.filter(school__code__startswith="BENCH-F")._raw_delete(Teacher.history.db)
    Teacher.objects.filter(school__code__startswith="BENCH-F")._raw_delete(Teacher.objects.db)
    Organisation.objects.filter(code__startswith="BENCH-F").delete()


def build(contracts_n: int, per_county: int):
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from backoffice.demo import make_id_number
    from backoffice.models import Organisation, OrganisationKind, Region, Role, Teacher, User
    from backoffice.regions_data import regions_load
    from projects.enrolment.models import Enrolment
    from projects.models import AnnualPlan, Project
    from tendering.models import Bid, Contract, Lot, Tender

    regions_load(province_codes={"36"})
    province = Region.objects.get(code="360000")
    counties = list(Region.objects.filter(code__startswith="36", level="county").order_by("code"))
    with transaction.atomic():
        department, _ = Organisation.objects.get_or_create(kind=OrganisationKind.PROVINCE_DEPARTMENT, region=province,
                                                           name="江西省教育厅")
        office, _ = Organisation.objects.get_or_create(kind=OrganisationKind.PROJECT_OFFICE, region=province,
                                                       name="BENCH-F 项目办", defaults={"code": "BENCH-F-OFFICE"})
        finance, _ = User.objects.get_or_create(username="bench_finance", defaults={
            "role": Role.FINANCE_OFFICER, "organisation": department, "full_name": "基准测试财务"})
        institutions = Organisation.objects.bulk_create([
            Organisation(kind=OrganisationKind.INSTITUTION, region=province, name=f"BENCH-F 机构{i}",
                         code=f"BENCH-F-I{i:02d}") for i in range(10)])
        schools = Organisation.objects.bulk_create([
            Organisation(kind=OrganisationKind.SCHOOL, region=c, name=f"BENCH-F 学校{c.code}", code=f"BENCH-F-S{c.code}",
                         stage="primary") for c in counties])
        teachers = []
        for school in schools:
            for t in range(per_county):
                teachers.append(Teacher(
                    id_number=make_id_number(school.region.code, dt.date(1970, 1, 1) + dt.timedelta(days=t // 900),
                                             100 + t % 900),
                    name=f"基准{t}", school=school, region=school.region, stage="primary", subject="maths",
                    teaching_since=2000))
        Teacher.objects.bulk_create(teachers, batch_size=5000)
        teachers_by_county = {}
        for pk, region_id in Teacher.objects.filter(school__code__startswith="BENCH-F").values_list("pk", "region_id"):
            teachers_by_county.setdefault(region_id, []).append(pk)
        plan = AnnualPlan.objects.create(province=province, year=2030, title="BENCH-F 方案",
                                         central_subsidy=Decimal("999999999"), created_by=finance)
        projects = Project.objects.bulk_create([
            Project(plan=plan, code=f"BENCH-F-P{i:04d}", name=f"基准项目{i}", project_type="central_western",
                    category="backbone", mode="online", hours=80, quota=COUNTIES_PER_CONTRACT * per_county,
                    start_date=dt.date(2030, 9, 1), end_date=dt.date(2030, 10, 1), budget=Decimal("9999999"),
                    owner=office, office=office, created_by=finance, status="contracted",
                    institution=institutions[i % len(institutions)], unit_price=Decimal("12.50"))
            for i in range(contracts_n)])
        now = timezone.now()
        tenders = Tender.objects.bulk_create([
            Tender(reference=f"BENCH-F-T{i:04d}", title="基准", province=province, office=office, wrapped_key=b"",
                   created_by=finance, status="completed") for i in range(contracts_n)])
        lots = Lot.objects.bulk_create([
            Lot(tender=t, number=1, name="基准", budget=Decimal("9999999"), status="contracted") for t in tenders])
        Lot.projects.through.objects.bulk_create([
            Lot.projects.through(lot_id=lot.pk, project_id=p.pk) for lot, p in zip(lots, projects)])
        bids = Bid.objects.bulk_create([
            Bid(lot=lot, institution=p.institution, status="qualified", submitted_by=finance, received_at=now,
                sealed=b"", receipt_sha256="0" * 64, price=Decimal("12.50")) for lot, p in zip(lots, projects)])
        Contract.objects.bulk_create([
            Contract(lot=lot, reference=f"BENCH-F-C{i:04d}", institution=p.institution, bid=bid,
                     unit_price=Decimal("12.50"), quota=p.quota, trainee_hours=p.quota * 80,
                     amount=Decimal("12.50") * p.quota * 80, signed_by=finance)
            for i, (lot, p, bid) in enumerate(zip(lots, projects, bids))])
        enrolments = []
        county_ids = [c.pk for c in counties]
        for i, p in enumerate(projects):
            for k in range(COUNTIES_PER_CONTRACT):
                county = county_ids[(i * COUNTIES_PER_CONTRACT + k) % len(county_ids)]
                for n, teacher_id in enumerate(teachers_by_county[county]):
                    # Nine in ten complete; the rest split between not completed and no-show.
                    status = "completed" if n % 10 else ("not_completed" if n % 20 else "no_show")
                    enrolments.append(Enrolment(project_id=p.pk, teacher_id=teacher_id, status=status, outcome_at=now))
        Enrolment.objects.bulk_create(enrolments, batch_size=10000)
    return finance, len(enrolments)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--per-county", type=int, default=100, help="trainees per contract × county")
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Min

    call_command("migrate", interactive=False, verbosity=0)
    from finance import services
    from finance.models import SettlementStatement
    from projects.enrolment.models import Enrolment

    clean()
    t0 = time.perf_counter()
    finance, n_enrolments = build(args.contracts, args.per_county)
    print(f"database: {connection.vendor}; built {args.contracts * COUNTIES_PER_CONTRACT} contract × county "
          f"combinations and {n_enrolments} enrolments in {time.perf_counter() - t0:.1f} s")

    secs, queries, result = counted(lambda: services.settlement_compute(actor=finance))
    print(f"settle the province (creates statements): {secs:.2f} s, {queries} queries, "
          f"{result.created} statements created")
    secs, queries, result = counted(lambda: services.settlement_compute(actor=finance))
    print(f"settle again, nothing changed:            {secs:.2f} s, {queries} queries, {result.unchanged} unchanged")
    # Confirm every statement (set-based, as fixtures: the per-row confirm is the institution's page), then
    # correct one outcome per combination and settle again: each confirmed statement gets an adjustment (R53).
    SettlementStatement.objects.filter(contract__reference__startswith="BENCH-F").update(status="confirmed")
    first = (Enrolment.objects.filter(project__code__startswith="BENCH-F", status="completed")
             .order_by().values("project_id", "teacher__region_id").annotate(first_pk=Min("pk"))
             .values_list("first_pk", flat=True))
    Enrolment.objects.filter(pk__in=list(first)).update(status="not_completed")
    secs, queries, result = counted(lambda: services.settlement_compute(actor=finance))
    print(f"settle after outcome corrections:         {secs:.2f} s, {queries} queries, "
          f"{result.adjusted} adjustment entries")
    clean()


if __name__ == "__main__":
    main()
