"""A tender world: filed projects, announced tender with two lots, bidders with qualifications, an expert pool."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from backoffice.models import OrganisationKind, Role
from projects.models import Project
from tendering import services
from tendering.models import ExpertProfile, InstitutionProfile, Qualification, QualificationKind
from tests.factories import OrganisationFactory, ProjectFactory, UserFactory, region

PDF = b"%PDF-1.4 technical proposal"


@contextmanager
def frozen(at):
    """Freeze the server clock for guards and services that read timezone.now()."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def filed_project(**kw):
    from projects.models import AnnualPlan
    from tests.factories import AnnualPlanFactory

    if "plan" not in kw:
        kw["plan"] = AnnualPlan.objects.filter(province__code="360000", year=2026).first() or AnnualPlanFactory()
    p = ProjectFactory(**kw)
    Project.objects.filter(pk=p.pk).update(status="filed")
    p.refresh_from_db()
    return p


def make_institution(name, *, user=None, qualified=True):
    inst = OrganisationFactory(name=name, kind=OrganisationKind.INSTITUTION, region=region("360100"))
    InstitutionProfile.objects.create(institution=inst, track_record="2024年国培计划（国家级）")
    if qualified:
        for kind in (QualificationKind.LEGAL_ENTITY, QualificationKind.TRAINING_LICENCE):
            Qualification.objects.create(institution=inst, kind=kind, document="x.pdf", sha256="0" * 64,
                                         uploaded_by=user or UserFactory())
    staff = UserFactory(username=f"staff_{inst.pk}", role=Role.INSTITUTION_STAFF, organisation=inst)
    return inst, staff


def qualify(org, user):
    InstitutionProfile.objects.get_or_create(institution=org, defaults={"track_record": "2024年省级骨干教师培训"})
    for kind in (QualificationKind.LEGAL_ENTITY, QualificationKind.TRAINING_LICENCE):
        Qualification.objects.get_or_create(institution=org, kind=kind, defaults={
            "document": "x.pdf", "sha256": "0" * 64, "uploaded_by": user})


def bid_kwargs(price, **kw):
    data = dict(price=Decimal(price), chief_expert="张教授", chief_own_staff=True,
                team=[{"name": "张教授", "own_staff": True}, {"name": "李老师", "own_staff": False},
                      {"name": "王老师", "own_staff": True}],
                past_projects=["2024年国培计划中西部项目"], document=PDF, document_name="proposal.pdf")
    data.update(kw)
    return data


class World:
    pass


@pytest.fixture
def world(personas, orgs):
    w = World()
    w.personas = personas
    w.now = timezone.now().replace(microsecond=0)
    w.projects = [filed_project(office=orgs.office) for _ in range(3)]
    w.tender = services.tender_create(
        actor=personas.office, title="2026年国培计划承训机构遴选", projects=w.projects,
        clarification_deadline=w.now + dt.timedelta(days=6), bid_deadline=w.now + dt.timedelta(days=21),
        opening_at=w.now + dt.timedelta(days=21, hours=1),
        required_qualifications=[QualificationKind.LEGAL_ENTITY, QualificationKind.TRAINING_LICENCE])
    services.criteria_set(actor=personas.office, tender=w.tender, criteria=[
        ("方案", Decimal("0.40")), ("团队", Decimal("0.30"))])
    w.lot1 = services.lot_add(actor=personas.office, tender=w.tender, name="赣北", regions=[region("360100"), region("360400")],
                              projects=w.projects[:2], budget=Decimal("1000000"))
    w.lot2 = services.lot_add(actor=personas.office, tender=w.tender, name="赣南", regions=[region("360700")],
                              projects=w.projects[2:], budget=Decimal("500000"))
    qualify(orgs.institution, personas.institution)
    qualify(orgs.other_institution, personas.other_institution)
    w.bidders = [(orgs.institution, personas.institution), (orgs.other_institution, personas.other_institution)]
    w.bidders += [make_institution(f"承训机构{i}") for i in range(3)]
    w.experts = []
    for i in range(9):
        u = UserFactory(username=f"pool{i}", role=Role.EXPERT, organisation=orgs.evaluator)
        ExpertProfile.objects.create(user=u, employer=orgs.evaluator)
        w.experts.append(u)
    return w


def announce(w):
    w.tender = services.tender_announce(actor=w.personas.office, tender=w.tender)
    return w.tender


def open_with_bids(w, prices_lot1=("40", "50", "80"), prices_lot2=()):
    announce(w)
    bids1 = [services.bid_submit(actor=w.bidders[i][1], lot=w.lot1, **bid_kwargs(p)) for i, p in enumerate(prices_lot1)]
    bids2 = [services.bid_submit(actor=w.bidders[i][1], lot=w.lot2, **bid_kwargs(p)) for i, p in enumerate(prices_lot2)]
    with frozen(w.tender.opening_at + dt.timedelta(seconds=1)):
        w.tender = services.tender_open(actor=w.personas.office, tender=w.tender)
    return bids1, bids2


def score_all(w, lot, values):
    """values: {bid_index: [criterion scores...]} applied by every panel member, then submitted."""
    from tendering.models import Bid

    panel = lot.panel
    bids = list(Bid.objects.filter(lot=lot, status="qualified").order_by("pk"))
    criteria = list(w.tender.criteria.all())
    for member in panel.members.all():
        scores = {(bids[i].pk, c.pk): (str(v), "") for i, vals in values.items() for c, v in zip(criteria, vals)}
        services.scores_save(actor=member.user, lot=lot, scores=scores, submit=True)
    return bids


def award_lot1(w):
    """Bids opened, the panel drawn, every bid scored (the cheapest first), the award recommended and approved:
    lot 1 in its notice period. Returns the lot as the approval left it."""
    open_with_bids(w)
    w.lot1.refresh_from_db()
    services.panel_draw(actor=w.personas.office, lot=w.lot1, seed="s")
    w.lot1.refresh_from_db()
    score_all(w, w.lot1, {0: [80, 80], 1: [70, 70], 2: [60, 60]})
    services.lot_recommend(actor=w.personas.office, lot=w.lot1)
    return services.lot_approve_award(actor=w.personas.province, lot=w.lot1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The world creates two dozen users; PBKDF2 at full strength would cost seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
