"""Benchmark: an applicant roster batch, then a learning-record batch for the same trainees, sent through the API
(issue 15), on the full request path: key authentication, scope, throttle, validation, the services' set-based
checks and writes, audit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_api_bench python bench/bench_api_roster.py --rows 5000
    python bench/bench_api_roster.py --rows 500                      # SQLite file var/bench-api.sqlite3

Prints seconds and queries of the roster's first call (every teacher new) and of the same batch sent again
(nothing to write); then of a day's learning records for every trainee (all new) and the same day sent again. The call goes through Django's test client in-process (no network), so the figure is the server's work.
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
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE / 'var' / 'bench-api.sqlite3'}")
os.environ.setdefault("AXES_ENABLED", "false")
os.environ.setdefault("API_KEY_THROTTLE_RATE", "100000/min")

COUNTY = "360121"


def setup_world(schools_n: int):
    from decimal import Decimal

    from backoffice.api.keys import api_key_issue
    from backoffice.models import Organisation, OrganisationKind, Region, Role, User
    from backoffice.regions_data import regions_load
    from projects.models import AnnualPlan, Project

    regions_load(province_codes={"36"})
    county = Region.objects.get(code=COUNTY)
    province = Region.objects.get(code="360000")
    have = set(Organisation.objects.filter(code__startswith="BAPI").values_list("code", flat=True))
    Organisation.objects.bulk_create([
        Organisation(kind=OrganisationKind.SCHOOL, region=county, name=f"接口基准学校{i}", code=f"BAPI{i:04d}",
                     stage="primary") for i in range(schools_n) if f"BAPI{i:04d}" not in have])
    bureau, _ = Organisation.objects.get_or_create(kind=OrganisationKind.COUNTY_BUREAU, region=county,
                                                   name="接口基准县教育局")
    office, _ = Organisation.objects.get_or_create(kind=OrganisationKind.PROJECT_OFFICE, region=province,
                                                   name="接口基准项目办")
    institution, _ = Organisation.objects.get_or_create(kind=OrganisationKind.INSTITUTION, region=province,
                                                        name="接口基准承训机构")
    user, _ = User.objects.get_or_create(username="bench-api-county", defaults={
        "role": Role.COUNTY_STAFF, "organisation": bureau, "full_name": "接口基准"})
    plan, _ = AnnualPlan.objects.get_or_create(province=province, year=2026, defaults={
        "title": "基准", "central_subsidy": Decimal("1"), "created_by": user})
    project = Project.objects.filter(code="BAPI-1").first() or Project.objects.create(
        plan=plan, code="BAPI-1", name="接口基准项目", project_type="central_western", category="backbone",
        mode="offline", hours=80, quota=100000, start_date=dt.date.today() + dt.timedelta(days=60),
        end_date=dt.date.today() + dt.timedelta(days=70), budget=Decimal("1"), owner=office, office=office,
        created_by=user)
    Project.objects.filter(pk=project.pk).update(status="contracted", institution=institution, mode="offline",
                                                 start_date=dt.date.today() + dt.timedelta(days=60),
                                                 end_date=dt.date.today() + dt.timedelta(days=70))
    project.refresh_from_db()
    _key, token = api_key_issue(actor=user, organisation=bureau, label="接口基准", scopes=["rosters:write"], days=1)
    schools = list(Organisation.objects.filter(code__startswith="BAPI").order_by("code").values_list("code", flat=True))
    return project, token, schools


def clean():
    from backoffice.models import Teacher
    from projects.enrolment.models import Enrolment
    from projects.enrolment.outcomes.models import LearningRecord, LearningRecordBatch, Outcome

    Outcome.objects.filter(project__code="BAPI-1").delete()
    LearningRecord.objects.filter(project__code="BAPI-1").delete()
    LearningRecordBatch.objects.filter(project__code="BAPI-1").delete()
    Enrolment.objects.filter(project__code="BAPI-1").delete()
    Teacher.history.filter(school__code__startswith="BAPI")._raw_delete(Teacher.history.db)
    Teacher.objects.filter(school__code__startswith="BAPI")._raw_delete(Teacher.objects.db)


def rows_for(n: int, schools) -> list[dict]:
    from backoffice.demo import make_id_number

    return [{"name": f"接口教师{i}", "id_number": make_id_number(COUNTY, dt.date(1966, 1, 1) + dt.timedelta(days=i // 900),
                                                               i % 900),
             "school_code": schools[i % len(schools)], "region_code": COUNTY, "stage": "小学", "subject": "数学",
             "post": "教师", "title": "一级教师", "started_on": "2005-09-01", "is_rural": i % 3 == 0,
             "phone": f"138{i:08d}"} for i in range(n)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--schools", type=int, default=100)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", interactive=False, verbosity=0)
    project, token, schools = setup_world(args.schools)
    clean()
    rows = rows_for(args.rows, schools)
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {token}")
    url = f"/api/v1/projects/{project.pk}/applicants/"
    # Warm-up (URL resolver, translation catalogues, the key's first use): a one-row batch that is refused.
    client.post(url, {"rows": [{**rows[0], "school_code": "NONE"}]}, content_type="application/json")
    for label in ("roster, first call (all new)", "roster, same batch again"):
        timed(client, url, {"rows": rows}, label, args.rows)
    records_url, records_client, records = learning_records_world(project, rows)
    for label in ("learning records, first call (all new)", "learning records, same day again"):
        timed(records_client, records_url, {"source": "基准平台", "rows": records}, label, args.rows)
    clean()


def timed(client, url, body, label, n):
    from django.db import connection

    queries = {"n": 0}

    def count(execute, sql, params, many, context):
        queries["n"] += 1
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(count):
        response = client.post(url, body, content_type="application/json")
    seconds = time.perf_counter() - start
    assert response.status_code == 200, response.content[:500]
    result = {k: v for k, v in response.json().items() if k != "errors"}
    print(f"{connection.vendor}: {n} rows, {label}: {seconds:.2f} s, {queries['n']} queries, {result}")


def learning_records_world(project, rows):
    """The applicants put in training on an online project in progress with an approved scheme; the
    institution's platform key."""
    from decimal import Decimal

    from django.test import Client
    from django.utils import timezone

    from backoffice.api.keys import api_key_issue
    from backoffice.models import Role, User
    from projects.enrolment.models import Enrolment
    from projects.enrolment.outcomes.models import CompletionScheme, SchemeIndicator
    from projects.models import Project

    today = timezone.localdate()
    Project.objects.filter(pk=project.pk).update(status="in_progress", mode="online", hours=48,
                                                 start_date=today - dt.timedelta(days=20),
                                                 end_date=today + dt.timedelta(days=40))
    Enrolment.objects.filter(project=project).update(status="in_training")
    if not CompletionScheme.objects.filter(project=project, status="approved").exists():
        scheme = CompletionScheme.objects.create(project=project, version=1, pass_line=Decimal("60"),
                                                 created_by=project.created_by)
        CompletionScheme.objects.filter(pk=scheme.pk).update(status="approved", approved_at=timezone.now())
        SchemeIndicator.objects.create(scheme=scheme, kind="learning_minutes", target=Decimal(2880),
                                       weight=Decimal(100), minimum_percent=Decimal(80))
    user, _ = User.objects.get_or_create(username="bench-api-institution", defaults={
        "role": Role.INSTITUTION_STAFF, "organisation": project.institution, "full_name": "接口基准机构"})
    _key, token = api_key_issue(actor=user, organisation=project.institution, label="接口基准平台",
                                scopes=["learning_records:write"], days=1)
    day = (today - dt.timedelta(days=1)).isoformat()
    records = [{"id_number": r["id_number"], "period_start": day, "period_end": day, "minutes": 30 + i % 200,
                "assignments_submitted": i % 3, "assignments_passed": i % 2, "assessment_score": str(60 + i % 40)}
               for i, r in enumerate(rows)]
    return (f"/api/v1/projects/{project.pk}/learning-records/", Client(HTTP_AUTHORIZATION=f"Api-Key {token}"),
            records)


if __name__ == "__main__":
    main()
