"""A believable province for demonstration: Jiangxi's real regions, made-up people. Deterministic and idempotent."""
import random
from contextlib import contextmanager
from datetime import date
from unittest import mock

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from backoffice.identity import check_char
from backoffice.models import Organisation, OrganisationKind, Region, Role, SchoolStage, Subject, Teacher, TeacherTitle, User
from backoffice.regions_data import regions_load

PROVINCE = "360000"
# Workflow apps add their demo data with register_demo_step(func) in AppConfig.ready(); each step is idempotent.
DEMO_STEPS: list = []


def register_demo_step(func, *, order: int = 100):
    if all(f is not func for _, f in DEMO_STEPS):
        DEMO_STEPS.append((order, func))
        DEMO_STEPS.sort(key=lambda s: s[0])
DEMO_PASSWORD = "Guopei-2026"
# Every account the demo makes, in the order it made them, so `seed_demo` prints them all (steps add theirs).
DEMO_ACCOUNTS: list = []
# Pages worth opening without logging in (a survey link, a public list), printed last: (label, path).
DEMO_LINKS: list = []


def demo_link(label: str, path: str):
    DEMO_LINKS[:] = [(lbl, p) for lbl, p in DEMO_LINKS if lbl != label] + [(label, path)]


def demo_account(*, username: str, full_name: str, role: str, organisation):
    """Get or create a demo log-in with the demo password; idempotent, and listed in the printed log-ins."""
    from backoffice.models import User

    user, created = User.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "role": role, "organisation": organisation})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if all(u.pk != user.pk for u in DEMO_ACCOUNTS):
        DEMO_ACCOUNTS.append(user)
    return user

