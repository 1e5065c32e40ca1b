"""Demo data for enrolment (idempotent): past outcomes so the integrity record and the 3-year ban show, and
applicants for every contracted project. Does nothing harmful when no projects exist."""
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from backoffice.models import Organisation, OrganisationKind, Region, Teacher, User

PAST_CODE = "JX2025-001"


def _past_project(province, office, institution, creator):
    """A finished 2025 project, owned by the demo; created directly because no plan or tender leads to it."""
    from projects.models import AnnualPlan, Project

    found = Project.objects.filter(code=PAST_CODE).first()
    if found:
        return found
    plan, _ = AnnualPlan.objects.get_or_create(
        province=province, year=2025,
        defaults={"title": "江西省2025年国培计划实施方案", "central_subsidy": Decimal("30000000.00"), "created_by": creator})
    # Last year's plan was filed long ago; set directly, like the project below, since no workflow led to it.
    AnnualPlan.objects.filter(pk=plan.pk, status="draft").update(
        status="filed", submitted_at=timezone.make_aware(dt.datetime(2025, 2, 10, 9)),
        approved_at=timezone.make_aware(dt.datetime(2025, 2, 20, 9)), filed_at=timezone.make_aware(dt.datetime(2025, 3, 1, 9)))
    project = Project.objects.create(
        plan=plan, code=PAST_CODE, name="乡村教师访名校研修项目", project_type="central_western",
        category="rural_visit", mode="offline", hours=60, quota=30, start_date=dt.date(2025, 6, 16),
        end_date=dt.date(2025, 6, 25), budget=Decimal("300000.00"), owner=office, office=office, created_by=creator)
    Project.objects.filter(pk=project.pk).update(status="completed", institution=institution,
                                                 unit_price=Decimal("50.00"), contracted_at=timezone.now())
    return Project.objects.get(pk=project.pk)


@transaction.atomic
def demo_enrolment():
    from projects.models import Project

    from .models import CreditRecord, CreditStatus, Enrolment, EnrolmentStatus as S

    province = Region.objects.filter(code="360000").first()
    office = Organisation.objects.filter(kind=OrganisationKind.PROJECT_OFFICE, region=province).order_by("pk").first()
    institution = Organisation.objects.filter(kind=OrganisationKind.INSTITUTION, name="江西师范大学").first()
    creator = User.objects.filter(username="province").first()
    if not (province and office and institution and creator):
        return None
    notes = []
    past = _past_project(province, office, institution, creator)
    # Primary teachers of 南昌县, where the demo county clerk and school administrator work.
    local = list(Teacher.objects.filter(region__code="360121", stage="primary").order_by("id_number")[:60])
    teachers = local[:10]
    if teachers and not Enrolment.objects.filter(project=past).exists():
        outcomes = [S.NO_SHOW, S.NOT_COMPLETED] + [S.COMPLETED] * 8
        rows = [Enrolment(project=past, teacher=t, status=o, submitted_at=timezone.make_aware(dt.datetime(2025, 5, 6, 9, i)),
                          outcome_at=timezone.make_aware(dt.datetime(2025, 6, 25, 17)),
                          outcome_reason="无故未报到" if o == S.NO_SHOW else ("考核不合格" if o == S.NOT_COMPLETED else ""))
                for i, (t, o) in enumerate(zip(teachers, outcomes))]
        Enrolment.objects.bulk_create(rows)
        CreditRecord.objects.bulk_create([
            CreditRecord(enrolment=e, hours=past.hours, year=2025, status=CreditStatus.APPROVED,
                         audited_at=timezone.make_aware(dt.datetime(2025, 7, 10, 10)))
            for e in Enrolment.objects.filter(project=past, status=S.COMPLETED)])
        notes.append(f"{past.name}：{teachers[0].name} 未参训（2028-06-25 前不得参加国培），{teachers[1].name} 未结业")

    # Applicants for each contracted project: teachers of 南昌县 and 新建区 matching the stage criteria.
    for project in Project.objects.filter(status="contracted", institution__isnull=False):
        if Enrolment.objects.filter(project=project).exists():
            continue
        pool = [t for t in local[10:] if not project.target_stages or t.stage in project.target_stages]
        chosen = pool[: int(project.quota * 1.5) + 1]
        # Include the 2025 no-show, so the screening shows the ban.
        banned = Enrolment.objects.filter(project=past, status=S.NO_SHOW).select_related("teacher").first()
        if banned and banned.teacher not in chosen:
            chosen.append(banned.teacher)
        start = timezone.now() - dt.timedelta(days=20)  # applied before the demo's selection replays (R32)
        Enrolment.objects.bulk_create([
            Enrolment(project=project, teacher=t, submitted_at=start + dt.timedelta(seconds=i), nominated_by="school")
            for i, t in enumerate(chosen)])
        notes.append(f"{project.name}：{len(chosen)} 名申报人员")
    whole = _whole_staff_project(province, office, institution, creator)
    if whole is not None:
        notes.append(whole)
    return "；".join(notes) or None


WHOLE_STAFF_CODE = "JX2026-QY01"


