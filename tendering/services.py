"""Writes on tenders, lots, bids, panels, scores, awards, questions and contracts.

Every state change goes through backoffice.workflow.fire; projects change only through projects.services.
Sealed bid content never enters an audit event's `changes` (R23): bid events carry the receipt hash only.
"""
import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.config import get_setting
from backoffice.exceptions import DomainError
from backoffice.models import OrganisationKind, Role
from backoffice.numbers import finite_decimal
from backoffice.scoping import scope_for
from backoffice.workflow import fire
from projects.models import Project, ProjectStatus
from projects.services import project_put_to_tender, project_record_contract, project_tender_failed
from tendering import eligibility, panel as panel_rules, scoring, sealing
from tendering.calendar import add_working_days
from tendering.models import (
    ACTIVE_BID_STATES, Bid, BidStatus, Contract, Criterion, ExpertProfile, InstitutionProfile, Lot, LotRegion,
    LotResult, LotStatus, OpeningAlert, Panel, PanelMember, Qualification, QualificationKind, Question, Score,
    SettlementBasis, Tender, TenderStatus,
)

ALLOWED_UPLOADS = {".pdf": b"%PDF", ".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8", ".png": b"\x89PNG", ".docx": b"PK",
                   ".zip": b"PK"}


# -- helpers -------------------------------------------------------------------------------------------
def _require_tender_staff(actor, tender=None, *, region=None):
    scope = scope_for(actor)
    if not (actor.is_superuser or actor.role in (Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF)) or not scope.can_write:
        raise DomainError("forbidden", _("Only province or project office staff may do this."))
    region = region or (tender.province if tender else None)
    if region is not None and not scope.covers_region(region):
        raise DomainError("forbidden", _("This tender is outside your region."))


def _require_institution_staff(actor):
    if actor.role != Role.INSTITUTION_STAFF or actor.organisation is None or \
            actor.organisation.kind != OrganisationKind.INSTITUTION:
        raise DomainError("forbidden", _("Only institution staff may do this."))
    return actor.organisation


