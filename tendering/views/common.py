"""What every tendering page shares: who may open it (asked of tendering.permissions) and the scoped lookups."""
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from backoffice.selectors import visible_or_404
from tendering import selectors


def _staff_only(user):
    if not user.has_perm("tendering.view_tenders"):
        raise PermissionDenied



def _manage(user, tender):
    if not user.has_perm("tendering.manage_tender", tender):
        raise PermissionDenied



def _institution_only(user):
    if not user.has_perm("tendering.use_portal") or user.organisation_id is None:
        raise PermissionDenied



def _tender_or_404(user, pk):
    return visible_or_404(selectors.tender_get, user=user, pk=pk)



def _lot_or_404(user, pk):
    return visible_or_404(selectors.lot_get, user=user, pk=pk)



def _unreadable_bid(request, exc):
    return render(request, "backoffice/error.html", {"title": _("The bid cannot be read"), "message": exc.message},
                  status=409)
