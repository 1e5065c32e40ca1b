"""Reads on tenders, always scoped to the user (R2) and never past the seal (R23)."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from backoffice import scoping
from backoffice.config import get_setting
from backoffice.models import Role, region_parent_code
from backoffice.scoping import scope_for
from tendering import eligibility, scoring
from tendering.models import (
    Bid, BidStatus, Contract, ExpertProfile, Lot, LotRegion, LotStatus, OpeningAlert, PanelMember, Qualification,
    Question, Score, Tender, TenderStatus,
)

PUBLIC_STATES = [s for s in TenderStatus.values if s != TenderStatus.DRAFT]


def _lot_count():
    # A correlated count, evaluated for the rows shown only (a join and GROUP BY would aggregate every tender).
    return Coalesce(Subquery(Lot.objects.filter(tender=OuterRef("pk")).order_by().values("tender")
                             .annotate(n=Count("pk")).values("n")), Value(0))


def _tenders():
    return Tender.objects.select_related("province", "office").annotate(lot_count=_lot_count()).order_by(
        "-created_at", "-pk")


def _enclosing_codes(code: str) -> list[str]:
    """The region and every region above it (R1), from the code alone."""
    codes = []
    while code:
        codes.append(code)
        code = region_parent_code(code)
    return codes


def _area_q(user, *, province: str, lot_regions) -> Q:
    """R2 for readers with a region scope. A province-level reader reads its province's tenders; a city- or
    county-level reader reads a tender only through a lot that covers its area (a lot region inside that area or
    one that contains it), never the whole province. `lot_regions` is the LotRegion queryset of the row."""
    scope = scope_for(user)
    if scope.kind == scoping.ALL:
        return Q()
    if scope.kind != scoping.REGION:
        return Q(pk__in=[])
    region = user.organisation.region
    if region.level == "province":
        # A tender's province is a province region: equal to the reader's, an indexed equality (issue 13).
        return Q(**{f"{province}_id": region.pk})
    covering = lot_regions.filter(scope.q(region="region") | Q(region__code__in=_enclosing_codes(
        user.organisation.region.code)))
    return scope.q(region=province) | Q(Exists(covering))


def _reads_tenders(user) -> bool:
    return user.has_perm("tendering.view_tenders")


def tender_list_visible_to(*, user):
    """Office readers: their area's tenders (R2). Institutions: announced (public) tenders. Experts: tenders of
    their panels."""
    scope = scope_for(user)
    if scope.kind == scoping.ALL:
        return _tenders()
    if _reads_tenders(user):
        return _tenders().filter(_area_q(user, province="province",
                                         lot_regions=LotRegion.objects.filter(tender=OuterRef("pk"))))
    if user.has_perm("tendering.use_portal"):
        return _tenders().filter(status__in=PUBLIC_STATES)
    if user.has_perm("tendering.score_bids"):
        return _tenders().filter(Exists(PanelMember.objects.filter(panel__lot__tender=OuterRef("pk"), user=user)))
    return Tender.objects.none()


# What the tender list shows (templates/tendering/tender_list.html): nothing more is read (issue 13).
TENDER_LIST_COLUMNS = ("reference", "title", "status", "bid_deadline", "opening_at")


def tender_page_visible_to(*, user):
    """The tender list page's rows, in the index's order (tender_list_province for a province's readers), only
    the columns shown; the lot count read for the page's rows only."""
    return tender_list_visible_to(user=user).select_related(None).only(*TENDER_LIST_COLUMNS)


def qualification_list_visible_to(*, user):
    """R2/R21: an institution its own documents; tendering staff those of institutions in their region and of
    every institution that bid in an opened tender of their province (they check qualifications)."""
    scope = scope_for(user)
    qs = Qualification.objects.select_related("institution")
    if scope.kind == scoping.ALL:
        return qs
    if user.has_perm("tendering.use_portal") and user.organisation_id:
        return qs.filter(institution_id=user.organisation_id)
    if user.has_perm("tendering.view_tenders") and scope.kind == scoping.REGION:
        bidders = Bid.objects.filter(lot__tender__opened_at__isnull=False,
                                     lot__tender__province__code__startswith=scope.region_prefix[:2])
        return qs.filter(Q(institution__region__code__startswith=scope.region_prefix)
                         | Q(institution_id__in=bidders.values("institution_id")))
    return qs.none()


def open_tender_list(*, user):
    return tender_list_visible_to(user=user).filter(status=TenderStatus.ANNOUNCED)


def tender_get(*, user, pk) -> Tender:
    return tender_list_visible_to(user=user).prefetch_related(
        Prefetch("lots", queryset=Lot.objects.prefetch_related("regions", "projects").select_related(
            "recommended_bid__institution")),
        "criteria", "projects").get(pk=pk)


def lot_get(*, user, pk) -> Lot:
    """A lot of a tender the user may see (Lot.DoesNotExist otherwise)."""
    return Lot.objects.select_related("tender__province", "recommended_bid__institution").filter(
        tender__in=tender_list_visible_to(user=user).values("pk")).get(pk=pk)


def _lot_scope(user, *, lot: str = "lot") -> Q:
    return _area_q(user, province=f"{lot}__tender__province",
                   lot_regions=LotRegion.objects.filter(lot=OuterRef(lot)))


def opening_alerts_visible_to(*, user):
    """R23: unresolved opening alerts of the tenders in the user's area that are still waiting to be opened, for
    those who run tenders (`tendering.see_opening_alerts`)."""
    if not user.has_perm("tendering.see_opening_alerts"):
        return OpeningAlert.objects.none()
    tenders = tender_list_visible_to(user=user).filter(
        status__in=[TenderStatus.ANNOUNCED, TenderStatus.BIDDING_CLOSED]).values("pk")
    return OpeningAlert.objects.filter(resolved_at__isnull=True, tender__in=tenders).select_related(
        "tender").order_by("-raised_at", "-pk")


def bid_list_visible_to(*, user):
    """The bidder sees its own bids at any time. Everyone else sees bids only after the opening (R23):
    office readers of the lot's area, and experts on the lot's panel."""
    scope = scope_for(user)
    qs = Bid.objects.select_related("lot__tender__province", "institution", "submitted_by")
    opened = Q(lot__tender__opened_at__isnull=False)
    if user.has_perm("tendering.use_portal") and not user.is_superuser:
        return scope.filter(qs, organisation="institution")
    if scope.kind == scoping.ALL:
        return qs.filter(opened)
    if _reads_tenders(user):
        return qs.filter(opened, _lot_scope(user))
    if user.has_perm("tendering.score_bids"):
        return qs.filter(opened, Exists(PanelMember.objects.filter(panel__lot=OuterRef("lot"), user=user)),
                         status=BidStatus.QUALIFIED)
    return qs.none()


def panel_memberships_of(*, user):
    return PanelMember.objects.filter(user=user).select_related("panel__lot__tender")


def scores_visible_to(*, user, lot):
    """An expert sees their own scores, and everyone's once every member has submitted; staff after that too."""
    panel = getattr(lot, "panel", None)
    if panel is None:
        return Score.objects.none()
    qs = Score.objects.filter(member__panel=panel).select_related("member__user", "bid__institution", "criterion")
    if panel.all_submitted() and (_reads_tenders(user) or panel.members.filter(user=user).exists()):
        return qs
    return qs.filter(member__user=user)


def question_list_visible_to(*, user):
    scope = scope_for(user)
    qs = Question.objects.select_related("lot__tender", "institution")
    if user.has_perm("tendering.use_portal") and not user.is_superuser:
        return scope.filter(qs, organisation="institution")
    if _reads_tenders(user):
        return qs.filter(_lot_scope(user))
    return qs.none()


def public_notices():
    """公示: award notices are public pages; no login, no scope."""
    return Lot.objects.filter(status__in=[LotStatus.NOTICE, LotStatus.CONTRACTED]).select_related(
        "tender", "recommended_bid__institution").order_by("-notice_published_at")


def contract_list_visible_to(*, user):
    """Institutions: their own contracts. Government readers (finance officers, auditors, bureaus): the contracts
    of lots that cover their area (R2)."""
    scope = scope_for(user)
    qs = Contract.objects.select_related("lot__tender", "institution")
    if scope.kind == scoping.ORGANISATION:
        return scope.filter(qs, organisation="institution")
    return qs.filter(_lot_scope(user))


def expert_pool():
    """R25: the active experts a panel may be drawn from, with what the conflict check reads."""
    return (ExpertProfile.objects.filter(is_active=True, user__is_active=True, user__role=Role.EXPERT)
            .select_related("user").prefetch_related("employments", "declared_relations", "drafted_tenders"))


# -- ranking (R26) ----------------------------------------------------------------------------------------------
def lot_ranking(lot: Lot) -> list[scoring.Result]:
    """R26 on the submitted scores of a lot, in a constant number of queries (bids with their scores, criteria,
    grades); kept on the lot object so a page computes it once."""
    cached = getattr(lot, "_ranking", None)
    if cached is not None:
        return cached
    tender = lot.tender
    weights = {c.pk: c.weight for c in tender.criteria.all()}
    bids = list(lot.bids.filter(status=BidStatus.QUALIFIED).prefetch_related("scores"))
    bonuses = eligibility.r29_track_record_bonuses(institution_ids={b.institution_id for b in bids}, tender=tender)
    entries = []
    for bid in bids:
        by_crit = {}
        for s in bid.scores.all():
            by_crit.setdefault(s.criterion_id, []).append(s.value)
        entries.append(scoring.Entry(key=bid.pk, price=bid.price, submitted_at=bid.received_at, scores=by_crit,
                                     bonus=bonuses[bid.institution_id]))
    lot._ranking = scoring.rank(entries, price_weight=tender.price_weight, weights=weights)
    return lot._ranking


def lot_outliers(lot: Lot) -> dict:
    """{bid_id: [(member_id, criterion_id, value, mean_of_others)]}"""
    threshold = get_setting("tender_outlier_points", region=lot.tender.province)
    grid = {}
    for s in Score.objects.filter(bid__lot=lot):
        grid.setdefault((s.bid_id, s.criterion_id), {})[s.member_id] = s.value
    flagged = {}
    for (bid_id, crit_id), values in grid.items():
        for member, value, mean in scoring.outliers(values, threshold=threshold):
            flagged.setdefault(bid_id, []).append((member, crit_id, str(value), str(scoring.show(mean))))
    return flagged


def dashboard_panel(user):
    from django.urls import reverse

    from backoffice.navigation import Panel as DashPanel

    if not user.is_authenticated:
        return None
    if user.has_perm("tendering.use_portal") and not user.is_superuser:
        return DashPanel(title=_("Open tenders"), value=open_tender_list(user=user).count(),
                         url=reverse("tendering:portal_tenders"))
    if user.has_perm("tendering.score_bids") and not user.is_superuser:
        pending = panel_memberships_of(user=user).filter(submitted_at__isnull=True).count()
        return DashPanel(title=_("Panels waiting for my scores"), value=pending, url=reverse("tendering:expert_panels"))
    if _reads_tenders(user):
        return DashPanel(title=_("Tenders in progress"), url=reverse("tendering:tender_list"),
                         value=tender_list_visible_to(user=user).exclude(
                             status__in=[TenderStatus.COMPLETED, TenderStatus.FAILED, TenderStatus.CANCELLED]).count())
    return None


def opening_alert_panel(user):
    """A red dashboard panel while an opening is stopped (R23); hidden when there is none."""
    from django.urls import reverse

    from backoffice.navigation import Panel as DashPanel

    if not user.is_authenticated:
        return None
    alerts = list(opening_alerts_visible_to(user=user)[:20])
    if not alerts:
        return None
    return DashPanel(title=_("Openings stopped: bids cannot be unsealed"), value=len(alerts), level="danger",
                     note=_("No bid of these tenders has been opened. Restore the seal secret, then open again."),
                     items=[(f"{a.tender.reference} {a.reason}", reverse("tendering:tender_detail", args=[a.tender_id]))
                            for a in alerts])


# -- for finance (set-based, one query each) ------------------------------------------------------------
def contract_project_rows(*, contract_ids) -> list[dict]:
    """Every (contract, project) pair of the contracts' lots with the project figures settlement needs (R52)."""
    from django.db.models import F

    return list(Lot.projects.through.objects.filter(lot__contract__id__in=contract_ids).values(
        "project_id", contract_id=F("lot__contract__id"), hours=F("project__hours"),
        start_date=F("project__start_date"), quota=F("project__quota")))


# -- public reads (issue 15: API and open data; no log-in) -----------------------------------------------------
def public_tenders():
    """Announced tenders (and everything after): public, like the notices. Bids are never part of this (R23)."""
    return Tender.objects.exclude(status=TenderStatus.DRAFT).filter(announced_at__isnull=False).select_related(
        "province", "office").prefetch_related(
        Prefetch("lots", queryset=Lot.objects.prefetch_related("regions").order_by("number")))


def public_tender_get(*, reference: str) -> Tender:
    return public_tenders().get(reference=reference)

# -- the public award notice (R27) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class AwardNotice:
    """What the public award notice shows, for the page and its PDF alike."""

    lot: Lot
    winner: str | None
    unit_price: Decimal | None
    results: list
    contract: Contract | None
    answer_working_days: int


def award_notice_get(*, pk) -> AwardNotice:
    """R27 公示: the winner (the recommended bid, else the signed contract: a lot can be contracted without a
    recorded recommendation, like the demo's 2025 lot), the unit price, the recorded ranking with its scores,
    the notice and question dates. Public: no login, no scope; only lots whose notice is published."""
    lot = public_notices().select_related("tender__office", "tender__province").get(pk=pk)
    contract = Contract.objects.filter(lot=lot).select_related("institution").first()
    if lot.recommended_bid_id:
        winner, price = lot.recommended_bid.institution.name, lot.recommended_bid.price
    elif contract is not None:
        winner, price = contract.institution.name, contract.unit_price
    else:
        winner, price = None, None
    results = list(lot.results.select_related("bid__institution").order_by("rank"))
    days = get_setting("tender_answer_working_days", region=lot.tender.province)
    return AwardNotice(lot=lot, winner=winner, unit_price=price, results=results, contract=contract,
                       answer_working_days=days)
