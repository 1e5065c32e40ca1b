import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from backoffice.config import setting_set
from backoffice.exceptions import DomainError
from projects.models import Project
from tendering import services
from tendering.models import Bid, BidStatus, LotStatus, TenderStatus
from tests.factories import region
from tests.tendering.conftest import announce, bid_kwargs, frozen, open_with_bids

pytestmark = pytest.mark.django_db


# -- R22 ----------------------------------------------------------------------------------------------
def test_r22_minimum_bidding_period_refuses_19_days(world):
    services.tender_update(actor=world.personas.office, tender=world.tender,
                           bid_deadline=world.now + dt.timedelta(days=19, hours=23),
                           clarification_deadline=world.now + dt.timedelta(days=2))
    with pytest.raises(DomainError) as exc:
        announce(world)
    assert exc.value.code == "r22_timeline"
    from tendering.calculations import r22_problems

    world.tender.refresh_from_db()
    assert [c for c, _m in r22_problems(world.tender, announce_at=timezone.now())] == ["r22_period_too_short"]


def test_r22_twenty_days_is_enough_and_projects_go_to_tendering(world):
    announce(world)
    assert world.tender.status == TenderStatus.ANNOUNCED
    assert set(Project.objects.filter(pk__in=[p.pk for p in world.projects]).values_list("status", flat=True)) == {"tendering"}


def test_r22_clarifications_must_close_15_days_before_deadline(world):
    services.tender_update(actor=world.personas.office, tender=world.tender,
                           clarification_deadline=world.tender.bid_deadline - dt.timedelta(days=14))
    with pytest.raises(DomainError) as exc:
        announce(world)
    assert exc.value.code == "r22_timeline"


def test_r22_minimum_period_is_a_setting(world):
    setting_set(key="tender_min_bidding_days", value=30, actor=world.personas.province)
    with pytest.raises(DomainError):
        announce(world)


def test_r22_amendment_pushes_deadline_and_resets_bids_to_confirm(world):
    announce(world)
    bid = services.bid_submit(actor=world.bidders[0][1], lot=world.lot1, **bid_kwargs("40"))
    later = world.tender.bid_deadline - dt.timedelta(days=3)
    with frozen(later):
        services.tender_update(actor=world.personas.office, tender=world.tender, description="补充说明",
                               reason="补充培训要求")
    world.tender.refresh_from_db()
    assert world.tender.bid_deadline == later + dt.timedelta(days=15)
    assert world.tender.opening_at >= world.tender.bid_deadline
    bid.refresh_from_db()
    assert bid.status == BidStatus.TO_CONFIRM
    services.bid_confirm(actor=world.bidders[0][1], bid=bid)
    bid.refresh_from_db()
    assert bid.status == BidStatus.ACTIVE


def test_r22_amendment_needs_a_reason(world):
    announce(world)
    with pytest.raises(DomainError) as exc:
        services.tender_update(actor=world.personas.office, tender=world.tender, description="x")
    assert exc.value.code == "reason_required"


# -- R20 ----------------------------------------------------------------------------------------------
def test_r20_region_in_at_most_one_lot(world):
    with pytest.raises(DomainError) as exc:
        services.lot_add(actor=world.personas.office, tender=world.tender, name="重叠", regions=[region("360100")],
                         projects=[], budget=Decimal("100"))
    assert exc.value.code == "r20_region_in_two_lots"


# -- R26 price weight ----------------------------------------------------------------------------------
def test_r26_price_weight_below_10_percent_refused(world):
    services.tender_update(actor=world.personas.office, tender=world.tender, price_weight=Decimal("0.05"))
    services.criteria_set(actor=world.personas.office, tender=world.tender, criteria=[("方案", Decimal("0.95"))])
    with pytest.raises(DomainError) as exc:
        announce(world)
    assert exc.value.code == "tender_incomplete"


# -- R23 deadline by the server clock ------------------------------------------------------------------------
def test_r23_bid_at_deadline_minus_1s_accepted(world):
    announce(world)
    bid = services.bid_submit(actor=world.bidders[0][1], lot=world.lot1,
                              now=world.tender.bid_deadline - dt.timedelta(seconds=1), **bid_kwargs("40"))
    assert bid.status == BidStatus.ACTIVE and len(bid.receipt_sha256) == 64


def test_r23_bid_at_deadline_plus_1s_refused(world):
    announce(world)
    with pytest.raises(DomainError) as exc:
        services.bid_submit(actor=world.bidders[0][1], lot=world.lot1,
                            now=world.tender.bid_deadline + dt.timedelta(seconds=1), **bid_kwargs("40"))
    assert exc.value.code == "r23_after_deadline"
    assert not Bid.objects.exists()


