"""Demo data for tendering: profiles and qualifications for the demo institutions, an expert pool, and, when
filed projects exist, an announced tender over them. Idempotent: a second run adds nothing."""
import datetime as dt
import hashlib
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

EXPERT_COUNT = 25
DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(text: str) -> bytes:
    return DEMO_PDF + text.encode()


@transaction.atomic
def demo_step():
    from django.core.files.base import ContentFile

    from backoffice.demo import DEMO_PASSWORD, GIVEN, SURNAMES, demo_account
    from backoffice.models import Organisation, OrganisationKind, Role, User
    from tendering.models import ExpertProfile, InstitutionProfile, Qualification, QualificationKind

    institutions = list(Organisation.objects.filter(kind=OrganisationKind.INSTITUTION, region__code__startswith="36")
                        .order_by("pk"))
    made_profiles = made_quals = made_experts = 0
    for i, inst in enumerate(institutions):
        profile, created = InstitutionProfile.objects.get_or_create(institution=inst, defaults={
            "description": f"{inst.name}长期承担教师培训任务，拥有专职培训团队。",
            "contact_name": "培训办公室", "contact_phone": f"0791-8{i:03d}1234", "staff_count": 20 + i,
            "track_record": f"{2023 + i % 2}年国培计划中西部项目（国家级）\n{2024}年江西省骨干教师培训（省级）",
        })
        made_profiles += created
        for kind in (QualificationKind.LEGAL_ENTITY, QualificationKind.TRAINING_LICENCE, QualificationKind.TAX_CREDIT):
            if not Qualification.objects.filter(institution=inst, kind=kind).exists():
                data = _pdf(f"{inst.pk}-{kind}")
                q = Qualification(institution=inst, kind=kind, number=f"{kind[:3].upper()}-{inst.pk:05d}",
                                  valid_until=dt.date(2029, 12, 31), sha256=hashlib.sha256(data).hexdigest(),
                                  document_name=f"{kind}.pdf",
                                  uploaded_by=User.objects.filter(is_superuser=True).order_by("pk").first())
                if q.uploaded_by is None:
                    return None
                q.document.save(f"{kind}.pdf", ContentFile(data), save=False)
                q.save()
                made_quals += 1
    rng = random.Random("guopei-experts")
    employers = institutions or [None]
    for n in range(1, EXPERT_COUNT + 1):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        username = f"expert{n:02d}"
        employer = employers[(n * 7) % len(employers)]
        user, created = User.objects.get_or_create(username=username, defaults={
            "full_name": f"评审专家 {name}", "role": Role.EXPERT, "organisation": employer})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            made_experts += 1
        ExpertProfile.objects.get_or_create(user=user, defaults={"employer": employer, "speciality": "教师教育"})
    # A third bidder account, so a demo lot can reach the three qualified bids R24 asks for.
    if len(institutions) > 3:
        demo_account(username="institution3", full_name=f"{institutions[3].name} 冯老师",
                     role=Role.INSTITUTION_STAFF, organisation=institutions[3])
    main_expert = User.objects.filter(username="expert", role=Role.EXPERT).first()
    if main_expert:
        ExpertProfile.objects.get_or_create(user=main_expert, defaults={"employer": main_expert.organisation,
                                                                        "speciality": "教师教育"})
    note = _demo_tender()
    return (f"招投标：机构档案 {made_profiles} 个、资质文件 {made_quals} 份、评审专家 {made_experts} 名"
            f"（账号 expert01–expert{EXPERT_COUNT:02d}）"
            + (f"；{note}" if note else ""))


def _demo_tender():
    """An announced tender over up to four filed projects of the demo province, when the plan demo provides them."""
    from backoffice.models import Region, Role, User
    from projects.models import Project, ProjectStatus
    from tendering.models import QualificationKind, Tender
    from tendering.services import criteria_set, lot_add, tender_announce, tender_create

    if Tender.objects.filter(title__startswith="【演示】").exists():
        return ""
    office = User.objects.filter(username="office", role=Role.PROJECT_OFFICE_STAFF).first()
    projects = list(Project.objects.filter(status=ProjectStatus.FILED, plan__province__code="360000").order_by("code")[:4])
    if office is None or len(projects) < 2:
        return ""
    now = timezone.now()
    tender = tender_create(
        actor=office, title="【演示】2026年国培计划中西部项目承训机构遴选", projects=projects,
        clarification_deadline=now + dt.timedelta(days=6), bid_deadline=now + dt.timedelta(days=21),
        opening_at=now + dt.timedelta(days=21, hours=1), price_weight=Decimal("0.30"),
        required_qualifications=[QualificationKind.LEGAL_ENTITY, QualificationKind.TRAINING_LICENCE],
        description="面向全省遴选国培计划承训机构，按片区分标段。")
    criteria_set(actor=office, tender=tender, criteria=[
        ("培训方案设计", Decimal("0.30")), ("培训团队", Decimal("0.25")), ("组织管理与保障", Decimal("0.15"))])
    cities = list(Region.objects.filter(parent__code="360000", level="city").order_by("code"))
    half = max(len(projects) // 2, 1)
    lot_add(actor=office, tender=tender, name="赣北片区", regions=cities[: len(cities) // 2],
            projects=projects[:half], budget=sum(p.budget for p in projects[:half]))
    lot_add(actor=office, tender=tender, name="赣南片区", regions=cities[len(cities) // 2:],
            projects=projects[half:], budget=sum(p.budget for p in projects[half:]))
    tender_announce(actor=office, tender=tender)
    return f"已发布演示招标 {tender.reference}"
