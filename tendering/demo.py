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

    from backoffice.demo import GIVEN, SURNAMES, demo_account
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
        made_experts += not User.objects.filter(username=username).exists()
        # Through demo_account, so every expertNN log-in is printed with the others.
        user = demo_account(username=username, full_name=f"评审专家 {name}", role=Role.EXPERT, organisation=employer)
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
    # The first filed project only: the next two go to the demo's tender ready to open and its lot being scored.
    projects = list(Project.objects.filter(status=ProjectStatus.FILED, plan__province__code="360000").order_by("code")[:1])
    if office is None or not projects:
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
    lot_add(actor=office, tender=tender, name="全省", regions=cities, projects=projects,
            budget=sum(p.budget for p in projects))
    tender_announce(actor=office, tender=tender)
    return f"已发布演示招标 {tender.reference}"


# -- issue 14: a tender ready to open and a lot waiting for its panel's scores ----------------------------------
READY_TITLE = "【演示·待开标】2026年国培计划乡村教师访名校研修项目承训机构遴选"
SCORING_TITLE = "【演示·评标中】2026年国培计划县级教师培训团队研修项目承训机构遴选"
BIDDERS = [("institution", Decimal("48.00"), "周教授"), ("institution2", Decimal("52.50"), "吴教授"),
           ("institution3", Decimal("45.00"), "冯教授")]


def _bid(user, lot, price, chief):
    from tendering.services import bid_submit

    team = [{"name": chief, "own_staff": True}, {"name": "刘老师", "own_staff": True},
            {"name": "陈老师", "own_staff": False}]
    return bid_submit(actor=user, lot=lot, price=price, chief_expert=chief, chief_own_staff=True, team=team,
                      past_projects=["2024年国培计划中西部项目（国家级）"],
                      document=_pdf(f"{lot.pk}-{user.username}"), document_name="技术方案.pdf")


def _sealed_tender(*, title, project, announced_at, bids_at):
    """Announce a one-lot tender over `project` at `announced_at` (R22: deadline 21 days later) and have the three
    demo institutions bid at `bids_at`, through the services with the clock set back (backoffice.demo_clock)."""
    from backoffice.demo import demo_clock
    from backoffice.models import Region, Role, User
    from tendering.models import QualificationKind
    from tendering.services import criteria_set, lot_add, tender_announce, tender_create

    office = User.objects.get(username="office", role=Role.PROJECT_OFFICE_STAFF)
    with demo_clock(announced_at):
        tender = tender_create(
            actor=office, title=title, projects=[project], price_weight=Decimal("0.30"),
            clarification_deadline=announced_at + dt.timedelta(days=5),
            bid_deadline=announced_at + dt.timedelta(days=21), opening_at=announced_at + dt.timedelta(days=21, hours=1),
            required_qualifications=[QualificationKind.LEGAL_ENTITY, QualificationKind.TRAINING_LICENCE],
            description="面向全省遴选承训机构。")
        criteria_set(actor=office, tender=tender, criteria=[
            ("培训方案设计", Decimal("0.30")), ("培训团队", Decimal("0.25")), ("组织管理与保障", Decimal("0.15"))])
        lot_add(actor=office, tender=tender, name="全省", projects=[project], budget=project.budget,
                regions=list(Region.objects.filter(parent__code="360000", level="city").order_by("code")),
                max_unit_price=Decimal("60.00"))
        tender = tender_announce(actor=office, tender=tender)
    lot = tender.lots.get()
    with demo_clock(bids_at):
        for username, price, chief in BIDDERS:
            _bid(User.objects.get(username=username, role=Role.INSTITUTION_STAFF), lot, price, chief)
    return tender, lot, office


def _next_filed_project():
    from projects.models import Project, ProjectStatus

    return Project.objects.filter(status=ProjectStatus.FILED, plan__province__code="360000").order_by("code").first()


@transaction.atomic
def demo_ready_to_open():
    """A tender whose bids are sealed and whose opening time passed an hour ago: the office opens it (R23)."""
    from backoffice.demo import demo_link
    from tendering.models import Tender

    demo_link("中标公告（公示）", "/tendering/notices/")

    if Tender.objects.filter(title=READY_TITLE).exists():
        return None
    project = _next_filed_project()
    if project is None:
        return None
    now = timezone.now()
    tender, _lot, _office = _sealed_tender(title=READY_TITLE, project=project,
                                           announced_at=now - dt.timedelta(days=21, hours=2),
                                           bids_at=now - dt.timedelta(days=3))
    return f"待开标招标 {tender.reference}：3 份密封投标，开标时间已过（office 登录后开标）"


@transaction.atomic
def demo_lot_in_scoring():
    """A tender opened yesterday whose lot waits for its panel's scores: `expert` sits on the panel (R25) and has
    not scored yet; the other four experts have submitted theirs."""
    from backoffice.demo import demo_clock
    from backoffice.models import Role, User
    from tendering.models import BidStatus, Tender
    from tendering.services import panel_draw, scores_save, tender_open

    if Tender.objects.filter(title=SCORING_TITLE).exists():
        return None
    project = _next_filed_project()
    expert = User.objects.filter(username="expert", role=Role.EXPERT).first()
    if project is None or expert is None:
        return None
    now = timezone.now()
    tender, lot, office = _sealed_tender(title=SCORING_TITLE, project=project,
                                         announced_at=now - dt.timedelta(days=23),
                                         bids_at=now - dt.timedelta(days=5))
    with demo_clock(now - dt.timedelta(days=1, hours=20)):
        tender_open(actor=office, tender=tender)
    lot.refresh_from_db()
    # The draw is random from a recorded seed (R25); the demo keeps the first seed that seats `expert`.
    with demo_clock(now - dt.timedelta(days=1, hours=18)):
        for n in range(1, 200):
            try:
                with transaction.atomic():
                    panel = panel_draw(actor=office, lot=lot, seed=f"demo-panel-{n}")
                    if not panel.members.filter(user=expert).exists():
                        raise LookupError
                    break
            except LookupError:
                continue
        else:
            return None
    bids = list(lot.bids.filter(status=BidStatus.QUALIFIED).order_by("pk"))
    criteria = list(tender.criteria.all())
    rng = random.Random("demo-scores")
    with demo_clock(now - dt.timedelta(hours=20)):
        for member in panel.members.exclude(user=expert).select_related("user"):
            scores = {(b.pk, c.pk): (str(rng.randrange(70, 95)), "") for b in bids for c in criteria}
            scores_save(actor=member.user, lot=lot, scores=scores, submit=True)
    return f"评标中招标 {tender.reference}：评标委员会 {panel.members.count()} 人，expert 尚未评分"
