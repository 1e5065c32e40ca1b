"""factory_boy factories. Regions come from the shipped GB/T 2260 data (loaded once per test database)."""
import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from backoffice.demo import make_id_number
from backoffice.models import Organisation, OrganisationKind, Region, Role, SchoolStage, Subject, Teacher, User
from projects.models import AnnualPlan, Project, ProjectCategory, ProjectMode, ProjectType

PASSWORD = "Test-password-2026"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"机构{n}")
    kind = OrganisationKind.INSTITUTION
    region = factory.LazyFunction(lambda: region("360100"))


class SchoolFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"第{n}小学")
    kind = OrganisationKind.SCHOOL
    stage = SchoolStage.PRIMARY
    region = factory.LazyFunction(lambda: region("360121"))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.PROVINCE_STAFF
    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.PROVINCE_DEPARTMENT,
                                      region=factory.LazyFunction(lambda: region("360000")))
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeacherFactory(DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    region = factory.SelfAttribute("school.region")
    id_number = factory.Sequence(lambda n: make_id_number("360121", dt.date(1985, 1, 1) + dt.timedelta(days=n // 1000), n % 1000))
    name = factory.Sequence(lambda n: f"教师{n}")
    stage = factory.SelfAttribute("school.stage")
    subject = Subject.MATHS
    teaching_since = 2010
    is_rural = factory.SelfAttribute("school.is_rural")
    is_priority_county = factory.SelfAttribute("school.region.is_priority_county")


class AnnualPlanFactory(DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    province = factory.LazyFunction(lambda: region("360000"))
    year = 2026
    title = factory.LazyAttribute(lambda o: f"江西省{o.year}年国培计划实施方案")
    central_subsidy = Decimal("50000000.00")
    created_by = factory.SubFactory(UserFactory)


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    plan = factory.SubFactory(AnnualPlanFactory)
    code = factory.Sequence(lambda n: f"GP2026-{n:03d}")
    name = factory.Sequence(lambda n: f"骨干教师提升培训项目{n}")
    project_type = ProjectType.CENTRAL_WESTERN
    category = ProjectCategory.BACKBONE
    mode = ProjectMode.OFFLINE
    hours = 80
    quota = 50
    start_date = dt.date(2026, 7, 1)
    end_date = dt.date(2026, 7, 10)
    budget = Decimal("500000.00")
    owner = factory.LazyAttribute(lambda o: o.office)
    office = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.PROJECT_OFFICE,
                                region=factory.LazyFunction(lambda: region("360000")))
    created_by = factory.SelfAttribute("plan.created_by")
