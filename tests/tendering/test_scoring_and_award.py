import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from projects.models import Project
from tendering import scoring, services
from tendering.models import Bid, Contract, ExpertEmployment, ExpertProfile, LotStatus, TenderStatus
from tendering.panel import draw
from tests.tendering.conftest import frozen, open_with_bids, score_all

pytestmark = pytest.mark.django_db


# -- R26 pure ----------------------------------------------------------------------------------------------
def test_r26_worked_example_price_scores_30_24_15():
    entries = [scoring.Entry(key=p, price=Decimal(p), submitted_at=i) for i, p in enumerate(["40", "50", "80"])]
    results = {r.key: r for r in scoring.rank(entries, price_weight=Decimal("0.30"), weights={})}
    assert [scoring.show(results[k].price_score) for k in ("40", "50", "80")] == [
        Decimal("30.00"), Decimal("24.00"), Decimal("15.00")]


def test_r26_technical_is_sum_of_mean_times_weight_and_rounding_only_at_the_end():
    weights = {"a": Decimal("0.40"), "b": Decimal("0.30")}
    scores = {"a": [Decimal("80"), Decimal("85"), Decimal("90")], "b": [Decimal("70"), Decimal("71"), Decimal("71")]}
    tech = scoring.technical_score(scores, weights)
    # 85 × 0.4 + 70.666… × 0.3 = 34 + 21.2 = 55.2
    assert tech == Decimal("34") + (Decimal("212") / 3) * Decimal("0.30")
    entries = [scoring.Entry(key="x", price=Decimal("30"), submitted_at=0, scores=scores),
               scoring.Entry(key="y", price=Decimal("70"), submitted_at=1, scores=scores)]
    res = scoring.rank(entries, price_weight=Decimal("0.30"), weights=weights)
    # y: 30/70 × 30 = 12.857142… ; total 55.2 + 12.857142… = 68.057… → 68.06 (half-up only at the end)
    assert res[1].total == Decimal("68.06")


def test_r26_ties_lower_price_then_higher_technical_then_earlier():
    w = {"a": Decimal("0.70")}
    # A: 70 + 24 = 94.00; B: 64.000… + 30 = 94.00 but cheaper.
    a = scoring.Entry(key="A", price=Decimal("50"), submitted_at=1, scores={"a": [Decimal("100")]})
    b = scoring.Entry(key="B", price=Decimal("40"), submitted_at=2, scores={"a": [Decimal("91.4285714285714285714286")]})
    ranked = scoring.rank([a, b], price_weight=Decimal("0.30"), weights=w)
    assert ranked[0].total == ranked[1].total
    assert [r.key for r in ranked] == ["B", "A"]
    # Same price, same rounded total: the higher technical score wins.
    e = scoring.Entry(key="E", price=Decimal("40"), submitted_at=1, scores={"a": [Decimal("90.001")]})
    f = scoring.Entry(key="F", price=Decimal("40"), submitted_at=2, scores={"a": [Decimal("90.004")]})
    ranked = scoring.rank([e, f], price_weight=Decimal("0.30"), weights=w)
    assert ranked[0].total == ranked[1].total and [r.key for r in ranked] == ["F", "E"]
    # Same price and total: earlier submission wins.
    c = scoring.Entry(key="C", price=Decimal("40"), submitted_at=5, scores={"a": [Decimal("90")]})
    d = scoring.Entry(key="D", price=Decimal("40"), submitted_at=3, scores={"a": [Decimal("90")]})
    assert [r.key for r in scoring.rank([c, d], price_weight=Decimal("0.30"), weights=w)] == ["D", "C"]


def test_r26_outlier_flagged_not_dropped():
    values = {1: Decimal("80"), 2: Decimal("82"), 3: Decimal("78"), 4: Decimal("20"), 5: Decimal("81")}
    flagged = scoring.outliers(values, threshold=Decimal("25"))
    assert [m for m, _v, _mean in flagged] == [4]


# -- R25 -------------------------------------------------------------------------------------------------
def test_r25_draw_is_reproducible_from_seed():
    assert draw(list(range(30)), seed="abc", count=5) == draw(list(reversed(range(30))), seed="abc", count=5)
    assert draw(list(range(30)), seed="abc", count=5) != draw(list(range(30)), seed="abd", count=5)


