"""Bids and the opening (R21-R24): submit, replace, withdraw, confirm; the opening unseals every bid (all or
nothing: a bid that does not unseal stops it and raises an opening alert) and moves the bids set-based (qualified
/ not), failing lots with too few qualified bids; seal key rotation re-wraps tender keys (R23)."""
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import Entry, audit_record, audit_record_many, audit_region_code
from backoffice.config import get_setting
from backoffice.exceptions import DomainError
from backoffice.money import grouped_amount, money
from backoffice.numbers import finite_decimal
from backoffice.workflow import fire
from projects.models import ProjectStatus
from projects.services import project_tender_failed
from tendering import eligibility, sealing
from tendering.models import (
    ACTIVE_BID_STATES, Bid, BidStatus, Lot, LotStatus, OpeningAlert, Tender, TenderStatus,
)
from tendering.services.common import _require_institution_staff, check_upload


# -- bids -------------------------------------------------------------------------------------------------
def _bid_content(*, price, chief_expert, chief_own_staff, team, past_projects, document_name) -> dict:
    return {
        "price": str(money(price)), "chief_expert": chief_expert.strip(),
        "chief_own_staff": bool(chief_own_staff),
        "team": [{"name": m["name"].strip(), "own_staff": bool(m.get("own_staff"))} for m in team],
        "past_projects": [p.strip() for p in past_projects if p.strip()], "document_name": document_name,
    }



MAX_PRICE = Decimal("1e12")  # Bid.price: 14 digits, 2 of them after the point



def _bid_price(price) -> Decimal:
    """A finite unit price above zero that Bid.price can hold; otherwise a DomainError (never a 500)."""
    value = finite_decimal(str(price).strip())
    if value is None or value <= 0:
        raise DomainError("bid_price_invalid", _("Enter a unit price greater than zero."))
    if value >= MAX_PRICE or money(value) >= MAX_PRICE:
        raise DomainError("bid_price_too_large", _("The unit price may have at most 12 digits before the decimal "
                                                   "point."))
    return value



def bid_submit(*, actor, lot: Lot, price: Decimal, chief_expert: str, chief_own_staff: bool, team: list[dict],
               past_projects: list[str], document: bytes, document_name: str, now=None) -> Bid:
    """Submit or replace the institution's bid for a lot (R23). The receipt time is the server's clock when the
    bid arrived; it must not be after the deadline. A second submission replaces the first."""
    received_at = now or timezone.now()
    institution = _require_institution_staff(actor)
    price = _bid_price(price)
    content = _bid_content(price=price, chief_expert=chief_expert, chief_own_staff=chief_own_staff, team=team,
                           past_projects=past_projects, document_name=document_name)
    tender = lot.tender
    check_upload(name=document_name, data=document, region=tender.province)
    with transaction.atomic():
        # One lock per lot serialises submissions, so "one active bid per institution" never races.
        lot = Lot.objects.select_for_update().select_related("tender", "tender__province").get(pk=lot.pk)
        tender = lot.tender
        if tender.status != TenderStatus.ANNOUNCED or lot.status != LotStatus.OPEN:
            raise DomainError("bidding_closed", _("This tender is not open for bids."))
        if received_at > tender.bid_deadline:
            raise DomainError("r23_after_deadline", _("The bid deadline has passed; the bid was refused."))
        ceiling = lot.unit_price_ceiling
        if ceiling is not None and Decimal(price) > ceiling:
            raise DomainError("bid_above_ceiling", _(
                "The unit price of ¥%(price)s per trainee-hour is above this lot's ceiling of ¥%(ceiling)s per "
                "trainee-hour; the bid was refused.") % {"price": grouped_amount(price),
                                                         "ceiling": grouped_amount(ceiling)})
        problems = eligibility.bid_eligibility_problems(tender=tender, institution=institution, content=content,
                                                        on=received_at)
        if problems:
            raise DomainError(problems[0][0], problems[0][1], errors=problems)
        previous = Bid.objects.filter(lot=lot, institution=institution, status__in=ACTIVE_BID_STATES).first()
        if previous is not None:
            previous = fire(Bid, previous.pk, name="replace", actor=actor)
        content["received_at"] = received_at.isoformat()
        content["lot"], content["institution"] = lot.pk, institution.pk
        ciphertext, digest = sealing.seal(tender, content=content, document=document)
        bid = Bid.objects.create(lot=lot, institution=institution, submitted_by=actor, received_at=received_at,
                                 sealed=ciphertext, receipt_sha256=digest, document_name=document_name[:200],
                                 replaces=previous, confirmed_at=received_at)
        # R23: the audit trail gets the receipt hash, never the price or team.
        audit_record(obj=bid, actor=actor, action="create", changes={
            "receipt_sha256": (previous.receipt_sha256 if previous else None, digest)})
    return bid



