"""Pages for the office (tenders, lots, opening, panel, award, questions, contract), the institution portal,
the experts' scoring pages and the public award notices. Reads go through tendering.selectors; writes call
tendering.services; DomainError messages are shown to the user."""
from decimal import Decimal

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.audit import timeline
from backoffice.exceptions import DomainError
from backoffice.models import Role
from backoffice.views import ScopedListView
from backoffice.workflow import actions_for
from tendering import documents, ocds, selectors, services
from tendering.forms import (
    BidForm, ContractSignForm, CriteriaForm, DrawForm, LotForm, ProfileForm, QualificationForm, RetenderForm,
    SettlementBasisForm, TenderForm,
)
from tendering.models import (
    Bid, BidStatus, InstitutionProfile, Lot, LotStatus, Question, Tender, TenderStatus,
)
from tendering.rules import required_panel_size
from tendering.sealing import SealedError, UnreadableBid, document_of, unseal


def _staff_only(user):
    if not (user.is_superuser or user.role in selectors.STAFF_ROLES):
        raise PermissionDenied


def _manage(user, tender):
    if not selectors.can_manage(user, tender):
        raise PermissionDenied


def _institution_only(user):
    if user.role != Role.INSTITUTION_STAFF:
        raise PermissionDenied


def _tender_or_404(user, pk):
    try:
        return selectors.tender_get(user=user, pk=pk)
    except Tender.DoesNotExist as exc:
        raise Http404 from exc


def _lot_or_404(user, pk):
    lot = get_object_or_404(Lot.objects.select_related("tender__province", "recommended_bid__institution"), pk=pk)
    if not selectors.tender_list_visible_to(user=user).filter(pk=lot.tender_id).exists():
        raise Http404
    return lot


# -- office ----------------------------------------------------------------------------------------------
class TenderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TenderStatus.choices, label=_("status"))
    title = django_filters.CharFilter(lookup_expr="icontains", label=_("title"))

    class Meta:
        model = Tender
        fields = ["status", "title"]


class TenderListView(ScopedListView):
    template_name = "tendering/tender_list.html"
    filterset_class = TenderFilter
    selector = selectors.tender_list_visible_to

    def get(self, request, *args, **kwargs):
        _staff_only(request.user)
        return super().get(request, *args, **kwargs)


tender_list = TenderListView.as_view()


def _tender_fields(form):
    data = dict(form.cleaned_data)
    data["price_weight"] = (data["price_weight"] / 100).quantize(Decimal("0.0001"))
    return data


