"""R2: what every role sees. One matrix, checked through the single scope API and through the pages."""
import pytest

from backoffice.models import Organisation, Region, Teacher
from backoffice.scoping import scope_for
from tests.factories import SchoolFactory, TeacherFactory, region


@pytest.fixture
def world(orgs):
    return {
        "t_nanchang": TeacherFactory(school=orgs.school, name="南昌县教师"),
        "t_xinjian": TeacherFactory(school=orgs.other_school, name="新建区教师"),
        "t_henan": TeacherFactory(school=SchoolFactory(name="济源一小", region=region("419001")), name="济源教师"),
    }


# role -> (sees Jiangxi regions, sees Henan regions, organisations seen, organisations not seen, teachers seen)
MATRIX = {
    "ministry": (True, True, {"department", "henan", "school", "institution"}, set(), {"t_nanchang", "t_xinjian", "t_henan"}),
    "province": (True, False, {"department", "office", "city", "county", "school", "other_school", "institution", "other_institution"},
                 {"henan", "ministry"}, {"t_nanchang", "t_xinjian"}),
    "office": (True, False, {"department", "school", "institution"}, {"henan", "ministry"}, {"t_nanchang", "t_xinjian"}),
    "finance": (True, False, {"department", "school"}, {"henan"}, {"t_nanchang", "t_xinjian"}),
    "auditor": (True, False, {"department", "school", "institution"}, {"henan"}, {"t_nanchang", "t_xinjian"}),
    "city": ("3601", False, {"city", "county", "other_county", "school", "other_school"},
             {"department", "other_city", "henan", "office"}, {"t_nanchang", "t_xinjian"}),
    "county": ("360121", False, {"county", "school"}, {"other_county", "other_school", "city", "department", "institution"},
               {"t_nanchang"}),
    "other_county": ("360112", False, {"other_county", "other_school"}, {"county", "school"}, {"t_xinjian"}),
    "school": ("360121", False, {"school"}, {"other_school", "county", "institution"}, {"t_nanchang"}),
    "institution": ("360100", False, {"institution"}, {"other_institution", "school", "department"}, set()),
    "other_institution": ("360100", False, {"other_institution"}, {"institution"}, set()),
    "expert": (False, False, set(), {"institution", "other_institution", "school", "department"}, set()),
    "henan_province": (False, True, {"henan"}, {"department", "school", "ministry"}, {"t_henan"}),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_r2_permission_matrix(persona, personas, orgs, world):
    user = personas[persona]
    jiangxi, henan, orgs_seen, orgs_hidden, teachers_seen = MATRIX[persona]
    scope = scope_for(user)

    regions = scope.regions(Region.objects.all())
    if jiangxi is True:
        assert regions.filter(code="360000").exists() and regions.filter(code="360121").exists()
    elif jiangxi:
        assert regions.exists() and all(r.code.startswith(jiangxi) for r in regions)
    else:
        assert not regions.filter(code__startswith="36").exists()
    assert regions.filter(code__startswith="41").exists() == henan

    visible_orgs = set(scope.organisations(Organisation.objects.all()).values_list("pk", flat=True))
    for name in orgs_seen:
        assert orgs[name].pk in visible_orgs, f"{persona} should see {name}"
    for name in orgs_hidden:
        assert orgs[name].pk not in visible_orgs, f"{persona} must not see {name}"

    visible_teachers = set(scope.teachers(Teacher.objects.all()).values_list("pk", flat=True))
    assert visible_teachers == {world[t].pk for t in teachers_seen}


def test_r2_auditor_reads_but_cannot_write(personas):
    assert scope_for(personas.auditor).read_only
    assert not scope_for(personas.auditor).can_write
    assert scope_for(personas.province).can_write


def test_r2_county_clerk_teacher_page_shows_only_their_county(personas, world, login):
    body = login(personas.county).get("/registry/teachers/").content.decode()
    assert "南昌县教师" in body
    assert "新建区教师" not in body and "济源教师" not in body
    # R30: the list shows masked ID numbers only.
    assert world["t_nanchang"].id_number not in body
    assert world["t_nanchang"].masked_id_number in body


def test_r2_county_clerk_organisation_page_never_shows_another_county(personas, orgs, login):
    body = login(personas.county).get("/registry/organisations/").content.decode()
    assert orgs.school.name in body
    assert orgs.other_school.name not in body


@pytest.mark.parametrize("persona", ["institution", "expert"])
def test_r2_institutions_and_experts_cannot_open_the_registry(persona, personas, login):
    client = login(personas[persona])
    assert client.get("/registry/teachers/").status_code == 403
    assert client.get("/registry/organisations/").status_code == 403


@pytest.mark.parametrize("persona,status", [("auditor", 200), ("province", 200), ("county", 403), ("institution", 403),
                                            ("school", 403)])
def test_r2_audit_page_by_role(persona, status, personas, login):
    assert login(personas[persona]).get("/audit/").status_code == status


def test_anonymous_users_are_sent_to_login(client, db):
    for url in ("/", "/registry/teachers/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_teacher_list_query_count_does_not_grow_with_rows(personas, orgs, login, django_assert_max_num_queries):
    TeacherFactory.create_batch(60, school=orgs.school)
    client = login(personas.county)
    with django_assert_max_num_queries(12):
        response = client.get("/registry/teachers/")
    assert response.status_code == 200


def test_r2_finance_officer_reads_organisations_but_not_the_teacher_registry(personas, orgs, login):
    client = login(personas.finance)
    body = client.get("/registry/organisations/").content.decode()
    assert orgs.school.name in body
    assert client.get("/registry/teachers/").status_code == 403


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_every_menu_item_a_role_sees_opens(persona, personas, login):
    from django.urls import reverse

    from backoffice.navigation import nav_for

    user = personas[persona]
    client = login(user)
    refused = [item.url_name for item in nav_for(user) if client.get(reverse(item.url_name)).status_code != 200]
    assert refused == []


# -- issue 11 #11: evaluation records and finance follow R2 ------------------------------------------------
@pytest.mark.parametrize("persona,status", [
    ("province", 200), ("office", 200), ("ministry", 200), ("auditor", 200), ("finance", 200), ("city", 200),
    ("institution", 200), ("henan_province", 404), ("other_institution", 404), ("school", 403), ("expert", 403),
])
def test_r2_institution_evaluation_record_follows_the_region(persona, status, personas, orgs, login):
    """Another province's government does not open a Jiangxi institution's record (it was a 200 page)."""
    from django.urls import reverse

    url = reverse("evaluation:institution_record", args=[orgs.institution.pk])
    assert login(personas[persona]).get(url).status_code == status


@pytest.fixture
def two_county_contract(personas, orgs):
    """One contract settled for 南昌县 (37 trainees, ¥37,000) and 新建区 (3, ¥3,000), with an ¥11,100 advance."""
    import datetime as dt
    from decimal import Decimal

    from finance import services
    from tests.factories.finance import contract_for, trainees

    contract = contract_for(institution=orgs.institution, unit_price="12.50", hours=80, quota=50)
    project = contract.lot.projects.get()
    trainees(project, "360121", 37)
    trainees(project, "360112", 3)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    for statement in contract.statements.all():
        services.settlement_confirm(actor=personas.institution, statement=statement)
    services.payment_record(actor=personas.finance, contract=contract, tranche="advance", amount=Decimal("11100"),
                            paid_on=dt.date(2026, 8, 1))
    return contract


@pytest.mark.parametrize("role", ["finance_officer", "auditor"])
def test_r2_county_finance_reads_only_its_county_in_the_reconciliation(role, two_county_contract, orgs, login):
    """County-level finance officers and auditors saw the whole contract's advance set off against their county
    (¥11,100 instead of its share) and the contract's own rows: now their county's rows only."""
    from decimal import Decimal

    from django.urls import reverse

    from backoffice.models import Role
    from finance.selectors import reconciliation_rows
    from tests.factories import UserFactory

    user = UserFactory(role=Role(role), organisation=orgs.county)
    rows = reconciliation_rows(user=user)
    assert [r.county.code if r.county else None for r in rows] == ["360121"]
    # Its share of the advance, in proportion to due: 11,100 × 37,000 / 40,000.
    assert rows[0].advance_set_off == Decimal("10267.50")
    page = login(user).get(reverse("finance:reconciliation")).content.decode()
    assert "新建区" not in page
    province_rows = reconciliation_rows(user=UserFactory(role=Role(role), organisation=orgs.department))
    assert sorted(r.county.code for r in province_rows if r.county) == ["360112", "360121"]


# -- tendering (issue 11 #11): a county-level reader sees tenders only through lots that cover its county ---------
def _tender_over(code, n, signer, orgs):
    """A tender with one opened lot over region `code`, a qualified bid, a question and a signed contract."""
    from decimal import Decimal

    from django.utils import timezone

    from tendering.models import Bid, Contract, Lot, LotRegion, Question, Tender

    tender = Tender.objects.create(reference=f"R2-{n}", title=f"招标{code}", province=region("360000"),
                                   office=orgs.office, wrapped_key=b"", created_by=signer, status="opened",
                                   opened_at=timezone.now())
    lot = Lot.objects.create(tender=tender, number=1, name=code, budget=Decimal("100000"), status="contracted")
    LotRegion.objects.create(tender=tender, lot=lot, region=region(code))
    bid = Bid.objects.create(lot=lot, institution=orgs.institution, status="qualified", submitted_by=signer,
                             received_at=timezone.now(), sealed=b"", receipt_sha256="0" * 64, price=Decimal("10"))
    Question.objects.create(lot=lot, institution=orgs.institution, text="?", lodged_by=signer,
                            answer_due=timezone.now())
    Contract.objects.create(lot=lot, reference=f"R2-HT-{n}", institution=orgs.institution, bid=bid,
                            unit_price=Decimal("10"), quota=1, trainee_hours=1, amount=Decimal("10"), signed_by=signer)
    return tender


# reader -> (role, organisation, lot regions whose tenders it reads)
TENDER_READERS = {
    "county_auditor": ("auditor", "county", {"360121", "360100"}),  # its county, and the city lot that covers it
    "county_finance": ("finance_officer", "county", {"360121", "360100"}),
    "city_auditor": ("auditor", "city", {"360121", "360112", "360100"}),  # the lots inside its city
    "province_auditor": ("auditor", "department", {"360121", "360112", "360100", "360700"}),
    "henan_auditor": ("auditor", "henan", set()),
}


@pytest.mark.parametrize("reader", sorted(TENDER_READERS))
def test_r2_tender_readers_see_tenders_through_the_lots_that_cover_their_area(reader, orgs, personas):
    """Issue 11 #11: county-level auditors and finance officers read only tenders, opened bids, questions and
    contracts of lots covering their county (they read the whole province's before)."""
    from tendering import selectors
    from tests.factories import UserFactory

    role, org, codes = TENDER_READERS[reader]
    tenders = {code: _tender_over(code, n, personas.office, orgs)
               for n, code in enumerate(("360121", "360112", "360100", "360700"))}
    user = UserFactory(username=f"r2_{reader}", role=role, organisation=orgs[org])
    expected = {tenders[c].pk for c in codes}
    if role == "auditor":
        assert set(selectors.tender_list_visible_to(user=user).values_list("pk", flat=True)) == expected
        assert set(selectors.bid_list_visible_to(user=user).values_list("lot__tender", flat=True)) == expected
        assert set(selectors.question_list_visible_to(user=user).values_list("lot__tender", flat=True)) == expected
    assert set(selectors.contract_list_visible_to(user=user).values_list("lot__tender", flat=True)) == expected
