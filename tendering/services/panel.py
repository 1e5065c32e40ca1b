"""The scoring panel (R25) and the experts' scores (R26)."""
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.config import get_setting
from backoffice.exceptions import DomainError
from backoffice.numbers import finite_decimal
from tendering import panel as panel_rules
from tendering.models import BidStatus, Lot, LotStatus, Panel, PanelMember, Score
from tendering.selectors import expert_pool
from tendering.services.common import _require_tender_staff


# -- panel (R25) ------------------------------------------------------------------------------------------
def panel_draw(*, actor, lot: Lot, size: int | None = None, officials=(), seed: str | None = None) -> Panel:
    from tendering.calculations import panel_size_problems, required_panel_size

    tender = lot.tender
    _require_tender_staff(actor, tender)
    if lot.status != LotStatus.EVALUATION:
        raise DomainError("lot_not_in_evaluation", _("A panel is drawn after the opening, for a lot under evaluation."))
    if Panel.objects.filter(lot=lot).exists():
        raise DomainError("panel_exists", _("This lot already has a panel."))
    officials = list(officials)
    size = size or required_panel_size(lot.budget, region=tender.province)
    n_experts = size - len(officials)
    problems = panel_size_problems(size, n_experts, lot.budget, region=tender.province)
    if problems:
        raise DomainError(problems[0][0], problems[0][1], errors=problems)
    bidder_ids = set(lot.bids.filter(status=BidStatus.QUALIFIED).values_list("institution_id", flat=True))
    since = panel_rules.conflict_cutoff(timezone.localdate(), get_setting("tender_conflict_years", region=tender.province))
    pool = expert_pool()
    candidates, excluded = [], {}
    for expert in pool:
        reason = panel_rules.conflict_reason(expert, bidder_ids=bidder_ids, tender=tender, since=since)
        if reason:
            excluded[str(expert.user_id)] = reason
        else:
            candidates.append(expert.user_id)
    if len(candidates) < n_experts:
        raise DomainError("r25_pool_too_small", _("Only %(n)s experts without a conflict are in the pool.") % {
            "n": len(candidates)})
    seed = seed or secrets.token_hex(16)
    chosen = panel_rules.draw(candidates, seed=seed, count=n_experts)
    with transaction.atomic():
        panel = Panel.objects.create(lot=lot, seed=seed, candidates=sorted(candidates), excluded=excluded, size=size,
                                     drawn_by=actor)
        PanelMember.objects.bulk_create([PanelMember(panel=panel, user_id=uid, is_expert=True) for uid in chosen] +
                                        [PanelMember(panel=panel, user=u, is_expert=False) for u in officials])
        audit_record(obj=panel, actor=actor, action="create", changes={
            "seed": (None, seed), "candidates": (None, sorted(candidates)), "excluded": (None, excluded),
            "members": (None, chosen + [u.pk for u in officials])})
    return panel



# -- scores ---------------------------------------------------------------------------------------------------
def score_parse(value) -> Decimal:
    """An expert's score as typed: a number from 0 to 100 with at most two decimals, else a DomainError (a
    non-numeric or NaN score was a decimal error shown as '[<class 'decimal.ConversionSyntax'>]')."""
    number = finite_decimal(str(value).strip())
    if number is None:
        raise DomainError("score_invalid", _("Enter the score as a number from 0 to 100."))
    if not Decimal("0") <= number <= Decimal("100"):
        raise DomainError("score_range", _("Scores are between 0 and 100."))
    if number != number.quantize(Decimal("0.01")):
        raise DomainError("score_decimals", _("A score has at most two decimals."))
    return number



def scores_save(*, actor, lot: Lot, scores: dict, submit: bool = False) -> PanelMember:
    """`scores`: {(bid_id, criterion_id): (value, comment)}. Submitting needs a score for every bid and criterion."""
    with transaction.atomic():
        member = PanelMember.objects.select_for_update().filter(panel__lot=lot, user=actor).first()
        if member is None:
            raise DomainError("forbidden", _("You are not on this lot's panel."))
        if member.submitted_at:
            raise DomainError("scores_submitted", _("Your scores are already submitted."))
        if lot.status != LotStatus.EVALUATION:
            raise DomainError("lot_not_in_evaluation", _("This lot is not being scored."))
        bids = {b.pk for b in lot.bids.filter(status=BidStatus.QUALIFIED)}
        criteria = {c.pk for c in lot.tender.criteria.all()}
        parsed, refused = {}, []
        for (bid_id, crit_id), (value, comment) in scores.items():
            if bid_id not in bids or crit_id not in criteria:
                raise DomainError("score_target", _("A score refers to an unknown bid or criterion."))
            try:
                parsed[(bid_id, crit_id)] = (score_parse(value), comment or "")
            except DomainError as exc:
                refused.append(((bid_id, crit_id), exc.code, exc.message))
        if refused:  # every refused cell at once, nothing saved
            raise DomainError(refused[0][1], refused[0][2], errors=[(key, message) for key, _c, message in refused])
        for (bid_id, crit_id), (value, comment) in parsed.items():
            Score.objects.update_or_create(member=member, bid_id=bid_id, criterion_id=crit_id,
                                           defaults={"value": value, "comment": comment})
        if submit:
            have = set(member.scores.values_list("bid_id", "criterion_id"))
            if any((b, c) not in have for b in bids for c in criteria):
                raise DomainError("scores_incomplete", _("Score every bid on every criterion before submitting."))
            member.submitted_at = timezone.now()
            member.save(update_fields=["submitted_at"])
            audit_record(obj=member.panel, actor=actor, action="update", changes={
                f"score {s.bid_id}/{s.criterion_id}": (None, s.value) for s in member.scores.all()})
    return member