def test_r23_frozen_server_clock_refuses_late_bid(world):
    announce(world)
    with frozen(world.tender.bid_deadline + dt.timedelta(seconds=1)):
        with pytest.raises(DomainError) as exc:
            services.bid_submit(actor=world.bidders[0][1], lot=world.lot1, **bid_kwargs("40"))
    assert exc.value.code == "r23_after_deadline"


def test_r23_replace_keeps_one_active_bid_and_withdraw(world):
    announce(world)
    staff = world.bidders[0][1]
    first = services.bid_submit(actor=staff, lot=world.lot1, **bid_kwargs("40"))
    second = services.bid_submit(actor=staff, lot=world.lot1, **bid_kwargs("45"))
    first.refresh_from_db()
    assert first.status == BidStatus.REPLACED and second.replaces_id == first.pk
    assert Bid.objects.filter(lot=world.lot1, status=BidStatus.ACTIVE).count() == 1
    services.bid_withdraw(actor=staff, bid=second)
    assert not Bid.objects.filter(lot=world.lot1, status=BidStatus.ACTIVE).exists()
    with pytest.raises(DomainError) as exc:
        services.bid_withdraw(actor=staff, bid=first)
    assert exc.value.code == "transition_not_allowed"  # a replaced bid is no longer active
    other = services.bid_submit(actor=world.bidders[1][1], lot=world.lot1, **bid_kwargs("50"))
    with pytest.raises(DomainError) as exc:
        services.bid_withdraw(actor=staff, bid=other)
    assert exc.value.code == "transition_forbidden"  # R23: only the bidder touches its bid


def test_r23_withdraw_after_deadline_refused(world):
    announce(world)
    bid = services.bid_submit(actor=world.bidders[0][1], lot=world.lot1, **bid_kwargs("40"))
    with pytest.raises(DomainError) as exc:
        with frozen(world.tender.bid_deadline + dt.timedelta(seconds=1)):
            services.bid_withdraw(actor=world.bidders[0][1], bid=bid)
    assert exc.value.code == "r23_after_deadline"


def test_receipt_hash_covers_what_was_submitted(world):
    announce(world)
    a = services.bid_submit(actor=world.bidders[0][1], lot=world.lot1, **bid_kwargs("40"))
    b = services.bid_submit(actor=world.bidders[0][1], lot=world.lot1, **bid_kwargs("40", document=b"%PDF other"))
    assert a.receipt_sha256 != b.receipt_sha256


# -- R21 / R29 ----------------------------------------------------------------------------------------------
def test_r21_missing_qualification_refused(world):
    from tests.tendering.conftest import make_institution

    _inst, staff = make_institution("无资质机构", qualified=False)
    announce(world)
    with pytest.raises(DomainError) as exc:
        services.bid_submit(actor=staff, lot=world.lot1, **bid_kwargs("40"))
    assert exc.value.code == "r21_qualification_missing"


def test_r21_chief_expert_must_be_own_staff_and_team_one_third(world):
    announce(world)
    staff = world.bidders[0][1]
    with pytest.raises(DomainError) as exc:
        services.bid_submit(actor=staff, lot=world.lot1, **bid_kwargs("40", chief_own_staff=False))
    assert exc.value.code == "r21_chief_not_own_staff"
    team = [{"name": n, "own_staff": i == 0} for i, n in enumerate("甲乙丙丁")]
    with pytest.raises(DomainError) as exc:
        services.bid_submit(actor=staff, lot=world.lot1, **bid_kwargs("40", team=team))
    assert exc.value.code == "r21_team_own_staff"


def _graded(inst, grade, when):
    from tests.tendering.conftest import filed_project

    p = filed_project()
    Project.objects.filter(pk=p.pk).update(status="evaluated", institution=inst, grade=grade, evaluated_at=when)
    return p


def test_r29_fail_graded_institution_refused(world):
    inst, staff = world.bidders[2]
    _graded(inst, "fail", timezone.now() - dt.timedelta(days=100))
    announce(world)
    with pytest.raises(DomainError) as exc:
        services.bid_submit(actor=staff, lot=world.lot1, **bid_kwargs("40"))
    assert exc.value.code == "r29_barred"


