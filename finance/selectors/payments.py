"""What is due and what each payment tranche may still take (R54, R55): computed once per request or payment and
shown by the pages and checked by `payment_record` alike. Unrounded inside, rounded where shown or checked."""
from decimal import Decimal

from django.db.models import Sum

from backoffice.config import get_setting
from backoffice.money import ZERO, money
from finance.calculations import final_release_factor
from finance.models import Adjustment, Payment, SettlementStatement, StatementStatus, Tranche

PAYABLE_STATES = (StatementStatus.APPROVED, StatementStatus.PAID)


def statement_due(statement) -> Decimal:
    return statement.amount + (statement.adjustments.aggregate(s=Sum("amount"))["s"] or ZERO)


def due_for(*, contract, county) -> Decimal:
    """What is due for a contract and county: confirmed statements and their adjustments (drafts are not due)."""
    agg = SettlementStatement.objects.filter(contract=contract, county=county, status__in=[
        StatementStatus.CONFIRMED, StatementStatus.APPROVED, StatementStatus.PAID]).aggregate(s=Sum("amount"))
    adj = Adjustment.objects.filter(statement__contract=contract, statement__county=county).aggregate(s=Sum("amount"))
    return (agg["s"] or ZERO) + (adj["s"] or ZERO)


def advance_paid(contract) -> Decimal:
    """The advances paid against the contract (R54), before any statement."""
    return contract.payments.filter(tranche=Tranche.ADVANCE).aggregate(s=Sum("amount"))["s"] or ZERO


def _statement_figures(contract, *, region, share) -> tuple[dict, Decimal, Decimal]:
    """Per approved statement: its due, the grade's release factor and what each tranche paid on it."""
    from projects.evaluation.selectors import published_grades

    statements = list(SettlementStatement.objects.filter(contract=contract, status__in=PAYABLE_STATES)
                      .annotate(adj=Sum("adjustments__amount")).order_by("pk"))
    by_statement = {}
    for statement_id, tranche, total in (Payment.objects.filter(contract=contract, statement__isnull=False)
                                         .order_by().values_list("statement_id", "tranche").annotate(s=Sum("amount"))):
        by_statement.setdefault(statement_id, {})[tranche] = total
    grades = published_grades(project_ids={s.project_id for s in statements})  # one query for all projects
    per_statement, due, released = {}, ZERO, ZERO
    for s in statements:
        s_due = s.amount + (s.adj or ZERO)
        factor = final_release_factor(grades[s.project_id], region=region)
        due += s_due
        if factor is not None:
            released += factor * share * s_due
        per_statement[s.pk] = {"due": s_due, "factor": factor, "grade": grades[s.project_id],
                               "paid": by_statement.get(s.pk, {})}
    return per_statement, due, released


def contract_payment_limits(contract) -> dict:
    """What each tranche of a contract may still take (R54), unrounded inside, rounded where shown.

    - advance: once the contract is signed, at most the advance share (a setting, 30%) of the contract amount,
      over all advances together; before any statement exists;
    - interim: advance + interim ≤ (1 − F) × what the contract's approved statements make due (F: the final
      tranche share, a setting);
    - final: for each approved statement whose project's evaluation is published, the grade's release share × F ×
      its due; and never more in total than the grades make payable: (1 − F) × due + the released finals."""
    region = contract.lot.tender.province
    share = get_setting("finance.final_tranche_share", region=region)
    ratio = get_setting("finance.advance_max_ratio", region=region)
    per_statement, due, released = _statement_figures(contract, region=region, share=share)
    paid = {t: ZERO for t in Tranche.values}
    for tranche, total in Payment.objects.filter(contract=contract).order_by().values_list("tranche").annotate(
            s=Sum("amount")):
        paid[tranche] += total
    total_paid = sum(paid.values(), ZERO)
    evaluated = bool(per_statement) and all(v["factor"] is not None for v in per_statement.values())
    any_evaluated = any(v["factor"] is not None for v in per_statement.values())
    payable = due * (1 - share) + released  # what the grades known so far make payable
    advance_left = ratio * contract.amount - paid[Tranche.ADVANCE]
    if evaluated:  # once settled and graded, nothing beyond what is payable
        advance_left = min(advance_left, payable - total_paid)
    return {
        "contract_amount": contract.amount, "advance_cap": money(ratio * contract.amount), "share": share,
        "due": due, "paid": total_paid, "paid_by_tranche": paid, "payable": payable if evaluated else None,
        "evaluated": evaluated, "statements": per_statement,
        Tranche.ADVANCE: max(money(advance_left), ZERO),
        Tranche.INTERIM: max(money(due * (1 - share) - paid[Tranche.ADVANCE] - paid[Tranche.INTERIM]), ZERO),
        Tranche.FINAL: (max(money(min(released - paid[Tranche.FINAL], payable - total_paid)), ZERO)
                        if any_evaluated else None),
        "_released": released, "_payable_now": payable,
    }


def payment_limits(statement, contract_limits: dict | None = None) -> dict:
    """The contract's limits narrowed to one approved statement: its interim share ((1 − F) × its due) and its
    final tranche (grade's share × F × its due), never beyond what the contract as a whole may still take.
    Pass `contract_limits` when they were just computed, so they are not computed twice."""
    limits = contract_limits if contract_limits is not None else contract_payment_limits(statement.contract)
    mine = limits["statements"].get(statement.pk)
    if mine is None:
        s_due = statement_due(statement)
        return {**limits, "statement_due": s_due, Tranche.INTERIM: ZERO, Tranche.FINAL: None,
                "grade": "", "factor": None, "final_tranche": money(s_due * limits["share"])}
    s_due, share, s_paid = mine["due"], limits["share"], mine["paid"]
    interim = min(money(s_due * (1 - share) - s_paid.get(Tranche.INTERIM, ZERO)), limits[Tranche.INTERIM])
    final = None
    if mine["factor"] is not None:
        final = min(money(mine["factor"] * share * s_due - s_paid.get(Tranche.FINAL, ZERO)),
                    money(limits["_payable_now"] - limits["paid"]))
    return {**limits, "statement_due": s_due, "grade": mine["grade"], "factor": mine["factor"],
            "final_tranche": money(s_due * share), Tranche.INTERIM: max(interim, ZERO),
            Tranche.FINAL: None if final is None else max(final, ZERO)}


def paid_in_full_after(limits: dict, amount: Decimal) -> bool:
    """Whether paying `amount` now settles everything the grades make payable (R54): the same limits, no re-read."""
    return bool(limits["evaluated"]) and limits["paid"] + amount >= money(limits["payable"])
