"""The institutions' portal: open tenders, bids and their transition door, questions (质疑), the profile."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.exceptions import DomainError
from backoffice.transitions import TransitionView, page_actions
from tendering import actions, selectors, services
from tendering.forms import BidForm, ProfileForm, QualificationForm
from tendering.models import BidStatus, InstitutionProfile, LotStatus
from tendering.sealing import UnreadableBid, unseal
from tendering.views.common import _institution_only, _lot_or_404, _tender_or_404, _unreadable_bid


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
    bids = list(selectors.bid_list_visible_to(user=request.user).order_by("-received_at"))
    withdraw = {"withdraw": actions.BID_DOORS["withdraw"]}
    for bid in bids:
        bid.actions = page_actions(bid, request.user, withdraw)
    return render(request, "tendering/portal_bids.html", {"bids": bids, "title": _("My bids")})



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
        "actions": page_actions(bid, request.user, actions.BID_DOORS),
        "action_url": reverse("tendering:bid_action", args=[bid.pk]),
        "questions": lot.questions.filter(institution_id=request.user.organisation_id), "title": _("Bid receipt")})



class BidTransitionView(TransitionView):
    doors = actions.BID_DOORS
    detail_url_name = "tendering:portal_bid_detail"

    selector = selectors.bid_list_visible_to

    def get_object(self):
        _institution_only(self.request.user)
        return super().get_object()



@login_required
@require_POST
def portal_question(request, pk):
    _institution_only(request.user)
    lot = _lot_or_404(request.user, pk)
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
