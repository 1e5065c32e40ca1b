"""The public award notices (公示, R27): no login."""
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from tendering import documents, selectors


def notice_pdf(request, pk):
    lot = get_object_or_404(selectors.public_notices(), pk=pk)
    return FileResponse(documents.award_notice_pdf(lot), filename=f"lot-{lot.pk}-notice.pdf",
                        content_type="application/pdf")



# -- public notice (公示) -------------------------------------------------------------------------------------
def notice_list(request):
    return render(request, "tendering/notice_list.html", {"lots": selectors.public_notices(),
                                                          "title": _("Award notices")})



def notice_detail(request, pk):
    lot = get_object_or_404(selectors.public_notices(), pk=pk)
    results = lot.results.select_related("bid__institution")
    return render(request, "tendering/notice_detail.html", {"lot": lot, "results": results,
                                                            "title": _("Award notice")})
