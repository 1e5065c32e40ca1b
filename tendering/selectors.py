"""Reads on tenders, always scoped to the user (R2) and never past the seal (R23)."""
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from backoffice import scoping
from backoffice.models import Role
from backoffice.scoping import scope_for
from tendering.models import (
    Bid, BidStatus, Contract, Lot, LotStatus, OpeningAlert, Panel, PanelMember, Question, Score, Tender, TenderStatus,
)

STAFF_ROLES = {Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.MINISTRY_STAFF, Role.AUDITOR}
PUBLIC_STATES = [s for s in TenderStatus.values if s != TenderStatus.DRAFT]


def _tenders():
    return Tender.objects.select_related("province", "office").annotate(
        lot_count=Count("lots", distinct=True)).order_by("-created_at", "-pk")


def tender_list_visible_to(*, user):
    """Staff: their region's tenders. Institutions: announced (public) tenders. Experts: tenders of their panels."""
    scope = scope_for(user)
    if scope.kind == scoping.ALL:
        return _tenders()
    if user.role in STAFF_ROLES and scope.kind == scoping.REGION:
        return _tenders().filter(province__code__startswith=scope.region_prefix[:2])
    if user.role == Role.INSTITUTION_STAFF:
        return _tenders().filter(status__in=PUBLIC_STATES)
    if user.role == Role.EXPERT:
        return _tenders().filter(lots__panel__members__user=user).distinct()
    return Tender.objects.none()


def open_tender_list(*, user):
    return tender_list_visible_to(user=user).filter(status=TenderStatus.ANNOUNCED)


def tender_get(*, user, pk) -> Tender:
    return tender_list_visible_to(user=user).prefetch_related(
        Prefetch("lots", queryset=Lot.objects.prefetch_related("regions", "projects").select_related(
            "recommended_bid__institution")),
        "criteria", "projects").get(pk=pk)


def can_manage(user, tender) -> bool:
    scope = scope_for(user)
    return (user.is_superuser or user.role in (Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF)) and \
        scope.can_write and scope.covers_region(tender.province)


# R23: who is shown that an opening was stopped because a bid would not unseal (they run the tender).
OPENING_ALERT_ROLES = {Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF}


def opening_alerts_visible_to(*, user):
    """Unresolved opening alerts of the tenders in the user's region that are still waiting to be opened."""
    if not (user.is_superuser or user.role in OPENING_ALERT_ROLES):
        return OpeningAlert.objects.none()
    tenders = tender_list_visible_to(user=user).filter(
        status__in=[TenderStatus.ANNOUNCED, TenderStatus.BIDDING_CLOSED]).values("pk")
    return OpeningAlert.objects.filter(resolved_at__isnull=True, tender__in=tenders).select_related(
        "tender").order_by("-raised_at", "-pk")


def bid_list_visible_to(*, user):
    """The bidder sees its own bids at any time. Everyone else sees bids only after the opening (R23):
    staff of the tender's region, and experts on the lot's panel."""
    scope = scope_for(user)
    qs = Bid.objects.select_related("lot__tender__province", "institution", "submitted_by")
    opened = Q(lot__tender__opened_at__isnull=False)
    if user.role == Role.INSTITUTION_STAFF and user.organisation_id:
        return qs.filter(institution_id=user.organisation_id)
    if scope.kind == scoping.ALL:
        return qs.filter(opened)
    if user.role in STAFF_ROLES and scope.kind == scoping.REGION:
        return qs.filter(opened, lot__tender__province__code__startswith=scope.region_prefix[:2])
    if user.role == Role.EXPERT:
        return qs.filter(opened, lot__panel__members__user=user, status=BidStatus.QUALIFIED).distinct()
    return qs.none()


def panel_memberships_of(*, user):
    return PanelMember.objects.filter(user=user).select_related("panel__lot__tender")


def scores_visible_to(*, user, lot):
    """An expert sees their own scores, and everyone's once every member has submitted; staff after that too."""
    panel = getattr(lot, "panel", None)
    if panel is None:
        return Score.objects.none()
    qs = Score.objects.filter(member__panel=panel).select_related("member__user", "bid__institution", "criterion")
    if panel.all_submitted() and (user.role in STAFF_ROLES or user.is_superuser or
                                  panel.members.filter(user=user).exists()):
        return qs
    return qs.filter(member__user=user)


def question_list_visible_to(*, user):
    scope = scope_for(user)
    qs = Question.objects.select_related("lot__tender", "institution")
    if user.role == Role.INSTITUTION_STAFF:
        return qs.filter(institution_id=user.organisation_id)
    if scope.kind == scoping.ALL:
        return qs
    if user.role in STAFF_ROLES and scope.kind == scoping.REGION:
        return qs.filter(lot__tender__province__code__startswith=scope.region_prefix[:2])
    return qs.none()


def public_notices():
    """公示: award notices are public pages; no login, no scope."""
    return Lot.objects.filter(status__in=[LotStatus.NOTICE, LotStatus.CONTRACTED]).select_related(
        "tender", "recommended_bid__institution").order_by("-notice_published_at")


def contract_list_visible_to(*, user):
    scope = scope_for(user)
    qs = Contract.objects.select_related("lot__tender", "institution")
    if user.role == Role.INSTITUTION_STAFF:
        return qs.filter(institution_id=user.organisation_id)
    if scope.kind == scoping.ALL:
        return qs
    if scope.kind == scoping.REGION:
        return qs.filter(lot__tender__province__code__startswith=scope.region_prefix[:2])
    return qs.none()


def dashboard_panel(user):
    from django.urls import reverse

    from backoffice.navigation import Panel as DashPanel

    if not user.is_authenticated:
        return None
    if user.role == Role.INSTITUTION_STAFF:
        return DashPanel(title=_("Open tenders"), value=open_tender_list(user=user).count(),
                         url=reverse("tendering:portal_tenders"))
    if user.role == Role.EXPERT:
        pending = panel_memberships_of(user=user).filter(submitted_at__isnull=True).count()
        return DashPanel(title=_("Panels waiting for my scores"), value=pending, url=reverse("tendering:expert_panels"))
    if user.role in STAFF_ROLES or user.is_superuser:
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
