"""Demo plans for Jiangxi, built through the services so every step is on the timeline. Idempotent."""
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import translation

from backoffice.models import Organisation, OrganisationKind, Region, User
from projects import services
from projects.models import AnnualPlan, InspectionVisit, Project


def _p(code, name, *, type_, category, mode, hours, quota, priority, start, end, budget, owner, office, regions,
       shadowing=0, offline=None, topics=""):
    data = {
        "code": code, "name": name, "project_type": type_, "category": category, "mode": mode, "hours": hours,
        "quota": quota, "priority_quota": priority, "start_date": start, "end_date": end, "budget": Decimal(budget),
        "shadowing_days": shadowing, "offline_start": offline[0] if offline else None,
        "offline_end": offline[1] if offline else None, "topics": topics, "office": office,
        "target_stages": ["primary", "junior"], "rural_only": False,
    }
    return data, owner, regions


def demo_plans():
    # Reasons and labels written to the audit trail are stored as text: write them in the users' language.
    with translation.override(settings.LANGUAGE_CODE):
        return _demo_plans()


def _demo_plans():
    province = Region.objects.get(code="360000")
    users = {u.username: u for u in User.objects.filter(
        username__in=["province", "office", "city", "ministry", "institution"])}
    if len(users) < 5:
        return None
    office = users["office"].organisation
    city = users["city"].organisation
    institution = Organisation.objects.get(kind=OrganisationKind.INSTITUTION, name="江西师范大学")
    nanchang, ganzhou, nanchang_county = (Region.objects.get(code=c) for c in ("360100", "360700", "360121"))
    notes = []
    if not AnnualPlan.objects.filter(province=province, year=2026).exists():
        notes.append(_plan_2026(users, province, office, city, institution, nanchang, ganzhou, nanchang_county))
    if not AnnualPlan.objects.filter(province=province, year=2027).exists():
        notes.append(_plan_2027(users, province, office, city, nanchang, ganzhou))
    return "；".join(notes) or None


def _create(users, plan, spec):
    data, owner, regions = spec
    actor = users["province"]
    return services.project_create(actor=actor, plan=plan, data=data, owner=owner, regions=regions)


def _to_approved(users, project):
    owner_user = users["city"] if project.owner_id == users["city"].organisation_id else users["office"]
    services.project_submit(project=project, actor=owner_user)
    services.project_review(project=project, actor=users["office"])
    services.project_approve(project=project, actor=users["province"])