def test_r25_panel_sizes(world):
    open_with_bids(world)
    lot = world.lot1
    lot.refresh_from_db()
    for size, code in ((4, "r25_panel_even"), (3, "r25_panel_too_small")):
        with pytest.raises(DomainError) as exc:
            services.panel_draw(actor=world.personas.office, lot=lot, size=size)
        assert exc.value.code == code
    with pytest.raises(DomainError) as exc:
        services.panel_draw(actor=world.personas.office, lot=lot, size=5,
                            officials=[world.personas.office, world.personas.province])
    assert exc.value.code == "r25_too_few_experts"


def test_r25_seven_members_from_ten_million(world):
    from tendering.models import Lot
    open_with_bids(world)
    Lot.objects.filter(pk=world.lot1.pk).update(budget=Decimal("10000000"))
    world.lot1.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.panel_draw(actor=world.personas.office, lot=world.lot1, size=5)
    assert exc.value.code == "r25_panel_too_small"
    panel = services.panel_draw(actor=world.personas.office, lot=world.lot1)
    assert panel.size == 7 and panel.members.count() == 7


def test_r25_conflicts_excluded_and_draw_recorded(world):
    open_with_bids(world)
    bidder = world.bidders[0][0]
    e0, e1, e2, e3 = (ExpertProfile.objects.get(user=u) for u in world.experts[:4])
    e0.employer = bidder
    e0.save()
    ExpertEmployment.objects.create(expert=e1, organisation=bidder, ended_on=timezone.localdate() - dt.timedelta(days=400))
    e2.declared_relations.add(world.bidders[1][0])
    world.tender.drafting_experts.add(e3)
    old = ExpertProfile.objects.get(user=world.experts[4])
    ExpertEmployment.objects.create(expert=old, organisation=bidder, ended_on=timezone.localdate() - dt.timedelta(days=4 * 365))
    world.lot1.refresh_from_db()
    panel = services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="fixed-seed")
    excluded = {int(k) for k in panel.excluded}
    assert excluded == {world.experts[i].pk for i in range(4)}
    assert world.experts[4].pk in panel.candidates  # worked for a bidder more than 3 years ago
    members = set(panel.members.values_list("user_id", flat=True))
    assert not members & excluded
    assert sorted(members) == sorted(draw(panel.candidates, seed="fixed-seed", count=5))
    event = AuditEvent.objects.filter(object_id=str(panel.pk), action="create").latest("at")
    assert event.changes["seed"][1] == "fixed-seed"


def test_r25_draw_refused_for_institution_staff(world):
    open_with_bids(world)
    world.lot1.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.panel_draw(actor=world.personas.institution, lot=world.lot1)
    assert exc.value.code == "forbidden"


# -- scoring through the panel ------------------------------------------------------------------------------
def _scored(world):
    open_with_bids(world)
    world.lot1.refresh_from_db()
    services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="s")
    world.lot1.refresh_from_db()
    return score_all(world, world.lot1, {0: [80, 80], 1: [80, 80], 2: [80, 80]})


def test_experts_cannot_see_others_scores_until_all_submitted(world):
    from tendering.selectors import scores_visible_to

    open_with_bids(world)
    world.lot1.refresh_from_db()
    panel = services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="s")
    bids = list(Bid.objects.filter(lot=world.lot1).order_by("pk"))
    crits = list(world.tender.criteria.all())
    members = list(panel.members.all())
    full = {(b.pk, c.pk): ("70", "ok") for b in bids for c in crits}
    services.scores_save(actor=members[0].user, lot=world.lot1, scores=full, submit=True)
    services.scores_save(actor=members[1].user, lot=world.lot1, scores=full, submit=False)
    seen = scores_visible_to(user=members[1].user, lot=world.lot1)
    assert set(seen.values_list("member_id", flat=True)) == {members[1].pk}
    for m in members[1:]:
        services.scores_save(actor=m.user, lot=world.lot1, scores=full, submit=True)
    assert scores_visible_to(user=members[1].user, lot=world.lot1).count() == len(members) * len(full)