def bid_price_warnings(*, lot: Lot, price) -> list[str]:
    """What the bidder should know about a unit price the lot accepts: below the share of the ceiling that the
    tender's province flags as abnormally low (R26 *setting*), the panel may ask the bidder to justify it."""
    ceiling = lot.unit_price_ceiling
    ratio = get_setting("tender_abnormally_low_ratio", region=lot.tender.province)
    if ceiling is None or not ratio or Decimal(price) >= ceiling * ratio:
        return []
    return [_("The unit price of ¥%(price)s per trainee-hour is below %(share)s%% of this lot's ceiling "
              "(¥%(floor)s of ¥%(ceiling)s): the tender treats it as abnormally low, and the panel may ask you to "
              "show that you can deliver at this price.") % {
        "price": grouped_amount(price), "share": f"{(ratio * 100).normalize():f}", "floor": grouped_amount(ceiling * ratio),
        "ceiling": grouped_amount(ceiling)}]


def bid_withdraw(*, actor, bid: Bid) -> Bid:
    """R23: the bidder withdraws its active bid before the deadline (server clock)."""
    return fire(Bid, bid.pk, name="withdraw", actor=actor)



def bid_confirm(*, actor, bid: Bid) -> Bid:
    """After an amendment (R22) the bidder confirms its bid stands, or replaces it."""
    return fire(Bid, bid.pk, name="confirm", actor=actor)



def _bids_move(bids, *, actor, transition: str, to: str, reason: str = "", **fields) -> int:
    """Move many bids at once (an amendment, the opening): one UPDATE of the protected status and one audit
    INSERT, set-based; each bid's event says from, to and the transition (R3)."""
    rows = list(bids.select_related("institution", "lot__tender__province"))
    if not rows:
        return 0
    Bid.objects.filter(pk__in=[b.pk for b in rows]).update(status=to, **fields)
    # Each row names the bidder and the lot, so the audit search finds it by either.
    return audit_record_many(
        [Entry(pk=b.pk, repr=str(b), region_code=audit_region_code(b), from_state=b.status, to_state=to,
               reason=reason) for b in rows], model=Bid, actor=actor, action="transition", transition=transition)



# -- opening (R23, R24) ---------------------------------------------------------------------------------------
def tender_open(*, actor, tender: Tender) -> Tender:
    """Unseal every bid, check who qualifies, fail lots with fewer than 3 qualified bids (R24).

    R23: all or nothing. If one bid does not unseal (unknown key version, wrong secret, damaged content), no bid
    is opened, the tender stays announced, and an opening alert is raised for the office and the province; the
    UnreadableBid is re-raised so the caller (page or scheduled task) reports it too.
    """
    try:
        return _tender_open_all(actor=actor, tender=tender)
    except sealing.UnreadableBid as exc:
        opening_alert_raise(actor=actor, tender=tender, error=exc)
        raise