@login_required
def tender_create_view(request):
    if not (request.user.is_superuser or request.user.role in (Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF)):
        raise PermissionDenied
    province = request.user.province
    form = TenderForm(request.POST or None, province=province)
    if request.method == "POST" and form.is_valid():
        data = _tender_fields(form)
        data.pop("reason", None)
        try:
            tender = services.tender_create(actor=request.user, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Tender created. Add lots and criteria, then announce it."))
            return redirect("tendering:tender_detail", pk=tender.pk)
    return render(request, "tendering/tender_form.html", {"form": form, "title": _("New tender")})


@login_required
def tender_edit(request, pk):
    tender = _tender_or_404(request.user, pk)
    _manage(request.user, tender)
    initial = {f: getattr(tender, f) for f in services.EDITABLE_FIELDS}
    initial["price_weight"] = tender.price_weight * 100
    form = TenderForm(request.POST or None, initial=initial, with_projects=False)
    if request.method == "POST" and form.is_valid():
        data = _tender_fields(form)
        reason = data.pop("reason", "")
        changed = {k: v for k, v in data.items() if v != getattr(tender, k)}
        try:
            services.tender_update(actor=request.user, tender=tender, reason=reason, **changed)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Tender saved."))
            return redirect("tendering:tender_detail", pk=tender.pk)
    return render(request, "tendering/tender_form.html", {"form": form, "tender": tender, "title": _("Edit tender")})


@login_required
def tender_detail(request, pk):
    _staff_only(request.user)
    tender = _tender_or_404(request.user, pk)
    lots = list(tender.lots.all())
    bids = list(selectors.bid_list_visible_to(user=request.user).filter(lot__tender=tender)) if not tender.is_sealed else []
    return render(request, "tendering/tender_detail.html", {
        "tender": tender, "lots": lots, "bids": bids, "can_manage": selectors.can_manage(request.user, tender),
        "opening_alerts": selectors.opening_alerts_visible_to(user=request.user).filter(tender=tender),
        "actions": actions_for(tender, request.user), "action_url": reverse("tendering:tender_action", args=[tender.pk]),
        "events": timeline(tender), "title": tender.title,
    })


@login_required
@require_POST
def tender_action(request, pk):
    tender = _tender_or_404(request.user, pk)
    name, reason = request.POST.get("transition"), request.POST.get("reason", "")
    handlers = {
        "announce": lambda: services.tender_announce(actor=request.user, tender=tender),
        "open": lambda: services.tender_open(actor=request.user, tender=tender),
        "cancel": lambda: services.tender_cancel(actor=request.user, tender=tender, reason=reason),
    }
    if name not in handlers:
        raise Http404
    try:
        handlers[name]()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("tendering:tender_detail", pk=pk)


@login_required
def lot_create_view(request, pk):
    tender = _tender_or_404(request.user, pk)
    _manage(request.user, tender)
    form = LotForm(request.POST or None, tender=tender)
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_add(actor=request.user, tender=tender, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("tendering:tender_detail", pk=pk)
    return render(request, "tendering/simple_form.html", {"form": form, "tender": tender, "title": _("Add a lot")})


@login_required
def criteria_edit(request, pk):
    tender = _tender_or_404(request.user, pk)
    _manage(request.user, tender)
    initial = "\n".join(f"{c.name}, {(c.weight * 100).normalize()}" for c in tender.criteria.all())
    form = CriteriaForm(request.POST or None, initial={"lines": initial})
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_set(actor=request.user, tender=tender, criteria=form.cleaned_data["lines"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("tendering:tender_detail", pk=pk)
    return render(request, "tendering/simple_form.html", {"form": form, "tender": tender,
                                                          "title": _("Scoring criteria")})


@login_required
def lot_detail(request, pk):
    _staff_only(request.user)
    lot = _lot_or_404(request.user, pk)
    tender = lot.tender
    bids = list(selectors.bid_list_visible_to(user=request.user).filter(lot=lot))
    panel = getattr(lot, "panel", None)
    ranking = []
    if panel and panel.all_submitted():
        names = {b.pk: b for b in bids}
        outliers = services.lot_outliers(lot)
        ranking = [(r, names.get(r.key), outliers.get(r.key, [])) for r in services.lot_ranking(lot)]
    return render(request, "tendering/lot_detail.html", {
        "lot": lot, "tender": tender, "bids": bids, "panel": panel, "ranking": ranking,
        "members": panel.members.select_related("user") if panel else [],
        "questions": lot.questions.select_related("institution"), "contract": getattr(lot, "contract", None),
        "can_manage": selectors.can_manage(request.user, tender),
        "draw_form": DrawForm(initial={"size": required_panel_size(lot.budget, region=tender.province)}),
        "retender_form": RetenderForm(), "sign_form": ContractSignForm(),
        "basis_form": SettlementBasisForm(initial={"settlement_basis": getattr(getattr(lot, "contract", None),
                                                                               "settlement_basis", None)}),
        "actions": actions_for(lot, request.user),
        "action_url": reverse("tendering:lot_action", args=[lot.pk]), "events": timeline(lot), "title": str(lot),
    })


@login_required
@require_POST
def lot_action(request, pk):
    lot = _lot_or_404(request.user, pk)
    name, reason = request.POST.get("transition"), request.POST.get("reason", "")
    handlers = {
        "recommend": lambda: services.lot_recommend(actor=request.user, lot=lot, reason=reason),
        "approve_award": lambda: services.lot_approve_award(actor=request.user, lot=lot, reason=reason),
        "return_recommendation": lambda: services.lot_return_recommendation(actor=request.user, lot=lot, reason=reason),
        "sign_contract": lambda: services.contract_sign(
            actor=request.user, lot=lot, settlement_basis=request.POST.get("settlement_basis") or "completed"),
    }
    if name not in handlers:
        raise Http404
    try:
        handlers[name]()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("tendering:lot_detail", pk=pk)


@login_required
@require_POST
def panel_draw_view(request, pk):
    lot = _lot_or_404(request.user, pk)
    _manage(request.user, lot.tender)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            services.panel_draw(actor=request.user, lot=lot, size=form.cleaned_data["size"],
                                seed=form.cleaned_data["seed"] or None)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Panel drawn."))
    return redirect("tendering:lot_detail", pk=pk)


@login_required
@require_POST
def lot_retender_view(request, pk):
    lot = _lot_or_404(request.user, pk)
    _manage(request.user, lot.tender)
    form = RetenderForm(request.POST)
    if form.is_valid():
        try:
            tender = services.lot_retender(actor=request.user, lot=lot, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("tendering:tender_detail", pk=tender.pk)
    return redirect("tendering:lot_detail", pk=pk)


@login_required
@require_POST
def contract_sign_view(request, pk):
    """The contract-signing form: contract number and the settlement basis (R52, default completed)."""
    lot = _lot_or_404(request.user, pk)
    form = ContractSignForm(request.POST)
    if form.is_valid():
        try:
            services.contract_sign(actor=request.user, lot=lot, reference=form.cleaned_data["reference"],
                                   settlement_basis=form.cleaned_data["settlement_basis"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Contract signed."))
    else:
        messages.error(request, _("Check the form."))
    return redirect("tendering:lot_detail", pk=pk)


@login_required
@require_POST
def contract_basis_view(request, pk):
    """Change the settlement basis before any statement of the contract is confirmed (R52, R53)."""
    lot = _lot_or_404(request.user, pk)
    _manage(request.user, lot.tender)
    contract = getattr(lot, "contract", None)
    if contract is None:
        raise Http404
    form = SettlementBasisForm(request.POST)
    if form.is_valid():
        try:
            services.contract_set_settlement_basis(actor=request.user, contract=contract,
                                                   basis=form.cleaned_data["settlement_basis"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
    return redirect("tendering:lot_detail", pk=pk)


@login_required
@require_POST
def question_answer_view(request, pk):
    question = get_object_or_404(selectors.question_list_visible_to(user=request.user), pk=pk)
    try:
        services.question_answer(actor=request.user, question=question, answer=request.POST.get("answer", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("tendering:lot_detail", pk=question.lot_id)


def _unreadable_bid(request, exc):
    return render(request, "backoffice/error.html", {"title": _("The bid cannot be read"), "message": exc.message},
                  status=409)


@login_required
def bid_document(request, pk):
    """The technical proposal: the bidder any time, staff and the lot's experts only after the opening."""
    bid = get_object_or_404(selectors.bid_list_visible_to(user=request.user), pk=pk)
    try:
        content = unseal(bid, user=request.user)
    except SealedError as exc:
        raise PermissionDenied(exc.message) from exc
    except UnreadableBid as exc:
        return _unreadable_bid(request, exc)
    response = HttpResponse(document_of(content), content_type="application/octet-stream")
    # The uploaded name may be Chinese or hold quotes: RFC 6266 filename* keeps it intact.
    response["Content-Disposition"] = content_disposition_header(True, f"bid-{bid.pk}-{bid.document_name}")
    return response


# -- outputs ------------------------------------------------------------------------------------------------
def _opened_tender(request, pk):
    _staff_only(request.user)
    tender = _tender_or_404(request.user, pk)
    if tender.is_sealed:
        raise PermissionDenied(_("Bids are sealed until the opening."))
    return tender


@login_required
def opening_pdf(request, pk):
    tender = _opened_tender(request, pk)
    return FileResponse(documents.opening_record_pdf(tender), filename=f"{tender.reference}-opening.pdf",
                        content_type="application/pdf")


@login_required
def opening_xlsx(request, pk):
    tender = _opened_tender(request, pk)
    return FileResponse(documents.opening_record_xlsx(tender), filename=f"{tender.reference}-opening.xlsx",
                        as_attachment=True)


def _scored_lot(request, pk):
    _staff_only(request.user)
    lot = _lot_or_404(request.user, pk)
    panel = getattr(lot, "panel", None)
    if panel is None or not panel.all_submitted():
        raise PermissionDenied(_("The scoring summary is available once every panel member has submitted."))
    return lot


@login_required
def scores_pdf(request, pk):
    lot = _scored_lot(request, pk)
    return FileResponse(documents.scoring_summary_pdf(lot), filename=f"lot-{lot.pk}-scores.pdf",
                        content_type="application/pdf")


@login_required
def scores_xlsx(request, pk):
    lot = _scored_lot(request, pk)
    return FileResponse(documents.scoring_summary_xlsx(lot), filename=f"lot-{lot.pk}-scores.xlsx", as_attachment=True)


def notice_pdf(request, pk):
    lot = get_object_or_404(selectors.public_notices(), pk=pk)
    return FileResponse(documents.award_notice_pdf(lot), filename=f"lot-{lot.pk}-notice.pdf",
                        content_type="application/pdf")


@login_required
def ocds_json(request, pk):
    _staff_only(request.user)
    tender = _tender_or_404(request.user, pk)
    return JsonResponse(ocds.release_package(tender), json_dumps_params={"ensure_ascii": False, "indent": 2})


# -- public notice (公示) -------------------------------------------------------------------------------------
def notice_list(request):
    return render(request, "tendering/notice_list.html", {"lots": selectors.public_notices(),
                                                          "title": _("Award notices")})


def notice_detail(request, pk):
    lot = get_object_or_404(selectors.public_notices(), pk=pk)
    results = lot.results.select_related("bid__institution")
    return render(request, "tendering/notice_detail.html", {"lot": lot, "results": results,
                                                            "title": _("Award notice")})


# -- institution portal ----------------------------------------------------------------------------------------
@login_required
def portal_tenders(request):
    _institution_only(request.user)
    return render(request, "tendering/portal_tenders.html", {
        "tenders": selectors.open_tender_list(user=request.user), "title": _("Open tenders")})


@login_required
def portal_tender(request, pk):
    _institution_only(request.user)
    tender = _tender_or_404(request.user, pk)
    mine = {b.lot_id: b for b in selectors.bid_list_visible_to(user=request.user).filter(
        lot__tender=tender, status__in=[BidStatus.ACTIVE, BidStatus.TO_CONFIRM, BidStatus.QUALIFIED,
                                        BidStatus.DISQUALIFIED])}
    lots = [(lot, mine.get(lot.pk)) for lot in tender.lots.all()]
    return render(request, "tendering/portal_tender.html", {"tender": tender, "lots": lots, "title": tender.title})


PRICE_ERRORS = {"bid_price_invalid", "bid_price_too_large", "bid_above_ceiling"}


@login_required
def portal_bid(request, pk):
    _institution_only(request.user)
    lot = _lot_or_404(request.user, pk)
    form = BidForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["document"]
        try:
            bid = services.bid_submit(
                actor=request.user, lot=lot, price=data["price"], chief_expert=data["chief_expert"],
                chief_own_staff=data["chief_own_staff"], team=data["team"],
                past_projects=data["past_projects"].splitlines(), document=upload.read(), document_name=upload.name)
        except DomainError as exc:
            form.add_error("price" if exc.code in PRICE_ERRORS else None, exc.message)
            for _code, msg in exc.errors[1:]:
                form.add_error(None, msg)
        else:
            messages.success(request, _("Bid received. Keep the receipt."))
            return redirect("tendering:portal_bid_detail", pk=bid.pk)
    return render(request, "tendering/portal_bid_form.html", {"form": form, "lot": lot, "tender": lot.tender,
                                                              "title": _("Submit a bid")})


@login_required
def portal_bids(request):
    _institution_only(request.user)
    return render(request, "tendering/portal_bids.html", {
        "bids": selectors.bid_list_visible_to(user=request.user).order_by("-received_at"), "title": _("My bids")})


@login_required
def portal_bid_detail(request, pk):
    _institution_only(request.user)
    bid = get_object_or_404(selectors.bid_list_visible_to(user=request.user), pk=pk)
    try:
        content = unseal(bid, user=request.user)
    except UnreadableBid as exc:
        return _unreadable_bid(request, exc)
    content.pop("document_b64", None)
    lot = bid.lot
    can_question = lot.status == LotStatus.NOTICE and bid.status != BidStatus.WITHDRAWN
    return render(request, "tendering/portal_bid_detail.html", {
        "bid": bid, "content": content, "lot": lot, "can_question": can_question,
        "questions": lot.questions.filter(institution_id=request.user.organisation_id), "title": _("Bid receipt")})


@login_required
@require_POST
def portal_bid_withdraw(request, pk):
    _institution_only(request.user)
    bid = get_object_or_404(selectors.bid_list_visible_to(user=request.user), pk=pk)
    try:
        services.bid_withdraw(actor=request.user, bid=bid)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Bid withdrawn."))
    return redirect("tendering:portal_bids")


@login_required
@require_POST
def portal_bid_confirm(request, pk):
    _institution_only(request.user)
    bid = get_object_or_404(selectors.bid_list_visible_to(user=request.user), pk=pk)
    try:
        services.bid_confirm(actor=request.user, bid=bid)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("tendering:portal_bid_detail", pk=pk)


@login_required
@require_POST
def portal_question(request, pk):
    _institution_only(request.user)
    lot = get_object_or_404(Lot, pk=pk)
    try:
        services.question_lodge(actor=request.user, lot=lot, text=request.POST.get("text", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Question lodged."))
    return redirect("tendering:portal_bids")


@login_required
def portal_profile(request):
    _institution_only(request.user)
    institution = request.user.organisation
    profile = InstitutionProfile.objects.filter(institution=institution).first()
    initial = {f: getattr(profile, f) for f in ProfileForm.base_fields} if profile else {}
    form = ProfileForm(request.POST or None, initial=initial, prefix="p")
    qform = QualificationForm(None, prefix="q")
    if request.method == "POST" and "q-kind" in request.POST:
        qform = QualificationForm(request.POST, request.FILES, prefix="q")
        form = ProfileForm(initial=initial, prefix="p")
        if qform.is_valid():
            upload = qform.cleaned_data["document"]
            try:
                services.qualification_upload(actor=request.user, kind=qform.cleaned_data["kind"],
                                              number=qform.cleaned_data["number"],
                                              valid_until=qform.cleaned_data["valid_until"], name=upload.name,
                                              data=upload.read())
            except DomainError as exc:
                qform.add_error("document", exc.message)
            else:
                messages.success(request, _("Qualification uploaded."))
                return redirect("tendering:portal_profile")
    elif request.method == "POST" and form.is_valid():
        services.institution_profile_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        return redirect("tendering:portal_profile")
    return render(request, "tendering/portal_profile.html", {
        "form": form, "qform": qform, "qualifications": institution.qualifications.all(),
        "title": _("Institution profile")})


# -- experts --------------------------------------------------------------------------------------------------
@login_required
def expert_panels(request):
    if request.user.role != Role.EXPERT:
        raise PermissionDenied
    return render(request, "tendering/expert_panels.html", {
        "memberships": selectors.panel_memberships_of(user=request.user), "title": _("My panels")})


@login_required
def expert_score(request, pk):
    membership = get_object_or_404(selectors.panel_memberships_of(user=request.user), pk=pk)
    lot = membership.panel.lot
    bids = list(selectors.bid_list_visible_to(user=request.user).filter(lot=lot).order_by("pk"))
    criteria = list(lot.tender.criteria.all())
    mine = {(s.bid_id, s.criterion_id): s for s in membership.scores.all()}
    typed, errors = {}, {}
    if request.method == "POST":
        scores = {}
        for b in bids:
            for c in criteria:
                value = request.POST.get(f"s-{b.pk}-{c.pk}", "").strip()
                comment = request.POST.get(f"c-{b.pk}-{c.pk}", "")
                typed[(b.pk, c.pk)] = {"value": value, "comment": comment}
                if value:
                    try:
                        scores[(b.pk, c.pk)] = (services.score_parse(value), comment)
                    except DomainError as exc:
                        errors[(b.pk, c.pk)] = exc.message
        if not errors:
            try:
                services.scores_save(actor=request.user, lot=lot, scores=scores, submit="submit" in request.POST)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Scores saved."))
            return redirect("tendering:expert_score", pk=pk)
    # After refused scores the page comes back with what was typed and the message next to each refused field.
    rows = [(b, [(c, mine.get((b.pk, c.pk)), typed.get((b.pk, c.pk)), errors.get((b.pk, c.pk)))
                 for c in criteria]) for b in bids]
    others = selectors.scores_visible_to(user=request.user, lot=lot).exclude(member=membership)
    return render(request, "tendering/expert_score.html", {
        "membership": membership, "lot": lot, "criteria": criteria, "rows": rows, "others": others,
        "title": _("Score bids")})
