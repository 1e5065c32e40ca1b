"""Finance test data: a signed contract over a project without walking the whole tender, and trainees with
outcomes per county. Rows are created directly: these are fixtures, not workflow moves under test."""
import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from backoffice.demo import make_id_number
from backoffice.models import Organisation, OrganisationKind, Teacher
from projects.enrolment.models import Enrolment
from projects.models import AnnualPlan, Project
from tendering.models import Bid, Contract, Lot, LotRegion, Tender
from tests.factories import AnnualPlanFactory, ProjectFactory, SchoolFactory, UserFactory, region

_seq = itertools.count(1)


def contract_for(*, institution, unit_price="12.50", projects=None, hours=80, quota=50, budget="500000.00",
                 signer=None, **project_kw):
    """A contract of `institution` over `projects` (default: one new contracted project)."""
    n = next(_seq)
    signer = signer or UserFactory()
    if projects is None:
        plan = AnnualPlan.objects.filter(province__code="360000", year=2026).first() or AnnualPlanFactory()
        projects = [ProjectFactory(plan=plan, hours=hours, quota=quota, budget=Decimal(budget), **project_kw)]
    office = projects[0].office
    tender = Tender.objects.create(reference=f"FT-{n:05d}", title=f"财务测试招标{n}", province=region("360000"),
                                   office=office, wrapped_key=b"", created_by=signer)
    lot = Lot.objects.create(tender=tender, number=1, name="全省", budget=Decimal("99999999"), status="contracted")
    lot.projects.set(projects)
    LotRegion.objects.create(tender=tender, lot=lot, region=region("360000"))  # the whole province (R2 reads by it)
    bid = Bid.objects.create(lot=lot, institution=institution, status="qualified", submitted_by=signer,
                             received_at=timezone.now(), sealed=b"", receipt_sha256="0" * 64,
                             price=Decimal(unit_price))
    contract = Contract.objects.create(
        lot=lot, reference=f"HT-{n:05d}", institution=institution, bid=bid, unit_price=Decimal(unit_price),
        quota=sum(p.quota for p in projects), trainee_hours=sum(p.quota * p.hours for p in projects),
        amount=Decimal(unit_price) * sum(p.quota * p.hours for p in projects), signed_by=signer)
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(
        status="contracted", institution=institution, unit_price=Decimal(unit_price), contract_reference=contract.reference)
    return contract


def school_in(county_code: str) -> Organisation:
    school = Organisation.objects.filter(kind=OrganisationKind.SCHOOL, region__code=county_code).first()
    return school or SchoolFactory(region=region(county_code), name=f"{county_code}财务测试学校")


_teacher_seq = itertools.count(1)


def trainees(project, county_code: str, count: int, status: str = "completed") -> list[Enrolment]:
    """`count` trainees of `project` from schools of the county, with the given outcome."""
    school = school_in(county_code)
    teachers = []
    for _ in range(count):
        n = next(_teacher_seq)
        teachers.append(Teacher(
            id_number=make_id_number(county_code, dt.date(1980, 1, 1) + dt.timedelta(days=n // 900), 100 + n % 900),
            name=f"学员{n}", school=school, region=school.region, stage=school.stage or "primary", subject="maths",
            teaching_since=2010))
    Teacher.objects.bulk_create(teachers)
    now = timezone.now()
    rows = [Enrolment(project=project, teacher=t, status=status, outcome_at=now) for t in teachers]
    return Enrolment.objects.bulk_create(rows)
