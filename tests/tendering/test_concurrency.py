"""R23 under load: 50 bids arrive in the last second before the deadline, on real threads against PostgreSQL."""
import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from backoffice.exceptions import DomainError
from backoffice.models import OrganisationKind, Role
from tendering import services
from tendering.models import ACTIVE_BID_STATES, Bid, Tender
from tests.concurrency import race
from tests.factories import OrganisationFactory, UserFactory, region
from tests.tendering.conftest import bid_kwargs, filed_project, qualify

pytestmark = pytest.mark.django_db(transaction=True)


def _announced_lot(username, title):
    """An announced tender with one province-wide lot, run by a fresh project office."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers")
    office_org = OrganisationFactory(name="项目办", kind=OrganisationKind.PROJECT_OFFICE, region=region("360000"))
    office = UserFactory(username=username, role=Role.PROJECT_OFFICE_STAFF, organisation=office_org)
    projects = [filed_project(office=office_org)]
    now = timezone.now()
    tender = services.tender_create(actor=office, title=title, projects=projects,
                                    clarification_deadline=now + dt.timedelta(days=5),
                                    bid_deadline=now + dt.timedelta(days=21), opening_at=now + dt.timedelta(days=22))
    services.criteria_set(actor=office, tender=tender, criteria=[("方案", Decimal("0.70"))])
    lot = services.lot_add(actor=office, tender=tender, name="全省", regions=[region("360100")], projects=projects,
                           budget=Decimal("1000000"))
    services.tender_announce(actor=office, tender=tender)
    return tender, lot


def test_r23_fifty_concurrent_bids_in_the_last_second(regions, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tender, lot = _announced_lot("office_c", "并发测试")
    # 25 institutions, each submitting twice (a bid and its replacement) = 50 submissions.
    staff = []
    for i in range(25):
        inst = OrganisationFactory(name=f"并发机构{i}", kind=OrganisationKind.INSTITUTION, region=region("360100"))
        user = UserFactory(username=f"cstaff{i}", role=Role.INSTITUTION_STAFF, organisation=inst)
        qualify(inst, user)
        staff.append(user)
    # The deadline is now 1.5 s away: every submission below happens in its last second.
    deadline = timezone.now() + dt.timedelta(seconds=1.5)
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=deadline, opening_at=deadline + dt.timedelta(seconds=5))
    barrier = threading.Barrier(50)
    accepted, refused, errors = [], [], []

    def submit(user, price):
        try:
            barrier.wait()
            time.sleep(max(0.0, (deadline - timezone.now()).total_seconds() - 0.9))
            bid = services.bid_submit(actor=user, lot=lot, **bid_kwargs(price))
            accepted.append((user.pk, bid.pk, bid.received_at))
        except DomainError as exc:
            refused.append((user.pk, exc.code))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(u, f"{40 + i % 7}.{k}0")) for k in range(2) for i, u in enumerate(staff)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert not errors, errors
    assert not refused, refused
    assert len(accepted) == 50  # none lost
    assert all(at <= deadline for _u, _b, at in accepted)  # none late
    stored = Bid.objects.filter(lot=lot)
    assert stored.count() == 50
    active = stored.filter(status__in=ACTIVE_BID_STATES)
    assert active.count() == 25
    assert set(active.values_list("institution_id", flat=True)) == {u.organisation_id for u in staff}
    print(f"\n50 bids accepted within {elapsed:.2f}s; last receipt {max(a for _u, _b, a in accepted)} ≤ deadline {deadline}")
    # After the deadline, the server clock refuses.
    time.sleep(max(0.0, (deadline - timezone.now()).total_seconds() + 0.05))
    with pytest.raises(DomainError) as exc:
        services.bid_submit(actor=staff[0], lot=lot, **bid_kwargs("41"))
    assert exc.value.code in ("r23_after_deadline",)


def test_r23_ten_concurrent_withdrawals_of_one_bid_move_it_once(regions, settings):
    """Bid is a state machine fired through workflow.fire (issue 10): the row lock lets exactly one of ten
    simultaneous withdrawals through, with one audit event; the others are refused with the transition's code."""
    from backoffice.models import AuditEvent

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tender, lot = _announced_lot("office_w", "并发撤回")
    inst = OrganisationFactory(name="撤回机构", kind=OrganisationKind.INSTITUTION, region=region("360100"))
    user = UserFactory(username="wstaff", role=Role.INSTITUTION_STAFF, organisation=inst)
    qualify(inst, user)
    bid = services.bid_submit(actor=user, lot=lot, **bid_kwargs("40"))
    done, refused, errors = race([lambda: services.bid_withdraw(actor=user, bid=bid)] * 10)
    assert not errors, errors
    assert len(done) == 1 and refused == ["transition_not_allowed"] * 9
    assert Bid.objects.get(pk=bid.pk).status == "withdrawn"
    assert AuditEvent.objects.filter(object_id=str(bid.pk), content_type__model="bid", transition="withdraw").count() == 1
