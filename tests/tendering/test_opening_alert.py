"""R23: an opening that cannot unseal a bid is never silent and never opens half the bids."""
import datetime as dt
import logging

import pytest
from django.urls import reverse

from backoffice.models import AuditEvent
from tendering import services
from tendering.models import Bid, OpeningAlert, Tender, TenderStatus
from tendering.tasks import open_due_tenders
from tests.concurrency import race
from tests.tendering.conftest import announce, bid_kwargs, frozen

pytestmark = pytest.mark.django_db

V1 = ("v1", "first-seal-secret-0123456789abcdefghijklmnop")


@pytest.fixture
def seal_v1(settings):
    settings.TENDER_SEAL_SECRETS = [V1]


@pytest.fixture
def due(seal_v1, world):
    """An announced tender with three bids sealed under v1, past its opening time."""
    assert world.tender.key_version == "v1"
    announce(world)
    world.bids = [services.bid_submit(actor=world.bidders[i][1], lot=world.lot1, **bid_kwargs(p))
                  for i, p in enumerate(("40", "50", "60"))]
    return world


def _sweep(world):
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        return open_due_tenders()


def _alert_events(tender):
    return AuditEvent.objects.filter(object_id=str(tender.pk), changes__opening_alert__isnull=False)


def test_r23_unknown_key_version_scheduled_opening_raises_alert_logs_and_opens_nothing(due, settings, caplog):
    settings.TENDER_SEAL_SECRETS = [("v2", "second-seal-secret-0123456789abcdefghijklmno")]  # v1 was lost
    with caplog.at_level(logging.ERROR, logger="tendering.tasks"):
        assert _sweep(due) == []
    tender = Tender.objects.get(pk=due.tender.pk)
    assert tender.status == TenderStatus.ANNOUNCED and tender.opened_at is None
    assert not Bid.objects.filter(lot__tender=tender, price__isnull=False).exists()  # not half the bids
    alert = OpeningAlert.objects.get(tender=tender)
    assert alert.code == "seal_key_version_unknown" and alert.resolved_at is None and "v1" in alert.reason
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert tender.reference in record.getMessage() and "v1" in record.getMessage()
    [event] = _alert_events(tender)
    assert "v1" in event.reason and event.actor.username == "system"


def test_r23_sweeper_retries_count_on_one_alert_and_one_event(due, settings):
    settings.TENDER_SEAL_SECRETS = [("v2", "second-seal-secret-0123456789abcdefghijklmno")]
    _sweep(due)
    _sweep(due)
    alert = OpeningAlert.objects.get(tender=due.tender)
    assert alert.attempts == 2 and _alert_events(due.tender).count() == 1


def test_r23_restored_secret_opens_and_clears_the_alert(due, settings):
    settings.TENDER_SEAL_SECRETS = [("v2", "second-seal-secret-0123456789abcdefghijklmno")]
    _sweep(due)
    settings.TENDER_SEAL_SECRETS = [("v2", "second-seal-secret-0123456789abcdefghijklmno"), V1]
    assert _sweep(due) == [due.tender.pk]
    assert OpeningAlert.objects.get(tender=due.tender).resolved_at is not None
    assert Bid.objects.filter(lot=due.lot1, price__isnull=False).count() == 3


def test_r23_damaged_bid_stops_the_opening_and_names_the_bid(due):
    Bid.objects.filter(pk=due.bids[1].pk).update(sealed=b"damaged")
    assert _sweep(due) == []
    alert = OpeningAlert.objects.get(tender=due.tender)
    assert alert.code == "bid_unreadable" and due.bids[1].institution.name in alert.reason
    assert not Bid.objects.filter(lot=due.lot1, price__isnull=False).exists()


def test_r23_manual_opening_shows_the_reason_and_raises_the_alert(due, settings, login):
    settings.TENDER_SEAL_SECRETS = [("v2", "second-seal-secret-0123456789abcdefghijklmno")]
    with frozen(due.tender.opening_at + dt.timedelta(seconds=1)):
        client = login(due.personas.office)
        response = client.post(reverse("tendering:tender_action", args=[due.tender.pk]), {"transition": "open"},
                               follow=True)
    assert "密钥版本“v1”" in response.content.decode()
    assert OpeningAlert.objects.filter(tender=due.tender, resolved_at__isnull=True).exists()
    assert Tender.objects.get(pk=due.tender.pk).status == TenderStatus.ANNOUNCED


@pytest.fixture
def alerted(due, settings):
    settings.TENDER_SEAL_SECRETS = [("v2", "second-seal-secret-0123456789abcdefghijklmno")]
    _sweep(due)
    return due


@pytest.mark.parametrize("who", ["office", "province"])
def test_r23_office_and_province_see_the_red_alert(alerted, login, who):
    client = login(alerted.personas[who])
    page = client.get(reverse("tendering:tender_detail", args=[alerted.tender.pk])).content.decode()
    assert 'data-testid="opening-alert"' in page
    assert "本服务器未配置该版本的密封密钥" in page  # the reason, in Chinese
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="alert-panel"' in dashboard and alerted.tender.reference in dashboard


@pytest.mark.parametrize("who", ["institution", "other_institution", "expert", "auditor", "henan_province"])
def test_r23_others_do_not_see_the_alert(alerted, login, who):
    client = login(alerted.personas[who])
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="alert-panel"' not in dashboard
    for url in (reverse("tendering:tender_detail", args=[alerted.tender.pk]),
                reverse("tendering:portal_tender", args=[alerted.tender.pk])):
        page = client.get(url).content.decode()
        assert 'data-testid="opening-alert"' not in page, url
        if who.endswith("institution"):  # an auditor reads the event in the tender's audit trail (R3)
            assert "密封密钥" not in page, url


@pytest.mark.django_db(transaction=True)
def test_r23_clocked_task_and_sweeper_racing_raise_one_alert(regions, settings):
    """Two workers fail the same opening at the same moment: one alert (2 attempts), one audit event."""

    from django.db import connection

    from backoffice.models import OrganisationKind, Role
    from tendering.sealing import UnreadableBid
    from tests.factories import OrganisationFactory, UserFactory, region

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers")
    office = UserFactory(username="office_a", role=Role.PROJECT_OFFICE_STAFF, organisation=OrganisationFactory(
        name="项目办", kind=OrganisationKind.PROJECT_OFFICE, region=region("360000")))
    tender = services.tender_create(actor=office, title="告警并发", projects=[], clarification_deadline=None,
                                    bid_deadline=None, opening_at=None)
    _done, refused, errors = race([lambda: services.opening_alert_raise(
        actor=office, tender=tender, error=UnreadableBid("seal_key_version_unknown", version="v0"))] * 2)
    assert errors == [] and refused == []
    assert OpeningAlert.objects.get(tender=tender).attempts == 2
    assert _alert_events(tender).count() == 1
