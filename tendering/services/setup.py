"""Setting up tenders (R20, R22): institution profiles and qualifications, tenders, amendments, lots,
criteria, the announcement, cancellation, re-tendering (R24) and expert profiles."""
import datetime as dt
import hashlib
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.config import get_setting
from backoffice.exceptions import DomainError
from backoffice.workflow import fire
from backoffice.punctuation import enum
from projects.models import ProjectStatus
from projects.services import project_put_to_tender, project_tender_failed
from tendering import sealing
from tendering.models import (
    Bid,
    BidStatus,
    Criterion,
    ExpertProfile,
    InstitutionProfile,
    Lot,
    LotRegion,
    LotStatus,
    Qualification,
    QualificationKind,
    Tender,
    TenderStatus,
)
from tendering.services.bids import _bids_move
from tendering.services.common import _require_institution_staff, _require_tender_staff, check_upload


# -- institution profile and qualifications ----------------------------------------------------------
def institution_profile_update(*, actor, description: str, contact_name: str, contact_phone: str,
                               staff_count: int, track_record: str) -> InstitutionProfile:
    institution = _require_institution_staff(actor, "tendering.edit_institution_profile")
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
                          sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor, document_name=name[:255])
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
    province = actor.province
    _require_tender_staff(actor)
    if province is None or not actor.has_perm("tendering.manage_tender", Tender(province=province)):
        raise DomainError("forbidden", _("This tender is outside your region."))
    projects = list(projects)
    bad = [p for p in projects if p.status != ProjectStatus.FILED or not p.plan.province.code.startswith(province.prefix)]
    if bad:
        raise DomainError("project_not_filed", _("Only filed projects of your province can be tendered: %(p)s.") % {
            "p": enum(p.name for p in bad)})
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
            _bids_move(Bid.objects.filter(lot__tender=tender, status=BidStatus.ACTIVE), actor=actor,
                       transition="ask_confirmation", to=BidStatus.TO_CONFIRM, reason=reason, confirmed_at=None)
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
            "r": enum(sorted(taken))})
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



def expert_profile_save(*, actor, user, employer=None, speciality: str = "", declared_relations=()) -> ExpertProfile:
    if not actor.has_perm("tendering.edit_expert_profile", user):
        raise DomainError("forbidden", _("You may not change this expert profile."))
    with transaction.atomic():
        profile, _c = ExpertProfile.objects.get_or_create(user=user)
        profile.employer, profile.speciality = employer, speciality
        profile.save()
        profile.declared_relations.set(declared_relations)
        audit_record(obj=profile, actor=actor, action="update", changes={
            "declared_relations": (None, [str(o) for o in declared_relations])})
    return profile