def _tender_open_all(*, actor, tender: Tender) -> Tender:
    with transaction.atomic():
        if tender.status == TenderStatus.ANNOUNCED and timezone.now() > tender.bid_deadline:
            fire(Tender, tender.pk, name="close_bidding", actor=actor)
        tender = fire(Tender, tender.pk, name="open", actor=actor)
        minimum = get_setting("tender_min_qualified_bids", region=tender.province)
        failed = 0
        lots = list(tender.lots.all())
        for lot in lots:
            bids = list(lot.bids.select_related("lot__tender", "institution").filter(status__in=ACTIVE_BID_STATES))
            for bid in bids:
                content = _unseal_for_opening(bid)
                bid.price, bid.chief_expert, bid.team = content["price"], content["chief_expert"], content["team"]
            Bid.objects.bulk_update(bids, ["price", "chief_expert", "team"])
            # R22: a bid not confirmed after an amendment does not qualify; the others do (set-based).
            _bids_move(lot.bids.filter(status=BidStatus.TO_CONFIRM), actor=actor, transition="disqualify",
                       to=BidStatus.DISQUALIFIED, reason=_("Not confirmed after the tender was amended."),
                       disqualification_reason=_("Not confirmed after the tender was amended."))
            qualified = _bids_move(lot.bids.filter(status=BidStatus.ACTIVE), actor=actor, transition="qualify",
                                   to=BidStatus.QUALIFIED)
            if qualified < minimum:
                failed += 1
                reason = _("Fewer than %(n)s qualified bids at opening (流标).") % {"n": minimum}
                fire(Lot, lot.pk, name="fail", actor=actor, reason=reason)
                for project in lot.projects.filter(status=ProjectStatus.TENDERING):
                    project_tender_failed(project=project, actor=actor, reason=reason)
            else:
                fire(Lot, lot.pk, name="start_evaluation", actor=actor)
        # Projects of the tender in no lot go back too, so nothing stays stuck in 'tendering'.
        for project in tender.projects.filter(status=ProjectStatus.TENDERING, lots__isnull=True):
            project_tender_failed(project=project, actor=actor, reason=_("Not in any lot."))
        if lots and failed == len(lots):
            tender = fire(Tender, tender.pk, name="fail", actor=actor, reason=_("All lots failed."))
        OpeningAlert.objects.filter(tender=tender, resolved_at__isnull=True).update(resolved_at=timezone.now())
    return tender


def _unseal_for_opening(bid: Bid) -> dict:
    try:
        return sealing.unseal(bid, opening=True)
    except sealing.UnreadableBid as exc:
        if "version" in exc.params:
            raise
        raise sealing.UnreadableBid(exc.code, bid=str(bid)) from exc  # the alert names the bid


def opening_alert_raise(*, actor, tender: Tender, error: sealing.UnreadableBid) -> OpeningAlert:
    """R23: a failed unseal is never silent. One open alert per tender and reason (retries by the sweeper count
    up `attempts`); the first one writes an audit event on the tender, with the reason."""
    now = timezone.now()
    with transaction.atomic():
        Tender.objects.select_for_update().filter(pk=tender.pk).first()  # the clocked task and the sweeper may race
        alert = OpeningAlert.objects.filter(
            tender=tender, code=error.code, resolved_at__isnull=True).first()
        if alert is not None:
            alert.attempts, alert.last_attempt_at, alert.params = alert.attempts + 1, now, error.params
            alert.save(update_fields=["attempts", "last_attempt_at", "params"])
            return alert
        alert = OpeningAlert.objects.create(tender=tender, code=error.code, params=error.params, raised_at=now,
                                            last_attempt_at=now)
        audit_record(obj=tender, actor=actor, action="update", changes={"opening_alert": (None, error.code)},
                     reason=_("The opening was stopped and no bid was opened: %(reason)s") % {"reason": error.message})
    return alert


# -- seal key rotation (R23) ------------------------------------------------------------------------------------
def tender_keys_rotate(*, actor) -> tuple[list[str], dict[str, str]]:
    """Re-wrap every tender key that is not under the current seal key version (the tender's own key and its bids'
    ciphertext stay as they are). Returns (references re-wrapped, {reference: reason} for keys that do not open);
    one audit event per re-wrapped tender (R3), written set-based."""
    current = sealing.current_key_version()
    done, failed, entries = [], {}, []
    with transaction.atomic():
        for tender in Tender.objects.select_for_update().exclude(key_version=current).select_related("province"):
            old = tender.key_version
            try:
                tender.key_version, tender.wrapped_key = sealing.rewrap(tender)
            except sealing.UnreadableBid as exc:
                failed[tender.reference] = exc.message
                continue
            done.append(tender)
            entries.append(Entry(pk=tender.pk, repr=str(tender), region_code=audit_region_code(tender),
                                 reason=_("Seal key re-wrapped under the current key version."),
                                 changes={"key_version": (old, tender.key_version)}))
        Tender.objects.bulk_update(done, ["key_version", "wrapped_key"])
        audit_record_many(entries, model=Tender, actor=actor, action="update")
    return [t.reference for t in done], failed