def _plan_2026(users, province, office, city, institution, nanchang, ganzhou, nanchang_county):
    plan = services.plan_create(actor=users["province"], province=province, year=2026,
                                title="江西省2026年“国培计划”项目实施方案", central_subsidy=Decimal("30000000.00"))
    d = dt.date
    specs = [
        _p("JX2026-001", "中小学骨干教师能力提升培训（语文）", type_="central_western", category="backbone", mode="offline",
           hours=80, quota=100, priority=30, start=d(2026, 12, 7), end=d(2026, 12, 16), budget="1200000.00",
           owner=office, office=office, regions=[nanchang], topics="新课标教学设计；大单元教学"),
        _p("JX2026-002", "乡村教师访名校研修", type_="central_western", category="rural_visit", mode="offline",
           hours=60, quota=80, priority=40, start=d(2026, 12, 14), end=d(2026, 12, 21), budget="900000.00",
           owner=city, office=office, regions=[nanchang_county], topics="名校跟岗；课堂观摩"),
        _p("JX2026-003", "县级教师培训团队研修", type_="demonstration", category="team_research", mode="blended",
           hours=120, quota=60, priority=20, start=d(2026, 12, 1), end=d(2027, 3, 1), budget="1500000.00",
           owner=office, office=office, regions=[ganzhou], shadowing=35, offline=(d(2027, 1, 5), d(2027, 2, 8)),
           topics="培训者专业能力；送教设计"),
        _p("JX2026-004", "新入职教师规范化培训", type_="central_western", category="new_teacher", mode="offline",
           hours=100, quota=120, priority=36, start=d(2026, 12, 10), end=d(2026, 12, 24), budget="1800000.00",
           owner=office, office=office, regions=[nanchang], topics="师德师风；课堂管理"),
        _p("JX2026-005", "送教下乡精准培训", type_="central_western", category="send_to_village", mode="offline",
           hours=40, quota=200, priority=120, start=d(2026, 11, 16), end=d(2026, 12, 18), budget="800000.00",
           owner=city, office=office, regions=[nanchang_county], topics="诊断示范；研课磨课"),
        _p("JX2026-006", "信息技术应用能力提升（整校推进）", type_="demonstration", category="thematic", mode="online",
           hours=50, quota=300, priority=90, start=d(2026, 12, 1), end=d(2026, 12, 31), budget="600000.00",
           owner=office, office=office, regions=[ganzhou]),
    ]
    projects = [_create(users, plan, s) for s in specs]
    services.project_cancel(project=projects[5], actor=users["province"],
                            reason="与省级信息化专项重复，并入2027年方案统筹安排")
    for p in projects[:5]:
        _to_approved(users, p)
    services.plan_submit(plan=plan, actor=users["province"])
    services.plan_approve(plan=plan, actor=users["ministry"])
    services.plan_file(plan=plan, actor=users["ministry"])
    for p in projects[3:5]:
        services.project_put_to_tender(project=p, actor=users["province"])
        services.project_record_contract(project=p, actor=users["province"], institution=institution,
                                         unit_price=Decimal("12.50"), contract_reference=f"JXGP-HT-{p.code}")
    services.project_start(project=projects[4], actor=users["institution"])
    services.inspection_visit_record(
        actor=users["office"], project=projects[4], visit_date=d(2026, 11, 20), inspectors="王主任、赵科长",
        findings="送教点课堂观摩安排紧凑；部分学员未按时提交研修日志。", rectification_deadline=d(2026, 11, 30),
        rectification_status="pending")
    return "2026年方案已备案：3个项目待招标，1个已签约（江西师范大学，12.50元/人·学时），1个实施中，1个已撤销"


def _plan_2027(users, province, office, city, nanchang, ganzhou):
    plan = services.plan_create(actor=users["province"], province=province, year=2027,
                                title="江西省2027年“国培计划”项目实施方案（编制中）", central_subsidy=Decimal("32000000.00"))
    d = dt.date
    specs = [
        _p("JX2027-001", "幼儿园骨干教师保教能力提升", type_="preschool", category="backbone", mode="offline", hours=80,
           quota=80, priority=24, start=d(2027, 7, 5), end=d(2027, 7, 14), budget="1000000.00", owner=office,
           office=office, regions=[nanchang]),
        _p("JX2027-002", "青年教师助力培训", type_="central_western", category="young_teacher", mode="blended", hours=90,
           quota=150, priority=45, start=d(2027, 6, 1), end=d(2027, 9, 30), budget="1300000.00", owner=city,
           office=office, regions=[nanchang], offline=(d(2027, 7, 10), d(2027, 7, 20))),
        _p("JX2027-003", "网络研修与校本研修整合培训", type_="central_western", category="online_research", mode="online",
           hours=80, quota=500, priority=150, start=d(2027, 4, 1), end=d(2027, 10, 31), budget="750000.00",
           owner=office, office=office, regions=[ganzhou]),
        _p("JX2027-004", "中小学校长任职资格培训", type_="demonstration", category="principal", mode="offline", hours=120,
           quota=60, priority=18, start=d(2027, 8, 1), end=d(2027, 8, 20), budget="1100000.00", owner=city,
           office=office, regions=[nanchang]),
    ]
    projects = [_create(users, plan, s) for s in specs]
    # one draft, one submitted, one reviewed (waiting for the province), one returned
    services.project_submit(project=projects[1], actor=users["city"])
    services.project_submit(project=projects[2], actor=users["office"])
    services.project_review(project=projects[2], actor=users["office"])
    services.project_submit(project=projects[3], actor=users["city"])
    services.project_return(project=projects[3], actor=users["office"],
                            reason="预算测算依据不足，请补充分项预算并核减场地费")
    return "2027年方案编制中：草稿、已报送、已审核、已退回各1个项目"


__all__ = ["demo_plans", "InspectionVisit", "Project"]
