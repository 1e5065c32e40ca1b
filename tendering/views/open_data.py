"""Open contracting (issue 15): each announced tender's OCDS record as a public page, no log-in."""
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from tendering import ocds, selectors
from tendering.models import Tender


def open_data(request, reference):
    try:
        tender = selectors.public_tender_get(reference=reference)
    except Tender.DoesNotExist as exc:
        raise Http404 from exc
    compiled = ocds.compiled_record(tender)["compiledRelease"]
    return render(request, "tendering/open_data.html", {
        "tender": tender, "ocid": ocds.ocid(tender), "compiled": compiled,
        "stages": [r["tag"][0] for r in ocds.releases(tender)],
        "title": _("Open contracting data: %(ref)s") % {"ref": tender.reference}})
