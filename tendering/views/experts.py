"""The experts' pages: their panels and the score grid (R26)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError
from tendering import selectors, services
from tendering.forms import ScoreGridForm


# -- experts --------------------------------------------------------------------------------------------------
@login_required
def expert_panels(request):
    if not request.user.has_perm("tendering.score_bids"):
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
        form = ScoreGridForm(request.POST, bids=bids, criteria=criteria)
        typed = form.typed()
        try:
            services.scores_save(actor=request.user, lot=lot, scores=form.scores(), submit="submit" in request.POST)
        except DomainError as exc:
            errors = {key: message for key, message in exc.errors if isinstance(key, tuple)}
            if not errors:
                messages.error(request, exc.message)
                return redirect("tendering:expert_score", pk=pk)
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
