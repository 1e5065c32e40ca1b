"""Demo data for R46-R48 (idempotent): an online project in training with an approved completion scheme, a
generated learning-record file ingested through the service and the outcomes computed, waiting for the
institution to confirm them; and an offline project whose outcomes were confirmed in bulk."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backoffice.models import Organisation, OrganisationKind, Region, Teacher, User

ONLINE_CODE = "JX2026-OL1"
OFFLINE_CODE = "JX2026-OF1"


def _project(code, name, *, mode, category, hours, province, office, institution, creator, start, end,
             status="in_progress"):
    from projects.models import AnnualPlan, Project

    found = Project.objects.filter(code=code).first()
    if found:
        return found, False
    plan = AnnualPlan.objects.filter(province=province, year=start.year).first()
    if plan is None:
        return None, False
    project = Project.objects.create(
        plan=plan, code=code, name=name, project_type="central_western", category=category, mode=mode, hours=hours,
        quota=40, start_date=start, end_date=end, budget=Decimal("200000.00"), owner=office, office=office,
        created_by=creator)
    # In training already: no tender in the demo leads to it, so the status is set directly.
    Project.objects.filter(pk=project.pk).update(status=status, institution=institution,
                                                 unit_price=Decimal("12.50"), contracted_at=timezone.now())
    return Project.objects.get(pk=project.pk), True


def _trainees(project, teachers):
    from ..models import Enrolment

    now = timezone.now()
    Enrolment.objects.bulk_create([Enrolment(project=project, teacher=t, status="in_training", nominated_by="school",
                                             submitted_at=now, enrolled_at=now) for t in teachers])


def _records_file(project, *, weeks=2, minutes=(1000, 700)) -> Path:
    """A platform's export for the project: weekly periods per trainee, every fifth short of the minimum."""
    import csv

    from django.utils import translation

    from ..models import Enrolment
    from .ingest import FIELDS

    folder = Path(settings.BASE_DIR) / "var" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"learning-records-{project.code}.csv"
    numbers = list(Enrolment.objects.filter(project=project).order_by("teacher__id_number")
                   .values_list("teacher__id_number", flat=True))
    with translation.override("zh-hans"), open(path, "w", newline="", encoding="utf-8-sig") as fh:
        from django.utils.translation import gettext as _

        w = csv.writer(fh)
        w.writerow([_(label) for _k, label, _r, _kd in FIELDS])
        for i, number in enumerate(numbers[:-2]):  # the last two never logged in: no-shows
            for week in range(weeks):
                start = project.start_date + dt.timedelta(days=7 * week)
                spent = minutes[0] if i % 5 else minutes[1]  # every fifth is below 80% of the online hours
                w.writerow([number, "", start.isoformat(), (start + dt.timedelta(days=6)).isoformat(), spent,
                            2, 1, 1, "" if week else (85 if i % 4 else 55), 3])
    return path


