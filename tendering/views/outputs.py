"""Downloads: bid documents (sealed until the opening, R23), the opening record, the scoring summary and
the OCDS release."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from tendering import documents, ocds, selectors
from tendering.sealing import SealedError, UnreadableBid, document_of, unseal
from tendering.views.common import _lot_or_404, _staff_only, _tender_or_404, _unreadable_bid


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



def _scored_lot(request, pk):
    _staff_only(request.user)
    lot = _lot_or_404(request.user, pk)
    panel = getattr(lot, "panel", None)
    if panel is None or not panel.all_submitted():
        raise PermissionDenied(_("The scoring summary is available once every panel member has submitted."))
    return lot



def _download(fetch, build, name):
    """A log-in page that hands out one document of an object: PDFs open in the browser, workbooks download."""

    @login_required
    def view(request, pk):
        obj = fetch(request, pk)
        filename = name(obj)
        pdf = filename.endswith(".pdf")
        return FileResponse(build(obj), filename=filename, as_attachment=not pdf,
                            content_type="application/pdf" if pdf else None)

    return view


opening_pdf = _download(_opened_tender, documents.opening_record_pdf, lambda t: f"{t.reference}-opening.pdf")
opening_xlsx = _download(_opened_tender, documents.opening_record_xlsx, lambda t: f"{t.reference}-opening.xlsx")
scores_pdf = _download(_scored_lot, documents.scoring_summary_pdf, lambda lot: f"lot-{lot.pk}-scores.pdf")
scores_xlsx = _download(_scored_lot, documents.scoring_summary_xlsx, lambda lot: f"lot-{lot.pk}-scores.xlsx")


@login_required
def ocds_json(request, pk):
    _staff_only(request.user)
    tender = _tender_or_404(request.user, pk)
    return JsonResponse(ocds.release_package(tender), json_dumps_params={"ensure_ascii": False, "indent": 2})


@login_required
def contract_pdf(request, pk):
    """The signed contract (R28): whoever may read the contract (its institution, readers of its area, R2)."""
    contract = get_object_or_404(selectors.contract_list_visible_to(user=request.user)
                                 .select_related("signed_by", "lot__tender__office"), pk=pk)
    return FileResponse(documents.contract_pdf(contract), filename=f"contract-{contract.pk}.pdf",
                        content_type="application/pdf")
