"""Reads in selectors (issue 10): the ranking and the lists fetch in a constant number of queries."""
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from tendering import selectors, services
from tendering.models import Lot
from tests.tendering.conftest import announce, bid_kwargs, open_with_bids

pytestmark = pytest.mark.django_db


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_r26_ranking_queries_do_not_grow_with_the_bids_and_run_once_per_page(world):
    """It was one query per bid (the R29 grade of each bidder), recomputed on every call."""
    open_with_bids(world, prices_lot1=("40", "50", "80"), prices_lot2=("41", "42", "43", "44", "45"))
    lot1 = Lot.objects.select_related("tender__province").get(pk=world.lot1.pk)
    lot2 = Lot.objects.select_related("tender__province").get(pk=world.lot2.pk)
    three = _queries(lambda: selectors.lot_ranking(lot1))
    five = _queries(lambda: selectors.lot_ranking(lot2))
    assert three == five <= 4
    assert [r.price for r in selectors.lot_ranking(lot2)][:1] == [41]
    assert _queries(lambda: selectors.lot_ranking(lot2)) == 0  # kept for the rest of the request


def test_portal_bid_list_queries_do_not_grow_with_the_bids(world, login):
    announce(world)
    client = login(world.personas.institution)
    services.bid_submit(actor=world.personas.institution, lot=world.lot1, **bid_kwargs("40"))
    one = _queries(lambda: client.get(reverse("tendering:portal_bids")))
    services.bid_submit(actor=world.personas.institution, lot=world.lot2, **bid_kwargs("40"))
    services.bid_submit(actor=world.personas.institution, lot=world.lot1, **bid_kwargs("39"))  # replaces
    assert _queries(lambda: client.get(reverse("tendering:portal_bids"))) == one


def test_tender_list_queries_do_not_grow_with_the_tenders(world, login):
    client = login(world.personas.auditor)
    one = _queries(lambda: client.get(reverse("tendering:tender_list")))
    for _ in range(3):
        services.tender_create(actor=world.personas.office, title="再次招标", projects=world.projects,
                               clarification_deadline=world.tender.clarification_deadline,
                               bid_deadline=world.tender.bid_deadline, opening_at=world.tender.opening_at)
    assert _queries(lambda: client.get(reverse("tendering:tender_list"))) == one