@transaction.atomic
def demo_outcomes():
    from backoffice.workflow import fire_many

    from ..models import CreditRecord, Enrolment
    from . import services
    from .ingest import IngestResult, ingest_learning_records, read_records_file

    province = Region.objects.filter(code="360000").first()
    office = Organisation.objects.filter(kind=OrganisationKind.PROJECT_OFFICE, region=province).order_by("pk").first()
    institution = Organisation.objects.filter(kind=OrganisationKind.INSTITUTION, name="江西师范大学").first()
    inst_user = User.objects.filter(username="institution").first()
    office_user = User.objects.filter(username="office").first()
    creator = User.objects.filter(username="province").first()
    if not (province and office and institution and inst_user and office_user and creator):
        return None
    today = timezone.localdate()
    notes = []
    pool = list(Teacher.objects.filter(region__code="360121").order_by("-id_number")[:44])
    online, created = _project(ONLINE_CODE, "网络研修与校本研修整合培训（南昌县）", mode="online",
                               category="online_research", hours=32, province=province, office=office,
                               institution=institution, creator=creator, start=today + dt.timedelta(days=1),
                               end=today + dt.timedelta(days=40), status="contracted")
    if online is not None and created and len(pool) >= 44:
        _trainees(online, pool[:30])
        # R46: the institution's scheme, approved by the office before the start, through the services; then
        # the demo moves the dates back three weeks, as if training had been running since.
        scheme = services.scheme_draft(actor=inst_user, project=online)
        services.scheme_move(actor=inst_user, scheme=scheme, name="submit")
        services.scheme_move(actor=office_user, scheme=scheme, name="approve")
        type(online).objects.filter(pk=online.pk).update(status="in_progress", start_date=today - dt.timedelta(days=21),
                                                         end_date=today + dt.timedelta(days=20))
        online.refresh_from_db()
        path = _records_file(online)
        result = ingest_learning_records(actor=inst_user, project=online, source="江西教师网络研修平台",
                                         rows=read_records_file(path.read_bytes(), path.name, IngestResult()),
                                         valid_only=False)
        n = services.outcomes_compute(actor=inst_user, project=online)
        notes.append(f"{online.name}：结业考核方案 v{scheme.version}，学习记录 {result.written} 条"
                     f"（文件 var/demo/{path.name}），{n} 名学员的结业结果待机构确认")
    offline, created = _project(OFFLINE_CODE, "乡村教师专题培训（线下集中）", mode="offline", category="thematic",
                                hours=24, province=province, office=office, institution=institution,
                                creator=creator, start=today - dt.timedelta(days=10), end=today - dt.timedelta(days=5))
    if offline is not None and created and len(pool) >= 14:
        # A small demo (the browser tests' eight teachers a school) has no online trainees to keep apart from.
        _trainees(offline, pool[30:44] if len(pool) >= 44 else pool[:14])
        trainees = Enrolment.objects.filter(project=offline)
        last = trainees.order_by("-pk").values_list("pk", flat=True).first()
        # R48: the institution records the whole project's outcomes in one action (fire_many), one absent
        # trainee not completed with a reason; the hours wait for the office's audit (R41).
        fire_many(Enrolment, trainees.exclude(pk=last), name="complete", actor=inst_user)
        fire_many(Enrolment, trainees.filter(pk=last), name="fail", actor=inst_user, reason="缺勤超过三分之一")
        CreditRecord.objects.bulk_create([CreditRecord(enrolment_id=pk, hours=offline.hours, year=offline.end_date.year)
                                          for pk in trainees.filter(status="completed").values_list("pk", flat=True)])
        notes.append(f"{offline.name}：{trainees.count()} 名学员的结业结果已批量确认，学时待项目办审核")
    whole = _whole_staff_records(inst_user, office_user)
    if whole:
        notes.append(whole)
    return "；".join(notes) or None


def _whole_staff_records(inst_user, office_user):
    """R46-R49 on the 2026 whole-staff project (every teacher of 南昌县, enrolled by the county in one step): the
    institution's completion scheme, approved by the office before the start, and a generated learning-record
    file (var/demo/learning-records-JX2026-QY01.csv) ingested and computed, waiting for the institution."""
    from projects.models import Project

    from ..demo import WHOLE_STAFF_CODE
    from ..models import Enrolment
    from . import services
    from .ingest import IngestResult, ingest_learning_records, read_records_file
    from .models import CompletionScheme

    project = Project.objects.filter(code=WHOLE_STAFF_CODE, institution__users=inst_user).first()
    if project is None or CompletionScheme.objects.filter(project=project).exists() or \
            not Enrolment.objects.filter(project=project).exists():
        return None
    start, end, status = project.start_date, project.end_date, project.status
    # Approved before the start (R46): the demo opens the dates for the approval, then puts them back.
    today = timezone.localdate()
    Project.objects.filter(pk=project.pk).update(status="contracted", start_date=today + dt.timedelta(days=1),
                                                 end_date=max(end, today + dt.timedelta(days=2)))
    project.refresh_from_db()
    scheme = services.scheme_draft(actor=inst_user, project=project)
    services.scheme_move(actor=inst_user, scheme=scheme, name="submit")
    services.scheme_move(actor=office_user, scheme=scheme, name="approve")
    Project.objects.filter(pk=project.pk).update(status=status, start_date=start, end_date=end)
    project.refresh_from_db()
    # Four weeks of September: 4 × 700 = 2,800 of the 3,000 minutes (50 hours); every fifth 4 × 500 = 2,000,
    # under the 80% minimum; the last two never logged in (no-shows).
    path = _records_file(project, weeks=4, minutes=(700, 500))
    result = ingest_learning_records(actor=inst_user, project=project, source="江西教师网络研修平台",
                                     rows=read_records_file(path.read_bytes(), path.name, IngestResult()),
                                     valid_only=False)
    n = services.outcomes_compute(actor=inst_user, project=project)
    return (f"{project.name}：结业考核方案 v{scheme.version}，学习记录 {result.written} 条（文件 var/demo/{path.name}），"
            f"{n} 名学员的结业结果待机构确认")
