import os

import pytest
from django.db import connection

from backoffice.models import Organisation, OrganisationKind, Role
from backoffice.regions_data import regions_load
from tests.factories import PASSWORD, SchoolFactory, UserFactory, region

# Jiangxi (the demo province) and Henan (which has province-administered counties, R1).
TEST_PROVINCES = {"36", "41"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        regions_load(province_codes=TEST_PROVINCES)


@pytest.fixture
def regions(db):
    """For TransactionTestCase-style tests, which flush the session data."""
    regions_load(province_codes=TEST_PROVINCES)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


def _org(kind, name, code):
    return Organisation.objects.get_or_create(kind=kind, name=name, region=region(code) if code else None)[0]


class Personas(dict):
    """One user per role, with the organisations they sit in. Attribute access: personas.county."""

    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__


@pytest.fixture
def orgs(db):
    o = Personas()
    o.ministry = _org(OrganisationKind.MINISTRY, "教育部", None)
    o.department = _org(OrganisationKind.PROVINCE_DEPARTMENT, "江西省教育厅", "360000")
    o.office = _org(OrganisationKind.PROJECT_OFFICE, "江西省中小学教师发展中心", "360000")
    o.office2 = _org(OrganisationKind.PROJECT_OFFICE, "江西省幼儿师资培训中心", "360000")
    o.city = _org(OrganisationKind.CITY_BUREAU, "南昌市教育局", "360100")
    o.other_city = _org(OrganisationKind.CITY_BUREAU, "赣州市教育局", "360700")
    o.county = _org(OrganisationKind.COUNTY_BUREAU, "南昌县教育局", "360121")
    o.other_county = _org(OrganisationKind.COUNTY_BUREAU, "新建区教育局", "360112")
    o.school = SchoolFactory(name="南昌县实验小学", region=region("360121"))
    o.other_school = SchoolFactory(name="新建区实验小学", region=region("360112"))
    o.institution = _org(OrganisationKind.INSTITUTION, "江西师范大学", "360100")
    o.other_institution = _org(OrganisationKind.INSTITUTION, "南昌大学", "360100")
    o.evaluator = _org(OrganisationKind.EVALUATOR, "江西省教育质量评估中心", "360000")
    o.henan = _org(OrganisationKind.PROVINCE_DEPARTMENT, "河南省教育厅", "410000")
    return o


@pytest.fixture
def personas(orgs):
    p = Personas()
    spec = {
        "ministry": (Role.MINISTRY_STAFF, orgs.ministry),
        "province": (Role.PROVINCE_STAFF, orgs.department),
        "office": (Role.PROJECT_OFFICE_STAFF, orgs.office),
        "city": (Role.CITY_STAFF, orgs.city),
        "county": (Role.COUNTY_STAFF, orgs.county),
        "other_county": (Role.COUNTY_STAFF, orgs.other_county),
        "school": (Role.SCHOOL_ADMIN, orgs.school),
        "institution": (Role.INSTITUTION_STAFF, orgs.institution),
        "other_institution": (Role.INSTITUTION_STAFF, orgs.other_institution),
        "expert": (Role.EXPERT, orgs.other_institution),
        "finance": (Role.FINANCE_OFFICER, orgs.department),
        "auditor": (Role.AUDITOR, orgs.department),
        "henan_province": (Role.PROVINCE_STAFF, orgs.henan),
    }
    for name, (role, org) in spec.items():
        p[name] = UserFactory(username=f"p_{name}", role=role, organisation=org)
    return p


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD


def pytest_configure(config):
    from django.conf import settings

    # Hashing cost is not under test; personas log in many times per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    # Browser tests need Debian's Chromium; CI requires them (E2E_REQUIRED=1), a bare machine skips them.
    if os.path.exists(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")):
        return
    if os.environ.get("E2E_REQUIRED"):
        raise pytest.UsageError("E2E_REQUIRED is set but Chromium is not installed at /usr/bin/chromium")
    skip = pytest.mark.skip(reason="Chromium not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