def test_scores_submit_needs_every_cell_and_only_members(world):
    open_with_bids(world)
    world.lot1.refresh_from_db()
    panel = services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="s")
    member = panel.members.first()
    with pytest.raises(DomainError) as exc:
        services.scores_save(actor=member.user, lot=world.lot1, scores={}, submit=True)
    assert exc.value.code == "scores_incomplete"
    outsider = next(u for u in world.experts if not panel.members.filter(user=u).exists())
    with pytest.raises(DomainError) as exc:
        services.scores_save(actor=outsider, lot=world.lot1, scores={}, submit=False)
    assert exc.value.code == "forbidden"


def test_r26_recommendation_ranks_by_total(world):
    bids = _scored(world)
    with pytest.raises(DomainError) as exc:
        services.lot_recommend(actor=world.personas.institution, lot=world.lot1)
    assert exc.value.code == "transition_forbidden"
    lot = services.lot_recommend(actor=world.personas.office, lot=world.lot1)
    assert lot.status == LotStatus.RECOMMENDED and lot.recommended_bid_id == bids[0].pk
    totals = list(lot.results.order_by("rank").values_list("total", flat=True))
    # technical = 80×0.4 + 80×0.3 = 56; price 30 / 24 / 15
    assert totals == [Decimal("86.00"), Decimal("80.00"), Decimal("71.00")]


def test_recommend_refused_before_all_scores(world):
    open_with_bids(world)
    world.lot1.refresh_from_db()
    services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="s")
    with pytest.raises(DomainError) as exc:
        services.lot_recommend(actor=world.personas.office, lot=world.lot1)
    assert exc.value.code == "panel_not_submitted"


# -- award, R27, R28 -------------------------------------------------------------------------------------------
def _noticed(world):
    _scored(world)
    services.lot_recommend(actor=world.personas.office, lot=world.lot1)
    with pytest.raises(DomainError) as exc:
        services.lot_approve_award(actor=world.personas.office, lot=world.lot1)
    assert exc.value.code == "transition_forbidden"  # the department approves, not the office
    return services.lot_approve_award(actor=world.personas.province, lot=world.lot1)


def test_r27_notice_lasts_one_working_day_skipping_weekends(world):
    from tendering.calendar import add_working_days

    friday = timezone.make_aware(dt.datetime(2026, 11, 27, 10, 0))
    assert add_working_days(friday, 1).date() == dt.date(2026, 11, 30)
    lot = _noticed(world)
    assert lot.status == LotStatus.NOTICE and lot.notice_ends_at > lot.notice_published_at


def test_r27_holiday_table_skips_public_holidays():
    from tendering.calendar import add_working_days
    from tendering.models import Holiday

    Holiday.objects.create(date=dt.date(2026, 10, 1), name="国庆节")
    wed = timezone.make_aware(dt.datetime(2026, 9, 30, 9, 0))
    assert add_working_days(wed, 1).date() == dt.date(2026, 10, 2)


def test_r27_open_question_blocks_contract(world):
    lot = _noticed(world)
    loser = world.bidders[2][1]
    question = services.question_lodge(actor=loser, lot=lot, text="评分有误")
    with frozen(lot.notice_ends_at + dt.timedelta(minutes=1)):
        with pytest.raises(DomainError) as exc:
            services.contract_sign(actor=world.personas.province, lot=lot)
        assert exc.value.code == "r27_question_open"
        services.question_answer(actor=world.personas.office, question=question, answer="经复核，评分无误。")
        contract = services.contract_sign(actor=world.personas.province, lot=lot)
    assert contract.lot_id == lot.pk


def test_r27_question_only_by_bidders_within_window(world):
    lot = _noticed(world)
    from tests.tendering.conftest import make_institution

    _i, stranger = make_institution("局外机构")
    with pytest.raises(DomainError) as exc:
        services.question_lodge(actor=stranger, lot=lot, text="?")
    assert exc.value.code == "forbidden"
    with pytest.raises(DomainError) as exc:
        services.question_lodge(actor=world.bidders[1][1], lot=lot, text="?", now=lot.question_deadline + dt.timedelta(seconds=1))
    assert exc.value.code == "r27_question_window_closed"