INSTITUTIONS = [
    "江西师范大学", "南昌大学", "赣南师范大学", "江西科技师范大学", "上饶师范学院", "南昌师范学院", "九江学院",
    "宜春学院", "井冈山大学", "赣南医科大学", "景德镇学院", "萍乡学院", "新余学院", "豫章师范学院",
    "江西服装学院", "东华理工大学", "江西财经大学", "华东交通大学", "江西农业大学", "江西中医药大学",
    "江西教育发展研究院", "江西省教育评估监测研究院", "南昌职业大学", "赣州师范高等专科学校",
    "抚州幼儿师范高等专科学校", "江西师大附属教育集团", "江西智慧教育科技有限公司", "赣鄱教师发展研究有限公司",
    "洪城教育培训有限公司", "庐山教育科技有限公司",
]
PROJECT_OFFICES = [
    "江西省中小学教师发展中心", "江西省中小学校长培训中心", "江西省幼儿师资培训中心",
    "江西省教育信息技术培训办公室", "江西省职业教育师资培训办公室",
]
EVALUATORS = ["江西省教育质量评估中心", "赣江第三方评估咨询有限公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力鹏宇浩凯晨欣怡婷雪梅琳颖倩晶慧佳俊峰志军亮斌鑫丹薇琪睿轩涵瑶"
SCHOOL_PATTERNS = [
    ("{c}第一中学", SchoolStage.SENIOR, False), ("{c}实验小学", SchoolStage.PRIMARY, False),
    ("{c}第二中学", SchoolStage.JUNIOR, False), ("{c}中心幼儿园", SchoolStage.KINDERGARTEN, False),
    ("{c}城关镇中心小学", SchoolStage.PRIMARY, True),
]
STAGE_SUBJECTS = {
    SchoolStage.KINDERGARTEN: [Subject.PRESCHOOL],
    SchoolStage.PRIMARY: [Subject.CHINESE, Subject.MATHS, Subject.ENGLISH, Subject.SCIENCE, Subject.MUSIC, Subject.PE, Subject.ART],
    SchoolStage.JUNIOR: [Subject.CHINESE, Subject.MATHS, Subject.ENGLISH, Subject.PHYSICS, Subject.HISTORY, Subject.MORALITY],
    SchoolStage.SENIOR: [Subject.CHINESE, Subject.MATHS, Subject.ENGLISH, Subject.PHYSICS, Subject.CHEMISTRY, Subject.BIOLOGY, Subject.GEOGRAPHY],
}


def make_id_number(county_code: str, birth: date, seq: int) -> str:
    first17 = f"{county_code}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def _org(kind, name, region, **extra):
    org, _ = Organisation.objects.get_or_create(kind=kind, region=region, name=name, defaults=extra)
    return org


@transaction.atomic
def seed_demo(*, teachers_per_school: int = 40) -> dict:
    regions_load(province_codes={"36"})
    province = Region.objects.get(code=PROVINCE)
    cities = list(Region.objects.filter(parent=province, level="city").order_by("code"))
    counties = list(Region.objects.filter(code__startswith="36", level="county").select_related("parent").order_by("code"))

    ministry = _org(OrganisationKind.MINISTRY, "中华人民共和国教育部", None)
    department = _org(OrganisationKind.PROVINCE_DEPARTMENT, "江西省教育厅", province)
    offices = [_org(OrganisationKind.PROJECT_OFFICE, n, province) for n in PROJECT_OFFICES]
    city_bureaus = {c.code: _org(OrganisationKind.CITY_BUREAU, f"{c.name}教育局", c) for c in cities}
    county_bureaus = {c.code: _org(OrganisationKind.COUNTY_BUREAU, f"{c.name}教育局", c) for c in counties}
    institutions = [_org(OrganisationKind.INSTITUTION, n, cities[i % len(cities)]) for i, n in enumerate(INSTITUTIONS)]
    evaluators = [_org(OrganisationKind.EVALUATOR, n, province) for n in EVALUATORS]

    # Schools: five per county, one insert for the missing ones.
    existing = set(Organisation.objects.filter(kind=OrganisationKind.SCHOOL).values_list("region_id", "name"))
    new_schools = []
    for county in counties:
        for index, (pattern, stage, rural) in enumerate(SCHOOL_PATTERNS):
            name = pattern.format(c=county.name)
            if (county.pk, name) not in existing:
                new_schools.append(Organisation(
                    kind=OrganisationKind.SCHOOL, region=county, name=name, stage=stage,
                    is_rural=rural or county.is_priority_county, code=f"S{county.code}{index}",
                ))
    Organisation.objects.bulk_create(new_schools)
    schools = list(Organisation.objects.filter(kind=OrganisationKind.SCHOOL, region__code__startswith="36")
                   .select_related("region").order_by("region__code", "code"))

    # Teachers: each derived from its school's code and position, so a second run finds them all.
    have = set(Teacher.objects.values_list("id_number", flat=True))
    new_teachers = []
    for school in schools:
        pattern_index = int(school.code[-1])
        for t in range(teachers_per_school):
            rng = random.Random(f"{school.code}-{t}")
            birth = date(1966 + rng.randrange(34), 1 + rng.randrange(12), 1 + rng.randrange(28))
            number = make_id_number(school.region.code, birth, pattern_index * 100 + t)
            if number in have:
                continue
            have.add(number)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            new_teachers.append(Teacher(
                id_number=number, name=name, school=school, region=school.region, stage=school.stage,
                subject=rng.choice(STAGE_SUBJECTS.get(school.stage, [Subject.OTHER])),
                title=rng.choice([TeacherTitle.NONE, TeacherTitle.SECOND, TeacherTitle.FIRST, TeacherTitle.SENIOR]),
                teaching_since=min(birth.year + 22 + rng.randrange(4), 2025), is_rural=school.is_rural,
                is_priority_county=school.region.is_priority_county, phone=f"13{rng.randrange(10**9):09d}",
            ))
    bulk_create_with_history(new_teachers, Teacher, batch_size=2000)

    nanchang_county = next(c for c in counties if c.code == "360121")
    county_school = next(s for s in schools if s.region_id == nanchang_county.pk)
    people = [
        ("ministry", "教育部 张司长", Role.MINISTRY_STAFF, ministry),
        ("province", "省教育厅 李处长", Role.PROVINCE_STAFF, department),
        ("office", "教师发展中心 王主任", Role.PROJECT_OFFICE_STAFF, offices[0]),
        ("city", "南昌市教育局 赵科长", Role.CITY_STAFF, city_bureaus["360100"]),
        ("county", "南昌县教育局 陈老师", Role.COUNTY_STAFF, county_bureaus["360121"]),
        ("school", f"{county_school.name} 刘校长", Role.SCHOOL_ADMIN, county_school),
        ("institution", "江西师范大学 周老师", Role.INSTITUTION_STAFF, institutions[0]),
        ("institution2", "南昌大学 吴老师", Role.INSTITUTION_STAFF, institutions[1]),
        ("expert", "评审专家 孙教授", Role.EXPERT, institutions[2]),
        ("finance", "省教育厅财务处 钱会计", Role.FINANCE_OFFICER, department),
        ("auditor", "省审计 郑审计员", Role.AUDITOR, department),
    ]
    DEMO_ACCOUNTS.clear()
    DEMO_LINKS.clear()
    for username, full_name, role, org in people:
        demo_account(username=username, full_name=full_name, role=role, organisation=org)
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"full_name": "系统管理员", "is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    notes = []
    for _, step in DEMO_STEPS:
        note = step()
        if note:
            notes.append(note)
    accounts = [(u.username, u.get_role_display(), str(u.organisation)) for u in DEMO_ACCOUNTS]
    accounts.append(("admin", "系统管理员", "—"))
    return {
        "notes": notes,
        "accounts": accounts, "password": DEMO_PASSWORD, "links": list(DEMO_LINKS),
        "counts": {
            "regions": Region.objects.count(),
            "institutions": Organisation.objects.filter(kind=OrganisationKind.INSTITUTION).count(),
            "schools": len(schools), "teachers": Teacher.objects.count(),
            "evaluators": len(evaluators),
        },
    }


@contextmanager
def demo_clock(at):
    """Replay part of the demo's history through the real services at a past time: every guard (R22's 20 days,
    R23's deadline, R32's publicity window) then holds as it did, and the timeline shows believable dates. Only
    the demo builder uses it; nothing else moves the server clock."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield
