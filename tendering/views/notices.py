"""The public award notices (公示, R27): no login."""
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from tendering import documents, selectors
from tendering.models import Lot


def _notice(pk):
    try:
        return selectors.award_notice_get(pk=pk)
    except Lot.DoesNotExist as exc:
        raise Http404 from exc


def notice_pdf(request, pk):
    notice = _notice(pk)
    return FileResponse(documents.award_notice_pdf(notice), filename=f"lot-{notice.lot.pk}-notice.pdf",
                        content_type="application/pdf")


# -- public notice (公示) -------------------------------------------------------------------------------------
def notice_list(request):
    return render(request, "tendering/notice_list.html", {"lots": selectors.public_notices(),
                                                          "title": _("Award notices")})


def notice_detail(request, pk):
    notice = _notice(pk)
    return render(request, "tendering/notice_detail.html", {
        "notice": notice, "lot": notice.lot, "how_to_question": documents.question_instructions(notice),
        "title": _("Award notice")})
