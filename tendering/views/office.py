"""The office's pages: tenders, lots, criteria, the panel draw, re-tender, the transition doors of tenders,
lots and questions, and the contract's settlement basis. Reads through selectors, writes through services."""
from decimal import Decimal

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.audit import timeline
from backoffice.exceptions import DomainError
from backoffice.transitions import TransitionView, page_actions
from backoffice.views import ScopedListView
from tendering import actions, selectors, services
from tendering.calculations import required_panel_size
from tendering.forms import (
    ContractSignForm,
    CriteriaForm,
    DrawForm,
    LotForm,
    RetenderForm,
    SettlementBasisForm,
    TenderForm,
)
from tendering.models import Tender, TenderStatus
from tendering.views.common import _lot_or_404, _manage, _staff_only, _tender_or_404


# -- office ----------------------------------------------------------------------------------------------
class TenderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TenderStatus.choices, label=gettext_lazy("status"))
    title = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("title"))

    class Meta:
        model = Tender
        fields = ["status", "title"]



class TenderListView(ScopedListView):
    template_name = "tendering/tender_list.html"
    filterset_class = TenderFilter
    selector = selectors.tender_page_visible_to

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
    if not request.user.has_perm("tendering.create_tender"):
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
        "tender": tender, "lots": lots, "bids": bids,
        "can_manage": request.user.has_perm("tendering.manage_tender", tender),
        "opening_alerts": selectors.opening_alerts_visible_to(user=request.user).filter(tender=tender),
        "actions": page_actions(tender, request.user, actions.TENDER_DOORS),
        "action_url": reverse("tendering:tender_action", args=[tender.pk]),
        "events": timeline(tender), "title": tender.title,
    })



class TenderTransitionView(TransitionView):
    doors = actions.TENDER_DOORS
    detail_url_name = "tendering:tender_detail"

    selector = selectors.tender_get



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
        outliers = selectors.lot_outliers(lot)
        ranking = [(r, names.get(r.key), outliers.get(r.key, [])) for r in selectors.lot_ranking(lot)]
    questions = list(lot.questions.select_related("institution", "lot__tender__province"))
    for q in questions:
        q.actions = page_actions(q, request.user, actions.QUESTION_DOORS)
    lot_actions = page_actions(lot, request.user, actions.LOT_DOORS)
    for a in lot_actions:
        if a.name == "sign_contract":  # R52: the door reads the contract number and settlement basis
            a.form = ContractSignForm()
    contract = getattr(lot, "contract", None)
    return render(request, "tendering/lot_detail.html", {
        "lot": lot, "tender": tender, "bids": bids, "panel": panel, "ranking": ranking,
        "members": panel.members.select_related("user") if panel else [], "questions": questions,
        "contract": contract, "can_manage": request.user.has_perm("tendering.manage_lot", lot),
        "can_change_contract": contract is not None and request.user.has_perm("tendering.change_contract", contract),
        "draw_form": DrawForm(initial={"size": required_panel_size(lot.budget, region=tender.province)}),
        "retender_form": RetenderForm(),
        "basis_form": SettlementBasisForm(initial={"settlement_basis": getattr(contract, "settlement_basis", None)}),
        "actions": lot_actions,
        "action_url": reverse("tendering:lot_action", args=[lot.pk]), "events": timeline(lot), "title": str(lot),
    })



class LotTransitionView(TransitionView):
    doors = actions.LOT_DOORS
    detail_url_name = "tendering:lot_detail"

    selector = selectors.lot_get



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
def contract_basis_view(request, pk):
    """Change the settlement basis before any statement of the contract is confirmed (R52, R53)."""
    lot = _lot_or_404(request.user, pk)
    contract = getattr(lot, "contract", None)
    if contract is None:
        raise Http404
    if not request.user.has_perm("tendering.change_contract", contract):
        raise PermissionDenied
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



class QuestionTransitionView(TransitionView):
    doors = actions.QUESTION_DOORS

    selector = selectors.question_list_visible_to

    def get_success_url(self, obj) -> str:
        return reverse("tendering:lot_detail", args=[obj.lot_id])