def test_r29_fail_grade_older_than_12_months_does_not_bar(world):
    inst, staff = world.bidders[2]
    _graded(inst, "fail", timezone.now() - dt.timedelta(days=380))
    announce(world)
    assert services.bid_submit(actor=staff, lot=world.lot1, **bid_kwargs("40")).pk


def test_r29_bar_months_is_a_setting(world):
    inst, staff = world.bidders[2]
    _graded(inst, "fail", timezone.now() - dt.timedelta(days=380))
    setting_set(key="tender_fail_bar_months", value=24, actor=world.personas.province)
    announce(world)
    with pytest.raises(DomainError):
        services.bid_submit(actor=staff, lot=world.lot1, **bid_kwargs("40"))


def test_r29_excellent_grade_gets_track_record_bonus(world):
    from tendering.eligibility import r29_track_record_bonus

    inst, _staff = world.bidders[2]
    _graded(inst, "excellent", timezone.now() - dt.timedelta(days=30))
    assert r29_track_record_bonus(institution=inst, tender=world.tender) == Decimal("2.00")
    assert r29_track_record_bonus(institution=world.bidders[3][0], tender=world.tender) == Decimal("0")


# -- R24 -----------------------------------------------------------------------------------------------------
def test_r24_lot_with_two_bids_fails_and_projects_return_to_filed(world):
    open_with_bids(world, prices_lot1=("40", "50", "80"), prices_lot2=("40", "50"))
    world.lot1.refresh_from_db()
    world.lot2.refresh_from_db()
    assert world.lot1.status == LotStatus.EVALUATION
    assert world.lot2.status == LotStatus.FAILED
    assert Project.objects.get(pk=world.projects[2].pk).status == "filed"
    assert Project.objects.get(pk=world.projects[0].pk).status == "tendering"


def test_r24_all_lots_failed_fails_tender_and_retender_creates_new_one(world):
    open_with_bids(world, prices_lot1=("40",), prices_lot2=())
    assert world.tender.status == TenderStatus.FAILED
    world.lot2.refresh_from_db()
    now = timezone.now()
    new = services.lot_retender(actor=world.personas.office, lot=world.lot2, clarification_deadline=now + dt.timedelta(days=5),
                                bid_deadline=now + dt.timedelta(days=21), opening_at=now + dt.timedelta(days=21, hours=1))
    assert new.retender_of_id == world.tender.pk and new.status == TenderStatus.DRAFT
    assert list(new.lots.get().regions.values_list("code", flat=True)) == ["360700"]
    services.tender_announce(actor=world.personas.office, tender=new)
    assert Project.objects.get(pk=world.projects[2].pk).status == "tendering"


def test_r24_unconfirmed_bid_does_not_count(world):
    announce(world)
    for i, p in enumerate(("40", "50", "80")):
        services.bid_submit(actor=world.bidders[i][1], lot=world.lot1, **bid_kwargs(p))
    with frozen(world.tender.bid_deadline - dt.timedelta(days=2)):
        services.tender_update(actor=world.personas.office, tender=world.tender, description="改", reason="补充")
    world.tender.refresh_from_db()
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        services.tender_open(actor=world.personas.office, tender=world.tender)
    world.lot1.refresh_from_db()
    assert world.lot1.status == LotStatus.FAILED


def test_opening_refused_before_opening_time(world):
    announce(world)
    with pytest.raises(DomainError) as exc:
        services.tender_open(actor=world.personas.office, tender=world.tender)
    assert exc.value.code == "opening_time_not_reached"


def test_celery_task_opens_due_tender(world):
    from tendering.tasks import open_due_tenders

    announce(world)
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        assert open_due_tenders() == [world.tender.pk]
    world.tender.refresh_from_db()
    assert world.tender.status == TenderStatus.FAILED  # no bids at all


def test_announce_schedules_the_opening_with_celery_beat(world, django_capture_on_commit_callbacks):
    from django_celery_beat.models import PeriodicTask

    with django_capture_on_commit_callbacks(execute=True):
        announce(world)
    task = PeriodicTask.objects.get(name=f"open tender {world.tender.pk}")
    assert task.clocked.clocked_time == world.tender.opening_at and task.one_off


def test_r57_sealed_bid_price_rounds_half_up(world):
    """A price typed with three decimals straight to the service was sealed rounded half-even (45.545 → 45.54)."""
    from tendering.sealing import unseal

    announce(world)
    bid = services.bid_submit(actor=world.personas.institution, lot=world.lot1, **bid_kwargs("45.545"))
    assert unseal(Bid.objects.get(pk=bid.pk), user=world.personas.institution)["price"] == Decimal("45.55")