def system_actor():
    """The user the scheduled opening acts as (the audit trail shows it as 系统)."""
    user, created = get_user_model().objects.get_or_create(
        username="system", defaults={"full_name": "系统", "is_superuser": True, "is_active": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def check_upload(*, name: str, data: bytes, region=None):
    """Size and type limits for uploaded documents: extension and the file's own first bytes must agree."""
    max_mb = get_setting("tender_upload_max_mb", region=region)
    if len(data) > max_mb * 1024 * 1024:
        raise DomainError("upload_too_large", _("The file is larger than %(mb)s MB.") % {"mb": max_mb})
    if not data:
        raise DomainError("upload_empty", _("The file is empty."))
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    magic = ALLOWED_UPLOADS.get(ext)
    if magic is None or not data.startswith(magic):
        raise DomainError("upload_type", _("Upload a PDF, JPG, PNG, DOCX or ZIP file."))


# -- institution profile and qualifications ----------------------------------------------------------
def institution_profile_update(*, actor, description: str, contact_name: str, contact_phone: str,
                               staff_count: int, track_record: str) -> InstitutionProfile:
    institution = _require_institution_staff(actor)
    with transaction.atomic():
        profile, _created = InstitutionProfile.objects.select_for_update().get_or_create(institution=institution)
        before = {"track_record": profile.track_record, "staff_count": profile.staff_count}
        profile.description, profile.contact_name, profile.contact_phone = description, contact_name, contact_phone
        profile.staff_count, profile.track_record = staff_count, track_record
        profile.save()
        # Track record is eligibility (R21): keep who changed it.
        changes = {k: (before[k], getattr(profile, k)) for k in before if before[k] != getattr(profile, k)}
        if changes:
            audit_record(obj=profile, actor=actor, action="update", changes=changes)
    return profile


def qualification_upload(*, actor, kind: str, number: str, valid_until, name: str, data: bytes) -> Qualification:
    from django.core.files.base import ContentFile

    institution = _require_institution_staff(actor)
    if kind not in QualificationKind.values:
        raise DomainError("qualification_kind", _("Unknown qualification."))
    check_upload(name=name, data=data, region=institution.region)
    with transaction.atomic():
        q = Qualification(institution=institution, kind=kind, number=number, valid_until=valid_until,
                          sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor)
        q.document.save(name, ContentFile(data), save=False)
        q.save()
        audit_record(obj=q, actor=actor, action="create", changes={"qualification": (None, kind)})
    return q


# -- tender set-up ---------------------------------------------------------------------------------------
def _next_reference(year: int) -> str:
    count = Tender.objects.filter(reference__startswith=f"GPZB-{year}-").count()
    return f"GPZB-{year}-{count + 1:03d}"


def tender_create(*, actor, title: str, projects, clarification_deadline, bid_deadline, opening_at,
                  price_weight: Decimal = Decimal("0.30"), required_qualifications=(), description: str = "",
                  track_record_bonus: Decimal = Decimal("2.00"), retender_of: Tender | None = None) -> Tender:
    org = actor.organisation
    province = org.region if org and org.region and org.region.level == "province" else (
        org.region.parent if org and org.region else None)
    _require_tender_staff(actor, region=province)
    projects = list(projects)
    bad = [p for p in projects if p.status != ProjectStatus.FILED or not p.plan.province.code.startswith(province.prefix)]
    if bad:
        raise DomainError("project_not_filed", _("Only filed projects of your province can be tendered: %(p)s.") % {
            "p": "、".join(p.name for p in bad)})
    with transaction.atomic():
        tender = Tender.objects.create(
            reference=_next_reference(timezone.localdate().year), title=title, province=province, office=org,
            description=description, required_qualifications=list(required_qualifications), price_weight=price_weight,
            track_record_bonus=track_record_bonus, clarification_deadline=clarification_deadline,
            bid_deadline=bid_deadline, opening_at=opening_at, wrapped_key=sealing.new_wrapped_key(),
            created_by=actor, retender_of=retender_of,
        )
        tender.projects.set(projects)
        audit_record(obj=tender, actor=actor, action="create", changes={"projects": (None, [p.code for p in projects])})
    return tender


TIMELINE_FIELDS = ("clarification_deadline", "bid_deadline", "opening_at")
EDITABLE_FIELDS = ("title", "description", "price_weight", "track_record_bonus", "required_qualifications") + TIMELINE_FIELDS


def tender_update(*, actor, tender: Tender, reason: str = "", now=None, **fields) -> Tender:
    """Change a tender. After the announcement this is an amendment (R22): the deadline moves so that
    15 days remain, the opening moves with it, and existing bids go back to 'to be confirmed'."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError("field_not_editable", _("These fields cannot be changed: %(f)s") % {"f": ", ".join(unknown)})
    now = now or timezone.now()
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        _require_tender_staff(actor, tender)
        if tender.status not in (TenderStatus.DRAFT, TenderStatus.ANNOUNCED):
            raise DomainError("tender_locked", _("The tender can no longer be changed."))
        if tender.status == TenderStatus.ANNOUNCED and now > tender.bid_deadline:
            raise DomainError("tender_locked", _("The tender can no longer be changed."))
        amending = tender.status == TenderStatus.ANNOUNCED
        if amending and not reason.strip():
            raise DomainError("reason_required", _("An amendment after the announcement needs a reason."))
        before = {k: getattr(tender, k) for k in fields}
        for key, value in fields.items():
            setattr(tender, key, value)
        if amending:
            days = get_setting("tender_clarification_days", region=tender.province)
            earliest = now + dt.timedelta(days=days)
            if tender.bid_deadline < earliest:
                shift = earliest - tender.bid_deadline
                tender.bid_deadline = earliest
                tender.opening_at = tender.opening_at + shift
            if tender.opening_at < tender.bid_deadline:
                tender.opening_at = tender.bid_deadline
        tender.save()
        after = {k: getattr(tender, k) for k in set(fields) | set(TIMELINE_FIELDS)}
        before.update({k: v for k, v in ((k, before.get(k, getattr(tender, k))) for k in TIMELINE_FIELDS)})
        changes = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
        audit_record(obj=tender, actor=actor, action="update", reason=reason, changes=changes)
        if amending:
            reset = Bid.objects.filter(lot__tender=tender, status=BidStatus.ACTIVE)
            for bid in reset:
                audit_record(obj=bid, actor=actor, action="update", reason=reason,
                             changes={"status": (BidStatus.ACTIVE, BidStatus.TO_CONFIRM)})
            reset.update(status=BidStatus.TO_CONFIRM, confirmed_at=None)
    return tender


def lot_add(*, actor, tender: Tender, name: str, regions, projects, budget: Decimal,
            max_unit_price: Decimal | None = None) -> Lot:
    _require_tender_staff(actor, tender)
    if tender.status != TenderStatus.DRAFT:
        raise DomainError("tender_locked", _("Lots can only be changed while the tender is a draft."))
    regions, projects = list(regions), list(projects)
    if not regions:
        raise DomainError("lot_no_regions", _("A lot needs at least one region."))
    taken = set(LotRegion.objects.filter(tender=tender, region__in=regions).values_list("region__name", flat=True))
    if taken:
        raise DomainError("r20_region_in_two_lots", _("A region can be in only one lot of a tender: %(r)s.") % {
            "r": "、".join(sorted(taken))})
    allowed = set(tender.projects.values_list("pk", flat=True))
    if any(p.pk not in allowed for p in projects):
        raise DomainError("lot_project_not_in_tender", _("A lot's projects must be projects of the tender."))
    try:
        with transaction.atomic():
            number = (tender.lots.order_by("-number").values_list("number", flat=True).first() or 0) + 1
            lot = Lot.objects.create(tender=tender, number=number, name=name, budget=budget,
                                     max_unit_price=max_unit_price)
            LotRegion.objects.bulk_create([LotRegion(tender=tender, lot=lot, region=r) for r in regions])
            lot.projects.set(projects)
            audit_record(obj=lot, actor=actor, action="create", changes={
                "budget": (None, budget), "regions": (None, [r.code for r in regions])})
    except IntegrityError as exc:
        raise DomainError("r20_region_in_two_lots", _("A region can be in only one lot of a tender.")) from exc
    return lot


def criteria_set(*, actor, tender: Tender, criteria: list[tuple[str, Decimal]]) -> list[Criterion]:
    _require_tender_staff(actor, tender)
    if tender.status != TenderStatus.DRAFT:
        raise DomainError("tender_locked", _("The scoring scheme can only be changed while the tender is a draft."))
    with transaction.atomic():
        before = list(tender.criteria.values_list("name", "weight"))
        tender.criteria.all().delete()
        made = Criterion.objects.bulk_create(
            [Criterion(tender=tender, name=n, weight=w, position=i) for i, (n, w) in enumerate(criteria)])
        audit_record(obj=tender, actor=actor, action="update", changes={
            "criteria": ([f"{n}:{w}" for n, w in before], [f"{n}:{w}" for n, w in criteria])})
    return made


def tender_announce(*, actor, tender: Tender) -> Tender:
    with transaction.atomic():
        tender = fire(Tender, tender.pk, name="announce", actor=actor)
        for project in tender.projects.all():
            project_put_to_tender(project=project, actor=actor)
        transaction.on_commit(lambda: schedule_opening(tender))
    return tender


def schedule_opening(tender: Tender):
    """django-celery-beat runs the opening at the opening time (one-off clocked task)."""
    import json

    from django_celery_beat.models import ClockedSchedule, PeriodicTask

    clocked, _c = ClockedSchedule.objects.get_or_create(clocked_time=tender.opening_at)
    PeriodicTask.objects.update_or_create(
        name=f"open tender {tender.pk}",
        defaults={"task": "tendering.tasks.open_tender", "clocked": clocked, "one_off": True, "enabled": True,
                  "args": json.dumps([tender.pk])},
    )


def tender_cancel(*, actor, tender: Tender, reason: str) -> Tender:
    with transaction.atomic():
        was = tender.status
        tender = fire(Tender, tender.pk, name="cancel", actor=actor, reason=reason)
        if was == TenderStatus.ANNOUNCED:
            for project in tender.projects.filter(status=ProjectStatus.TENDERING):
                project_tender_failed(project=project, actor=actor, reason=reason)
    return tender


# -- bids -------------------------------------------------------------------------------------------------
def _bid_content(*, price, chief_expert, chief_own_staff, team, past_projects, document_name) -> dict:
    return {
        "price": str(Decimal(price).quantize(Decimal("0.01"))), "chief_expert": chief_expert.strip(),
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
    if value >= MAX_PRICE or value.quantize(Decimal("0.01")) >= MAX_PRICE:
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
        if lot.max_unit_price is not None and Decimal(price) > lot.max_unit_price:
            raise DomainError("bid_above_ceiling", _("The unit price is above the lot's highest unit price."))
        problems = eligibility.bid_eligibility_problems(tender=tender, institution=institution, content=content,
                                                        on=received_at)
        if problems:
            raise DomainError(problems[0][0], problems[0][1], errors=problems)
        previous = Bid.objects.select_for_update().filter(
            lot=lot, institution=institution, status__in=ACTIVE_BID_STATES).first()
        if previous is not None:
            previous.status = BidStatus.REPLACED
            previous.save(update_fields=["status"])
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


def _own_bid_for_update(actor, bid):
    institution = _require_institution_staff(actor)
    bid = Bid.objects.select_for_update().select_related("lot__tender").get(pk=bid.pk)
    if bid.institution_id != institution.pk:
        raise DomainError("forbidden", _("This is not your institution's bid."))
    return bid


def bid_withdraw(*, actor, bid: Bid, now=None) -> Bid:
    now = now or timezone.now()
    with transaction.atomic():
        bid = _own_bid_for_update(actor, bid)
        if bid.status not in ACTIVE_BID_STATES:
            raise DomainError("bid_not_active", _("Only an active bid can be withdrawn."))
        if now > bid.lot.tender.bid_deadline or bid.lot.tender.status != TenderStatus.ANNOUNCED:
            raise DomainError("r23_after_deadline", _("The bid deadline has passed."))
        before = bid.status
        bid.status, bid.withdrawn_at = BidStatus.WITHDRAWN, now
        bid.save(update_fields=["status", "withdrawn_at"])
        audit_record(obj=bid, actor=actor, action="update", changes={"status": (before, bid.status)})
    return bid


def bid_confirm(*, actor, bid: Bid, now=None) -> Bid:
    """After an amendment (R22) the bidder confirms its bid stands, or replaces it."""
    now = now or timezone.now()
    with transaction.atomic():
        bid = _own_bid_for_update(actor, bid)
        if bid.status != BidStatus.TO_CONFIRM:
            raise DomainError("bid_not_to_confirm", _("This bid does not need confirming."))
        if now > bid.lot.tender.bid_deadline:
            raise DomainError("r23_after_deadline", _("The bid deadline has passed."))
        bid.status, bid.confirmed_at = BidStatus.ACTIVE, now
        bid.save(update_fields=["status", "confirmed_at"])
        audit_record(obj=bid, actor=actor, action="update", changes={"status": (BidStatus.TO_CONFIRM, BidStatus.ACTIVE)})
    return bid


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
            qualified = 0
            for bid in lot.bids.select_related("lot__tender", "institution").filter(status__in=ACTIVE_BID_STATES):
                content = _unseal_for_opening(bid)
                bid.price, bid.chief_expert, bid.team = content["price"], content["chief_expert"], content["team"]
                if bid.status == BidStatus.TO_CONFIRM:
                    bid.status = BidStatus.DISQUALIFIED
                    bid.disqualification_reason = _("Not confirmed after the tender was amended.")
                else:
                    bid.status = BidStatus.QUALIFIED
                    qualified += 1
                bid.save(update_fields=["price", "chief_expert", "team", "status", "disqualification_reason"])
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


def tender_keys_rotate(*, actor) -> tuple[list[str], dict[str, str]]:
    """Re-wrap every tender key that is not under the current seal key version (the tender's own key and its bids'
    ciphertext stay as they are). Returns (references re-wrapped, {reference: reason} for keys that do not open);
    one audit event per re-wrapped tender (R3), written set-based."""
    from backoffice.audit import Entry, audit_record_many, audit_region_code

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


def lot_retender(*, actor, lot: Lot, bid_deadline, clarification_deadline, opening_at) -> Tender:
    """R24: a failed lot becomes a new tender over the same projects and regions; the failed one is kept."""
    if lot.status != LotStatus.FAILED:
        raise DomainError("lot_not_failed", _("Only a failed lot can be re-tendered."))
    old = lot.tender
    with transaction.atomic():
        tender = tender_create(
            actor=actor, title=f"{old.title}（{_('re-tender')} {lot.name}）", projects=lot.projects.all(),
            clarification_deadline=clarification_deadline, bid_deadline=bid_deadline, opening_at=opening_at,
            price_weight=old.price_weight, required_qualifications=old.required_qualifications,
            description=old.description, track_record_bonus=old.track_record_bonus, retender_of=old)
        criteria_set(actor=actor, tender=tender, criteria=[(c.name, c.weight) for c in old.criteria.all()])
        lot_add(actor=actor, tender=tender, name=lot.name, regions=lot.regions.all(), projects=lot.projects.all(),
                budget=lot.budget, max_unit_price=lot.max_unit_price)
    return tender


# -- panel (R25) ------------------------------------------------------------------------------------------
def panel_draw(*, actor, lot: Lot, size: int | None = None, officials=(), seed: str | None = None) -> Panel:
    from tendering.rules import panel_size_problems, required_panel_size

    tender = lot.tender
    _require_tender_staff(actor, tender)
    if lot.status != LotStatus.EVALUATION:
        raise DomainError("lot_not_in_evaluation", _("A panel is drawn after the opening, for a lot under evaluation."))
    if Panel.objects.filter(lot=lot).exists():
        raise DomainError("panel_exists", _("This lot already has a panel."))
    officials = list(officials)
    size = size or required_panel_size(lot.budget, region=tender.province)
    n_experts = size - len(officials)
    problems = panel_size_problems(size, n_experts, lot.budget, region=tender.province)
    if problems:
        raise DomainError(problems[0][0], problems[0][1], errors=problems)
    bidder_ids = set(lot.bids.filter(status=BidStatus.QUALIFIED).values_list("institution_id", flat=True))
    since = panel_rules.conflict_cutoff(timezone.localdate(), get_setting("tender_conflict_years", region=tender.province))
    pool = (ExpertProfile.objects.filter(is_active=True, user__is_active=True, user__role=Role.EXPERT)
            .select_related("user").prefetch_related("employments", "declared_relations", "drafted_tenders"))
    candidates, excluded = [], {}
    for expert in pool:
        reason = panel_rules.conflict_reason(expert, bidder_ids=bidder_ids, tender=tender, since=since)
        if reason:
            excluded[str(expert.user_id)] = reason
        else:
            candidates.append(expert.user_id)
    if len(candidates) < n_experts:
        raise DomainError("r25_pool_too_small", _("Only %(n)s experts without a conflict are in the pool.") % {
            "n": len(candidates)})
    seed = seed or secrets.token_hex(16)
    chosen = panel_rules.draw(candidates, seed=seed, count=n_experts)
    with transaction.atomic():
        panel = Panel.objects.create(lot=lot, seed=seed, candidates=sorted(candidates), excluded=excluded, size=size,
                                     drawn_by=actor)
        PanelMember.objects.bulk_create([PanelMember(panel=panel, user_id=uid, is_expert=True) for uid in chosen] +
                                        [PanelMember(panel=panel, user=u, is_expert=False) for u in officials])
        audit_record(obj=panel, actor=actor, action="create", changes={
            "seed": (None, seed), "candidates": (None, sorted(candidates)), "excluded": (None, excluded),
            "members": (None, chosen + [u.pk for u in officials])})
    return panel


# -- scores ---------------------------------------------------------------------------------------------------
def score_parse(value) -> Decimal:
    """An expert's score as typed: a number from 0 to 100 with at most two decimals, else a DomainError (a
    non-numeric or NaN score was a decimal error shown as '[<class 'decimal.ConversionSyntax'>]')."""
    number = finite_decimal(str(value).strip())
    if number is None:
        raise DomainError("score_invalid", _("Enter the score as a number from 0 to 100."))
    if not Decimal("0") <= number <= Decimal("100"):
        raise DomainError("score_range", _("Scores are between 0 and 100."))
    if number != number.quantize(Decimal("0.01")):
        raise DomainError("score_decimals", _("A score has at most two decimals."))
    return number


def scores_save(*, actor, lot: Lot, scores: dict, submit: bool = False) -> PanelMember:
    """`scores`: {(bid_id, criterion_id): (value, comment)}. Submitting needs a score for every bid and criterion."""
    with transaction.atomic():
        member = PanelMember.objects.select_for_update().filter(panel__lot=lot, user=actor).first()
        if member is None:
            raise DomainError("forbidden", _("You are not on this lot's panel."))
        if member.submitted_at:
            raise DomainError("scores_submitted", _("Your scores are already submitted."))
        if lot.status != LotStatus.EVALUATION:
            raise DomainError("lot_not_in_evaluation", _("This lot is not being scored."))
        bids = {b.pk for b in lot.bids.filter(status=BidStatus.QUALIFIED)}
        criteria = {c.pk for c in lot.tender.criteria.all()}
        for (bid_id, crit_id), (value, comment) in scores.items():
            if bid_id not in bids or crit_id not in criteria:
                raise DomainError("score_target", _("A score refers to an unknown bid or criterion."))
            value = score_parse(value)
            Score.objects.update_or_create(member=member, bid_id=bid_id, criterion_id=crit_id,
                                           defaults={"value": value, "comment": comment or ""})
        if submit:
            have = set(member.scores.values_list("bid_id", "criterion_id"))
            if any((b, c) not in have for b in bids for c in criteria):
                raise DomainError("scores_incomplete", _("Score every bid on every criterion before submitting."))
            member.submitted_at = timezone.now()
            member.save(update_fields=["submitted_at"])
            audit_record(obj=member.panel, actor=actor, action="update", changes={
                f"score {s.bid_id}/{s.criterion_id}": (None, s.value) for s in member.scores.all()})
    return member


def lot_ranking(lot: Lot) -> list[scoring.Result]:
    """R26 on the submitted scores of a lot (usable for the summary before the recommendation is recorded)."""
    tender = lot.tender
    weights = {c.pk: c.weight for c in tender.criteria.all()}
    entries = []
    for bid in lot.bids.filter(status=BidStatus.QUALIFIED).select_related("institution").prefetch_related("scores"):
        by_crit = {}
        for s in bid.scores.all():
            by_crit.setdefault(s.criterion_id, []).append(s.value)
        entries.append(scoring.Entry(key=bid.pk, price=bid.price, submitted_at=bid.received_at, scores=by_crit,
                                     bonus=eligibility.r29_track_record_bonus(institution=bid.institution, tender=tender)))
    return scoring.rank(entries, price_weight=tender.price_weight, weights=weights)


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


def lot_recommend(*, actor, lot: Lot, reason: str = "") -> Lot:
    with transaction.atomic():
        results = lot_ranking(lot)
        flagged = lot_outliers(lot)
        LotResult.objects.filter(lot=lot).delete()
        LotResult.objects.bulk_create([LotResult(
            lot=lot, bid_id=r.key, price_score=r.price_score.quantize(Decimal("0.000001")),
            technical_score=r.technical.quantize(Decimal("0.000001")), bonus=r.bonus, total=r.total, rank=r.rank,
            outliers=flagged.get(r.key, [])) for r in results])
        winner = Bid.objects.get(pk=results[0].key) if results else None
        lot = fire(Lot, lot.pk, name="recommend", actor=actor, reason=reason, bid=winner,
                   changes={"recommended": (None, str(winner.institution) if winner else None),
                            "ranking": (None, [[str(r.key), str(r.total)] for r in results])})
    return lot


def lot_approve_award(*, actor, lot: Lot, reason: str = "") -> Lot:
    now = timezone.now()
    region = lot.tender.province
    notice_ends = add_working_days(now, get_setting("tender_notice_working_days", region=region))
    questions_close = add_working_days(notice_ends, get_setting("tender_question_working_days", region=region))
    return fire(Lot, lot.pk, name="approve_award", actor=actor, reason=reason, notice_ends_at=notice_ends,
                question_deadline=questions_close)


def lot_return_recommendation(*, actor, lot: Lot, reason: str) -> Lot:
    return fire(Lot, lot.pk, name="return_recommendation", actor=actor, reason=reason)


# -- questions (R27) ---------------------------------------------------------------------------------------------
def question_lodge(*, actor, lot: Lot, text: str, now=None) -> Question:
    now = now or timezone.now()
    institution = _require_institution_staff(actor)
    if not text.strip():
        raise DomainError("question_empty", _("Write the question."))
    with transaction.atomic():
        lot = Lot.objects.select_for_update().select_related("tender").get(pk=lot.pk)
        if not lot.bids.filter(institution=institution).exclude(status=BidStatus.WITHDRAWN).exists():
            raise DomainError("forbidden", _("Only bidders of this lot may lodge a question."))
        if lot.status != LotStatus.NOTICE or lot.question_deadline is None or now > lot.question_deadline:
            raise DomainError("r27_question_window_closed", _("The question window for this lot is closed."))
        due = add_working_days(now, get_setting("tender_answer_working_days", region=lot.tender.province))
        question = Question.objects.create(lot=lot, institution=institution, text=text.strip(), lodged_by=actor,
                                           lodged_at=now, answer_due=due)
        audit_record(obj=question, actor=actor, action="create", changes={"question": (None, text.strip()[:200])})
    return question


def question_answer(*, actor, question: Question, answer: str) -> Question:
    with transaction.atomic():
        question = Question.objects.select_for_update().select_related("lot__tender").get(pk=question.pk)
        _require_tender_staff(actor, question.lot.tender)
        if question.answered_at:
            raise DomainError("question_answered", _("This question is already answered."))
        if not answer.strip():
            raise DomainError("answer_empty", _("Write the answer."))
        question.answer, question.answered_by, question.answered_at = answer.strip(), actor, timezone.now()
        question.save()
        audit_record(obj=question, actor=actor, action="update", changes={"answer": (None, answer.strip()[:200])})
    return question


# -- contract (R28) -----------------------------------------------------------------------------------------------
def _check_basis(basis):
    if basis not in SettlementBasis.values:
        raise DomainError("unknown_basis", _("Unknown settlement basis."))


def contract_sign(*, actor, lot: Lot, reference: str = "",
                  settlement_basis: str = SettlementBasis.COMPLETED) -> Contract:
    """R28: sign at the winning unit price for the lot's projects; the settlement basis (R52) is set here."""
    _check_basis(settlement_basis)
    with transaction.atomic():
        lot = fire(Lot, lot.pk, name="sign_contract", actor=actor)
        bid = lot.recommended_bid
        projects = list(lot.projects.all())
        reference = reference or f"{lot.tender.reference}-{lot.number:02d}"
        quota = sum(p.quota for p in projects)
        trainee_hours = sum(p.quota * p.hours for p in projects)
        contract = Contract.objects.create(
            lot=lot, reference=reference, institution=bid.institution, bid=bid, unit_price=bid.price, quota=quota,
            trainee_hours=trainee_hours, amount=(bid.price * trainee_hours).quantize(Decimal("0.01")),
            settlement_basis=settlement_basis, signed_by=actor)
        audit_record(obj=contract, actor=actor, action="create", changes={
            "unit_price": (None, bid.price), "amount": (None, contract.amount), "institution": (None, str(bid.institution)),
            "settlement_basis": (None, settlement_basis)})
        for project in projects:
            project_record_contract(project=project, actor=actor, institution=bid.institution, unit_price=bid.price,
                                    contract_reference=reference)
        tender = lot.tender
        if not tender.lots.exclude(status__in=[LotStatus.CONTRACTED, LotStatus.FAILED]).exists():
            fire(Tender, tender.pk, name="complete", actor=actor)
    return contract


# R53: apps that settle contracts (finance) register a check here, called with the contract row locked, that says
# whether a statement of the contract is already confirmed. Tendering never imports them (dependencies run one
# way); the registration happens in their AppConfig.ready(), like projects.evaluation.sources.
_BASIS_LOCKS = []


def register_settlement_basis_lock(func):
    """`func(contract) -> bool`: True when the contract's settlement basis may no longer change."""
    if func not in _BASIS_LOCKS:
        _BASIS_LOCKS.append(func)
    return func


def contract_set_settlement_basis(*, actor, contract: Contract, basis: str) -> Contract:
    """Change the contract's settlement basis (R52) before any of its statements is confirmed (R53)."""
    _check_basis(basis)
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("lot__tender__province").get(pk=contract.pk)
        _require_tender_staff(actor, contract.lot.tender)
        before = contract.settlement_basis
        if before == basis:
            return contract
        if any(lock(contract) for lock in _BASIS_LOCKS):
            raise DomainError("r53_basis_locked", _(
                "A settlement statement of this contract is already confirmed; its settlement basis can no longer "
                "change."))
        contract.settlement_basis = basis
        contract.save(update_fields=["settlement_basis"])
        audit_record(obj=contract, actor=actor, action="update", changes={"settlement_basis": (before, basis)})
    return contract


def expert_profile_save(*, actor, user, employer=None, speciality: str = "", declared_relations=()) -> ExpertProfile:
    if not actor.is_superuser and actor.role not in (Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF) and actor != user:
        raise DomainError("forbidden", _("You may not change this expert profile."))
    with transaction.atomic():
        profile, _c = ExpertProfile.objects.get_or_create(user=user)
        profile.employer, profile.speciality = employer, speciality
        profile.save()
        profile.declared_relations.set(declared_relations)
        audit_record(obj=profile, actor=actor, action="update", changes={
            "declared_relations": (None, [str(o) for o in declared_relations])})
    return profile


__all__ = [name for name in dir() if name.endswith(("_create", "_update", "_add", "_set", "_announce", "_submit",
                                                      "_withdraw", "_confirm", "_open", "_draw", "_save", "_lodge",
                                                      "_answer", "_sign", "_recommend", "_retender"))]