def _whole_staff_project(province, office, institution, creator):
    """R49: a 2026 whole-staff project for 南昌县, every teacher enrolled by the county clerk in one step."""
    from projects.models import AnnualPlan, Project

    from .whole_staff import whole_staff_enrol

    county = Region.objects.filter(code="360121").first()
    clerk = User.objects.filter(username="county").first()
    if county is None or clerk is None or Project.objects.filter(code=WHOLE_STAFF_CODE).exists():
        return None
    plan = AnnualPlan.objects.filter(province=province, year=2026).first()
    if plan is None:
        return None
    project = Project.objects.create(
        plan=plan, code=WHOLE_STAFF_CODE, name="南昌县2026年中小学教师全员培训", project_type="central_western",
        category="whole_staff", mode="online", hours=50,
        quota=max(Teacher.objects.filter(region=county).count(), 1), start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2026, 12, 31), budget=Decimal("200000.00"), owner=office, office=office, created_by=creator)
    project.regions.set([county])
    # Contracted directly, like the 2025 project: the demo's tenders cover the other projects.
    Project.objects.filter(pk=project.pk).update(status="in_progress", institution=institution,
                                                 unit_price=Decimal("4.00"), contracted_at=timezone.now())
    project.refresh_from_db()
    added = whole_staff_enrol(actor=clerk, project=project)
    return f"{project.name}：{added} 名教师一次纳入（全员培训）"


# -- issue 14: a selection that reached enrolment, and a list in its publicity window ---------------------------
def demo_selection():
    from backoffice.demo import demo_link

    demo_link("参训学员遴选结果公示", "/enrolment/publicity/")
    with translation.override(settings.LANGUAGE_CODE):
        return _demo_selection()


@transaction.atomic
def _demo_selection():
    """On the contracted 2026 project: 20 applicants recommended, selected and publicised twelve days ago, now
    enrolled (admission notices); 10 more selected and publicised today (the public 公示 list); a few recommended
    left for the institution to select and the rest for the county to screen. Replayed through the services at
    past times (backoffice.demo.demo_clock) so R32's publicity window really ended before enrolment."""
    from backoffice.demo import demo_clock
    from backoffice.exceptions import DomainError
    from projects.models import Project

    from . import services
    from .models import Enrolment, EnrolmentStatus as S

    users = {u.username: u for u in User.objects.filter(username__in=["county", "institution", "province"])}
    project = (Project.objects.filter(status="contracted", institution__name="江西师范大学", enrolments__isnull=False)
               .order_by("code").distinct().first())
    if len(users) < 3 or project is None or Enrolment.objects.filter(project=project).exclude(
            status__in=[S.APPLIED]).exists():
        return None
    now = timezone.now()
    applicants = list(Enrolment.objects.filter(project=project, status=S.APPLIED).order_by("submitted_at", "pk"))
    recommended = []
    with demo_clock(now - dt.timedelta(days=12)):
        for enrolment in applicants:
            if len(recommended) == 35:
                break
            try:  # the 2025 no-show stays an applicant: the county's screening refuses her (R34)
                recommended.append(services.enrolment_recommend(actor=users["county"], enrolment=enrolment))
            except DomainError:
                continue
        # Of 35 recommended: 20 enrolled, 10 publicised now, 5 left to select (fewer on a smaller demo).
        first, second = len(recommended) * 4 // 7, len(recommended) * 6 // 7
        if not first:
            return None
        for enrolment in recommended[:first]:
            services.enrolment_select(actor=users["institution"], enrolment=enrolment)
        services.project_publicise(actor=users["province"], project=project)
    enrolled = services.project_enrol_publicised(actor=users["province"], project=project)
    for enrolment in recommended[first:second]:
        services.enrolment_select(actor=users["institution"], enrolment=enrolment)
    publicised = services.project_publicise(actor=users["province"], project=project) if second > first else 0
    return (f"{project.name}：{enrolled} 人已录取（可打印录取通知书），{publicised} 人公示中"
            f"（公示名单 /enrolment/publicity/{project.pk}/），{len(recommended) - second} 人待机构遴选")


PAST_CODE_2 = "JX2025-002"


@transaction.atomic
def past_project_for_evaluation():
    """A second finished 2025 project (南昌大学, 12 completed trainees), written directly like the first: the
    evaluation demo keeps its evaluation open, so the survey link and the assessors' scoring can be tried."""
    from projects.models import AnnualPlan, Project

    from .models import Enrolment

    found = Project.objects.filter(code=PAST_CODE_2).first()
    if found:
        return found
    plan = AnnualPlan.objects.filter(province__code="360000", year=2025).first()
    office = Organisation.objects.filter(kind=OrganisationKind.PROJECT_OFFICE, region__code="360000").order_by("pk").first()
    institution = Organisation.objects.filter(kind=OrganisationKind.INSTITUTION, name="南昌大学").first()
    creator = User.objects.filter(username="province").first()
    teachers = list(Teacher.objects.filter(region__code="360121", stage="senior").order_by("id_number")[:12])
    if not (plan and office and institution and creator and teachers):
        return None
    project = Project.objects.create(
        plan=plan, code=PAST_CODE_2, name="高中骨干教师学科育人能力提升研修", project_type="central_western",
        category="backbone", mode="offline", hours=80, quota=12, start_date=dt.date(2025, 10, 13),
        end_date=dt.date(2025, 10, 22), budget=Decimal("150000.00"), owner=office, office=office, created_by=creator)
    Project.objects.filter(pk=project.pk).update(status="completed", institution=institution,
                                                 unit_price=Decimal("48.00"), contracted_at=timezone.now())
    outcome_at = timezone.make_aware(dt.datetime(2025, 10, 22, 17))
    Enrolment.objects.bulk_create([
        Enrolment(project=project, teacher=t, status="completed", outcome_at=outcome_at,
                  submitted_at=timezone.make_aware(dt.datetime(2025, 9, 1, 9, i))) for i, t in enumerate(teachers)])
    return Project.objects.get(pk=project.pk)
