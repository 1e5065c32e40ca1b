"""Issue 10: on every tendering object page, for every persona, the action buttons are exactly the doors whose
transition the user's role AND scope allow from the current state (R2): no greyed-out action a role could never
take, none missing. A button whose guard fails still shows (greyed, with its reason); it is counted too."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django_fsm import FSMFieldMixin

from tendering import actions, services
from tendering.models import Bid, BidStatus
from tests.tendering.conftest import announce, bid_kwargs, frozen, open_with_bids
from tests.tendering.test_scoring_and_award import _noticed, _scored

pytestmark = pytest.mark.django_db

REFUSED = re.compile(r'<div class="action refused"><button type="button" disabled>([^<]*)</button>')


def _field(obj):
    return next(f for f in obj._meta.fields if isinstance(f, FSMFieldMixin))


def allowed_doors(obj, user, doors) -> set[str]:
    """The doors whose transition leaves the current state and whose permission (role AND scope) lets `user`."""
    field = _field(obj)
    state = field.get_state(obj)
    names = set()
    for t in field.get_all_transitions(type(obj)):
        if t.name not in doors or t.source not in (state, "*") or t.custom.get("hidden"):
            continue
        meta = getattr(obj, t.name)._django_fsm
        if meta.has_transition_perm(obj, state, user):
            names.add(t.name)
    return names


def shown(body: str, objects) -> set[str]:
    """Every action button on the page: enabled ones by data-transition, greyed ones by their label."""
    labels = {}
    for obj in objects:
        for t in _field(obj).get_all_transitions(type(obj)):
            labels.setdefault(str(t.custom.get("label", t.name)), t.name)
    names = set(re.findall(r'data-transition="([^"]+)"', body))
    return names | {labels[label.strip()] for label in REFUSED.findall(body)}


def check_page(login, personas, url, objects_and_doors):
    """Every persona: the buttons on `url` equal what the predicates allow on the objects shown there."""
    for name, user in personas.items():
        response = login(user).get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        expected = set().union(*(allowed_doors(obj, user, doors) for obj, doors in objects_and_doors))
        objects = [obj for obj, _doors in objects_and_doors]
        assert shown(body, objects) == expected, f"{name} on {url} (HTTP {response.status_code})"


def _tender_page(world, login):
    world.tender.refresh_from_db()
    check_page(login, world.personas, reverse("tendering:tender_detail", args=[world.tender.pk]),
               [(world.tender, actions.TENDER_DOORS)])


def test_tender_page_actions_match_the_predicates_in_draft(world, login):
    _tender_page(world, login)


def test_tender_page_actions_match_the_predicates_at_the_opening(world, login):
    announce(world)
    with frozen(world.tender.opening_at + dt.timedelta(seconds=1)):
        _tender_page(world, login)


def _lot_page(world, login):
    lot = world.lot1
    lot.refresh_from_db()
    questions = list(lot.questions.all())
    check_page(login, world.personas, reverse("tendering:lot_detail", args=[lot.pk]),
               [(lot, actions.LOT_DOORS)] + [(q, actions.QUESTION_DOORS) for q in questions])


def test_lot_page_actions_match_the_predicates_under_evaluation(world, login):
    _scored(world)
    _lot_page(world, login)


def test_lot_page_actions_match_the_predicates_when_recommended(world, login):
    _scored(world)
    services.lot_recommend(actor=world.personas.office, lot=world.lot1)
    _lot_page(world, login)


def test_lot_page_actions_match_the_predicates_with_an_open_question(world, login):
    lot = _noticed(world)
    services.question_lodge(actor=world.bidders[2][1], lot=lot, text="评分有误")
    with frozen(lot.notice_ends_at + dt.timedelta(minutes=1)):
        _lot_page(world, login)


@pytest.mark.parametrize("amended", [False, True])
def test_bid_page_actions_match_the_predicates(world, login, amended):
    announce(world)
    bid = services.bid_submit(actor=world.personas.institution, lot=world.lot1, **bid_kwargs("40"))
    if amended:
        services.tender_update(actor=world.personas.office, tender=world.tender, reason="补充说明", title="更正后的标题")
    bid = Bid.objects.select_related("lot__tender").get(pk=bid.pk)
    assert bid.status == (BidStatus.TO_CONFIRM if amended else BidStatus.ACTIVE)
    check_page(login, world.personas, reverse("tendering:portal_bid_detail", args=[bid.pk]),
               [(bid, actions.BID_DOORS)])


def test_opened_bid_offers_no_action_to_anyone(world, login):
    bids, _ = open_with_bids(world)
    bid = Bid.objects.select_related("lot__tender").get(pk=bids[0].pk)
    check_page(login, world.personas, reverse("tendering:portal_bid_detail", args=[bid.pk]), [(bid, actions.BID_DOORS)])