def test_r27_contract_waits_for_the_notice_period(world):
    lot = _noticed(world)
    with pytest.raises(DomainError) as exc:
        services.contract_sign(actor=world.personas.province, lot=lot)
    assert exc.value.code == "r27_notice_running"


def test_r28_contract_moves_projects_to_contracted(world):
    lot = _noticed(world)
    with frozen(lot.notice_ends_at + dt.timedelta(hours=1)):
        with pytest.raises(DomainError) as exc:
            services.contract_sign(actor=world.personas.office, lot=lot)
        assert exc.value.code == "transition_forbidden"
        contract = services.contract_sign(actor=world.personas.province, lot=lot)
    winner = lot.recommended_bid
    assert contract.unit_price == Decimal("40.00") and contract.institution_id == winner.institution_id
    projects = Project.objects.filter(pk__in=[p.pk for p in world.projects[:2]])
    assert set(projects.values_list("status", flat=True)) == {"contracted"}
    assert set(projects.values_list("unit_price", flat=True)) == {Decimal("40.00")}
    assert contract.quota == sum(p.quota for p in projects)
    assert contract.trainee_hours == sum(p.quota * p.hours for p in projects)
    world.tender.refresh_from_db()
    assert world.tender.status == TenderStatus.COMPLETED  # lot 2 had no bids and failed


def test_r28_contract_after_30_days_refused(world):
    lot = _noticed(world)
    with frozen(lot.notice_published_at + dt.timedelta(days=30, minutes=1)):
        with pytest.raises(DomainError) as exc:
            services.contract_sign(actor=world.personas.province, lot=lot)
    assert exc.value.code == "r28_contract_late"
    assert not Contract.objects.exists()


def test_tender_completes_when_every_lot_is_decided(world):
    open_with_bids(world, prices_lot2=("60",))  # lot 2 fails (1 bid)
    world.lot1.refresh_from_db()
    services.panel_draw(actor=world.personas.office, lot=world.lot1, seed="s")
    world.lot1.refresh_from_db()
    score_all(world, world.lot1, {0: [80, 80], 1: [80, 80], 2: [80, 80]})
    services.lot_recommend(actor=world.personas.office, lot=world.lot1)
    lot = services.lot_approve_award(actor=world.personas.province, lot=world.lot1)
    with frozen(lot.notice_ends_at + dt.timedelta(hours=1)):
        services.contract_sign(actor=world.personas.province, lot=lot)
    world.tender.refresh_from_db()
    assert world.tender.status == TenderStatus.COMPLETED


def test_r52_settlement_basis_is_set_at_signing_completed_by_default(world):
    lot = _noticed(world)
    with frozen(lot.notice_ends_at + dt.timedelta(hours=1)):
        with pytest.raises(DomainError) as exc:
            services.contract_sign(actor=world.personas.province, lot=lot, settlement_basis="attended")
        assert exc.value.code == "unknown_basis"
        contract = services.contract_sign(actor=world.personas.province, lot=lot, settlement_basis="enrolled")
    assert contract.settlement_basis == "enrolled"
    event = AuditEvent.objects.get(object_id=str(contract.pk), action="create", content_type__model="contract")
    assert event.changes["settlement_basis"] == [None, "enrolled"]
    assert Contract._meta.get_field("settlement_basis").default == "completed"


def test_r52_settlement_basis_changed_by_staff_of_the_tenders_province_only(world):
    lot = _noticed(world)
    with frozen(lot.notice_ends_at + dt.timedelta(hours=1)):
        contract = services.contract_sign(actor=world.personas.province, lot=lot)
    assert contract.settlement_basis == "completed"
    for user in (world.personas.henan_province, world.personas.finance, world.personas.institution,
                 world.personas.auditor):
        with pytest.raises(DomainError) as exc:
            services.contract_set_settlement_basis(actor=user, contract=contract, basis="enrolled")
        assert exc.value.code == "forbidden"
    contract = services.contract_set_settlement_basis(actor=world.personas.office, contract=contract, basis="enrolled")
    contract.refresh_from_db()
    assert contract.settlement_basis == "enrolled"
    event = AuditEvent.objects.filter(object_id=str(contract.pk), action="update",
                                      content_type__model="contract").get()
    assert event.changes["settlement_basis"] == ["completed", "enrolled"]
