"""Writes in finance: budget lines, lecture fees, commitments, spending, settlement, invoices,
payments. Each service is one transaction; money changes write an AuditEvent (R3) and a history row."""
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from backoffice.audit import Entry, audit_record, audit_record_many
from backoffice.config import get_setting
from backoffice.exceptions import DomainError
from backoffice.models import Region, Role
from backoffice.scoping import scope_for
from backoffice.workflow import fire
from finance import rules
from finance.models import (
    LOCKED_STATES,
    Adjustment, BudgetLine, Commitment, CostCategory, Expenditure, Invoice, LectureFee, Payer, Payment,
    SettlementBasis, SettlementStatement, StatementStatus, Tranche,
)
from backoffice.money import ZERO, money

# -- who may write ----------------------------------------------------------------------------------------


def _require_finance(actor, region):
    """Finance officers write within their region subtree; auditors and everyone else never (R2)."""
    scope = scope_for(actor)
    if actor.is_superuser:
        return
    if actor.role != Role.FINANCE_OFFICER or not scope.can_write or not scope.covers_region(region):
        raise DomainError("forbidden", _("Only a finance officer of this region may do this."))


def _check_payer(payer):
    # R50: teachers are never charged; only the programme's funds pay.
    if payer not in Payer.values:
        raise DomainError("r50_teacher_payer", _("Teachers are never charged: a fee line is paid by the programme's funds."))


def _province_of(project):
    return project.plan.province


# -- budgets (R51) ----------------------------------------------------------------------------------------
def _current_lines(project) -> dict:
    return {c: a for c, a in BudgetLine.objects.filter(project=project).values_list("category", "amount")}


def budget_line_set(*, actor, project, category: str, amount: Decimal, payer: str = Payer.CENTRAL_SUBSIDY,
                    note: str = "") -> BudgetLine:
    """Set one cost-category line; the R51 caps are checked on the budget as it would be afterwards."""
    _check_payer(payer)
    province = _province_of(project)
    _require_finance(actor, province)
    if category not in CostCategory.values:
        raise DomainError("unknown_category", _("Unknown cost category."))
    amount = money(amount)
    if amount < 0:
        raise DomainError("negative_amount", _("An amount cannot be negative."))
    with transaction.atomic():
        lines = {c: a for c, a in BudgetLine.objects.select_for_update().filter(project=project)
                 .values_list("category", "amount")}
        before = lines.get(category)
        lines[category] = amount
        problems = rules.r51_problems(project, lines, region=province)
        if problems:
            raise DomainError(problems[0][0], problems[0][1], errors=problems)
        line, _c = BudgetLine.objects.update_or_create(
            project=project, category=category,
            defaults={"amount": amount, "payer": payer, "note": note, "updated_by": actor})
        audit_record(obj=line, actor=actor, action="update" if before is not None else "create",
                     changes={"amount": (before, amount)})
    return line


def lecture_fee_add(*, actor, project, lecturer: str, level: str, hours: int, half_days: int, rate: Decimal,
                    payer: str = Payer.CENTRAL_SUBSIDY) -> LectureFee:
    """R51: lecture fees sit outside the offline cap but are capped per hour and per half day, and stay within the
    teaching-staff line."""
    _check_payer(payer)
    province = _province_of(project)
    _require_finance(actor, province)
    rate = Decimal(rate)
    problems = rules.lecture_problems(level=level, rate=rate, hours=hours, half_days=half_days, region=province)
    if problems:
        raise DomainError(problems[0][0], problems[0][1], errors=problems)
    amount = money(rate * hours)
    with transaction.atomic():
        staff_line = BudgetLine.objects.select_for_update().filter(
            project=project, category=CostCategory.TEACHING_STAFF).first()
        booked = LectureFee.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or ZERO
        if staff_line is None or booked + amount > staff_line.amount:
            raise DomainError("lecture_fee_over_line", _(
                "Lecture fees would exceed the teaching-staff line of the budget."))
        fee = LectureFee.objects.create(project=project, lecturer=lecturer, level=level, hours=hours,
                                        half_days=half_days, rate=money(rate), amount=amount, payer=payer,
                                        created_by=actor)
        audit_record(obj=fee, actor=actor, action="create", changes={"amount": (None, amount)})
    return fee


def commitment_from_contract(*, actor, contract) -> list[Commitment]:
    """Bind each project's share of a signed contract (unit price × hours × quota); refused over the budget."""
    from tendering.selectors import contract_project_rows

    province = contract.lot.tender.province
    _require_finance(actor, province)
    from projects.models import Project

    rows = contract_project_rows(contract_ids=[contract.pk])
    made = []
    with transaction.atomic():
        projects = {p.pk: p for p in Project.objects.select_for_update().filter(pk__in=[r["project_id"] for r in rows])}
        committed = dict(Commitment.objects.filter(project_id__in=projects).exclude(contract=contract)
                         .values_list("project_id").annotate(s=Sum("amount")).order_by())
        for row in rows:
            project = projects[row["project_id"]]
            amount = money(contract.unit_price * row["hours"] * row["quota"])
            total = committed.get(project.pk, ZERO) + amount
            if total > project.budget:
                raise DomainError("commitment_over_budget", _(
                    "Committing ¥%(amount)s would take %(project)s over its budget of ¥%(budget)s.") % {
                    "amount": amount, "project": project, "budget": project.budget})
            commitment, created = Commitment.objects.get_or_create(
                project=project, contract=contract, defaults={"amount": amount, "created_by": actor})
            if created:
                audit_record(obj=commitment, actor=actor, action="create", changes={"amount": (None, amount)})
            made.append(commitment)
    return made


def expenditure_record(*, actor, project, category: str, amount: Decimal, spent_on, description: str,
                       payer: str = Payer.CENTRAL_SUBSIDY) -> Expenditure:
    _check_payer(payer)
    _require_finance(actor, _province_of(project))
    amount = money(amount)
    if amount <= 0:
        raise DomainError("negative_amount", _("An amount must be positive."))
    with transaction.atomic():
        row = Expenditure.objects.create(project=project, category=category, amount=amount, spent_on=spent_on,
                                         description=description, payer=payer, created_by=actor)
        audit_record(obj=row, actor=actor, action="create", changes={"amount": (None, amount)})
    return row


def contract_basis_locked(contract) -> bool:
    """R53 hook for tendering.services.contract_set_settlement_basis (registered in FinanceConfig.ready): the basis
    is fixed once a statement of the contract is confirmed. The statements are locked first, so a confirmation
    running at the same moment waits for the change (or the change waits for it)."""
    list(SettlementStatement.objects.select_for_update().filter(contract=contract).values_list("pk", flat=True))
    return SettlementStatement.objects.filter(contract=contract, status__in=LOCKED_STATES).exists()


# -- settlement (R52, R53) --------------------------------------------------------------------------------
@dataclass
class SettleResult:
    created: int = 0
    updated: int = 0
    adjusted: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.adjusted + self.unchanged


def settlement_compute(*, actor, contracts=None) -> SettleResult:
    """Settle contracts (default: every contract the actor can see) county by county, set-based (R52).

    Drafts are created or recomputed; a confirmed statement is never changed (R53): a difference becomes an
    adjustment entry referencing it. A constant number of queries, whatever the number of contracts."""
    from projects.enrolment.selectors import settlement_counts
    from tendering.models import Contract
    from tendering.selectors import contract_list_visible_to, contract_project_rows

    scope = scope_for(actor)
    if not (actor.is_superuser or (actor.role == Role.FINANCE_OFFICER and scope.can_write)):
        raise DomainError("forbidden", _("Only a finance officer may settle contracts."))
    qs = contract_list_visible_to(user=actor).select_related("lot__tender__province")
    if contracts is not None:
        qs = qs.filter(pk__in=[getattr(c, "pk", c) for c in contracts])
    contract_map = {c.pk: c for c in qs.order_by()}
    if not contract_map:
        return SettleResult()
    pairs = contract_project_rows(contract_ids=list(contract_map))
    by_project = {}
    for row in pairs:
        by_project.setdefault(row["project_id"], row)
    prefix = "" if scope.kind == "all" else scope.region_prefix
    counts = settlement_counts(project_ids=list(by_project), county_prefix=prefix)

    with transaction.atomic():
        # Lock first (FOR UPDATE cannot carry GROUP BY), then read the statements with their adjustments.
        list(SettlementStatement.objects.select_for_update().filter(contract_id__in=list(contract_map))
             .values_list("pk", flat=True))
        existing = {
            (s.contract_id, s.project_id, s.county_id, s.school_year): s
            for s in SettlementStatement.objects.filter(contract_id__in=list(contract_map))
            .annotate(adj_trainees=Sum("adjustments__trainees_delta"), adj_amount=Sum("adjustments__amount"))
            .order_by()
        }
        computed = {}
        for row in counts:
            pair = by_project.get(row["project_id"])
            if pair is None:
                continue
            contract = contract_map[pair["contract_id"]]
            key = (contract.pk, row["project_id"], row["county_id"], rules.school_year_of(pair["start_date"]))
            # R52: the basis is on the contract.
            computed[key] = (contract.settlement_basis, pair["hours"],
                             {"completed": row["completed"], "enrolled": row["enrolled"]})
        # Statements whose trainees all disappeared settle to zero.
        for key, s in existing.items():
            if key not in computed:
                computed[key] = (s.basis, s.hours, {"completed": 0, "enrolled": 0})

        region_ids = {k[2] for k in computed}
        region_codes = dict(Region.objects.filter(pk__in=region_ids).values_list("pk", "code"))
        now = timezone.now()
        new, changed, adjustments = [], [], []
        changed_before, result = [], SettleResult()
        for key, (basis, hours, counted) in computed.items():
            contract = contract_map[key[0]]
            if prefix and not region_codes.get(key[2], "").startswith(prefix):
                continue
            s = existing.get(key)
            # A confirmed statement keeps the basis it was confirmed on (R53); a draft follows the contract.
            trainees = counted[s.basis if s is not None and s.is_locked else basis]
            amount = rules.amount_due(unit_price=contract.unit_price, hours=hours, trainees=trainees)
            if s is None:
                if trainees == 0:
                    continue
                new.append(SettlementStatement(
                    contract_id=key[0], project_id=key[1], county_id=key[2], school_year=key[3], basis=basis,
                    unit_price=contract.unit_price, hours=hours, trainees=trainees, amount=amount, computed_at=now))
            elif not s.is_locked:
                if (s.trainees, s.amount, s.basis, s.hours, s.unit_price) == (trainees, amount, basis, hours,
                                                                               contract.unit_price):
                    result.unchanged += 1
                    continue
                changed_before.append({"trainees": (s.trainees, trainees), "amount": (s.amount, amount)})
                s.trainees, s.amount, s.basis, s.hours, s.unit_price = trainees, amount, basis, hours, contract.unit_price
                s.computed_at = now
                changed.append(s)
            else:
                # R53: the confirmed statement stays as it is; the difference is an adjustment that references it.
                settled_trainees = s.trainees + (s.adj_trainees or 0)
                settled_amount = s.amount + (s.adj_amount or ZERO)
                delta_amount = rules.amount_due(unit_price=s.unit_price, hours=s.hours, trainees=trainees) - settled_amount
                delta_trainees = trainees - settled_trainees
                if not delta_amount and not delta_trainees:
                    result.unchanged += 1
                    continue
                adjustments.append(Adjustment(
                    statement=s, trainees_delta=delta_trainees, amount=delta_amount, created_by=actor, created_at=now,
                    reason=_("Trainee outcomes changed after confirmation: %(before)s → %(after)s trainees.") % {
                        "before": settled_trainees, "after": trainees}))
        if new:
            new = bulk_create_with_history(new, SettlementStatement, default_user=actor)
            if new and new[0].pk is None:  # backends that cannot return ids
                keys = [(s.contract_id, s.project_id, s.county_id, s.school_year) for s in new]
                found = {(s.contract_id, s.project_id, s.county_id, s.school_year): s for s in
                         SettlementStatement.objects.filter(contract_id__in=list(contract_map), status="draft")}
                new = [found[k] for k in keys]
            audit_record_many([
                Entry(s.pk, f"{contract_map[s.contract_id].reference} · {s.school_year}",
                      region_codes.get(s.county_id, ""), changes={"amount": (None, s.amount), "trainees": (None, s.trainees)})
                for s in new], model=SettlementStatement, actor=actor, action="create")
        if changed:
            bulk_update_with_history(changed, SettlementStatement,
                                     ["trainees", "amount", "basis", "hours", "unit_price", "computed_at"],
                                     default_user=actor)
            audit_record_many([
                Entry(s.pk, f"{contract_map[s.contract_id].reference} · {s.school_year}",
                      region_codes.get(s.county_id, ""), changes=before)
                for s, before in zip(changed, changed_before)], model=SettlementStatement, actor=actor, action="update")
        if adjustments:
            adjustments = bulk_create_with_history(adjustments, Adjustment, default_user=actor)
            if adjustments and adjustments[0].pk is None:
                adjustments = list(Adjustment.objects.filter(created_at=now, statement__contract_id__in=list(contract_map)))
            audit_record_many([
                Entry(a.pk, f"{contract_map[a.statement.contract_id].reference} · {a.amount}",
                      region_codes.get(a.statement.county_id, ""),
                      changes={"amount": (None, a.amount), "trainees_delta": (None, a.trainees_delta)})
                for a in adjustments], model=Adjustment, actor=actor, action="create")
        result.created, result.updated, result.adjusted = len(new), len(changed), len(adjustments)
        provinces = {c.lot.tender.province_id: c.lot.tender.province for c in contract_map.values()}
        transaction.on_commit(lambda: [settlement_schedule_nightly(p) for p in provinces.values()])
    return result


NIGHTLY_TIMEZONE = "Asia/Shanghai"


def settlement_schedule_nightly(province) -> None:
    """django-celery-beat re-settles the province every night at 02:30 Beijing time (finance.tasks.settle_province):
    outcome changes after settlement are picked up without a click (R53). Idempotent, one entry per province."""
    import json

    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    name = f"finance nightly settlement {province.code}"
    if PeriodicTask.objects.filter(name=name).exists():
        return
    crontab, _c = CrontabSchedule.objects.get_or_create(minute="30", hour="2", day_of_week="*", day_of_month="*",
                                                        month_of_year="*", timezone=NIGHTLY_TIMEZONE)
    PeriodicTask.objects.update_or_create(name=name, defaults={
        "task": "finance.tasks.settle_province", "crontab": crontab, "enabled": True, "one_off": False,
        "args": json.dumps([province.pk])})


def settlement_confirm(*, actor, statement, reason: str = "") -> SettlementStatement:
    """The institution confirms the statement; from now on it is never edited (R53)."""
    return fire(SettlementStatement, statement.pk, name="confirm", actor=actor, reason=reason)


def settlement_approve(*, actor, statement, reason: str = "") -> SettlementStatement:
    return fire(SettlementStatement, statement.pk, name="approve", actor=actor, reason=reason)


def statement_edit(*, actor, statement, **fields):
    """Direct edits exist only for drafts; a confirmed statement is corrected by an adjustment entry (R53)."""
    with transaction.atomic():
        s = SettlementStatement.objects.select_for_update().get(pk=statement.pk)
        if s.is_locked:
            raise DomainError("r53_statement_locked", _(
                "A confirmed statement is never edited; changes are made by an adjustment entry."))
        _require_finance(actor, s.county)
        before = {k: getattr(s, k) for k in fields}
        for k, v in fields.items():
            setattr(s, k, v)
        s.save()
        audit_record(obj=s, actor=actor, action="update", changes={k: (before[k], v) for k, v in fields.items()})
    return s


def adjustment_add(*, actor, statement, trainees_delta: int, reason: str) -> Adjustment:
    """A hand-made adjustment (a trainee added after confirmation), priced at the statement's standard (R53)."""
    _require_finance(actor, statement.county)
    if not statement.is_locked:
        raise DomainError("adjustment_on_draft", _("A draft statement is recomputed, not adjusted."))
    if not (reason or "").strip():
        raise DomainError("reason_required", _("An adjustment needs a reason."))
    amount = money(statement.unit_price * statement.hours * trainees_delta)
    with transaction.atomic():
        adj = Adjustment.objects.create(statement=statement, trainees_delta=trainees_delta, amount=amount,
                                        reason=reason, created_by=actor)
        audit_record(obj=adj, actor=actor, action="create", reason=reason, changes={"amount": (None, amount)})
    return adj


# -- invoices (R55) ---------------------------------------------------------------------------------------
def due_for(*, contract, county) -> Decimal:
    """What is due for a contract and county: confirmed statements and their adjustments (drafts are not due)."""
    agg = SettlementStatement.objects.filter(contract=contract, county=county, status__in=[
        StatementStatus.CONFIRMED, StatementStatus.APPROVED, StatementStatus.PAID]).aggregate(s=Sum("amount"))
    adj = Adjustment.objects.filter(statement__contract=contract, statement__county=county).aggregate(s=Sum("amount"))
    return (agg["s"] or ZERO) + (adj["s"] or ZERO)


def invoice_upload(*, actor, contract, county, number: str, amount: Decimal, issued_on) -> Invoice:
    """The institution's invoice: unique number per institution, never more than is due and not yet invoiced."""
    number = (number or "").strip()
    if actor.role != Role.INSTITUTION_STAFF or actor.organisation_id != contract.institution_id:
        raise DomainError("forbidden", _("Only the contracted institution uploads its invoices."))
    if not number:
        raise DomainError("invoice_number_required", _("An invoice needs a number."))
    amount = money(amount)
    if amount <= 0:
        raise DomainError("negative_amount", _("An amount must be positive."))
    with transaction.atomic():
        # Lock the contract's statements so two uploads cannot both take the same remaining amount.
        list(SettlementStatement.objects.select_for_update().filter(contract=contract, county=county))
        if Invoice.objects.filter(institution_id=contract.institution_id, number=number).exists():
            raise DomainError("r55_duplicate_invoice", _("Invoice number %(number)s has already been uploaded.") % {
                "number": number})
        invoiced = Invoice.objects.filter(contract=contract, county=county).aggregate(s=Sum("amount"))["s"] or ZERO
        remaining = due_for(contract=contract, county=county) - invoiced
        if amount > remaining:
            raise DomainError("r55_invoice_exceeds_due", _(
                "The invoice (¥%(amount)s) exceeds what is due and not yet invoiced (¥%(remaining)s).") % {
                "amount": amount, "remaining": money(remaining)})
        invoice = Invoice.objects.create(institution_id=contract.institution_id, contract=contract, county=county,
                                         number=number, amount=amount, issued_on=issued_on, uploaded_by=actor)
        audit_record(obj=invoice, actor=actor, action="create", changes={"amount": (None, amount)})
    return invoice


# -- payments (R54) ---------------------------------------------------------------------------------------
def statement_due(statement) -> Decimal:
    return statement.amount + (statement.adjustments.aggregate(s=Sum("amount"))["s"] or ZERO)


PAYABLE_STATES = (StatementStatus.APPROVED, StatementStatus.PAID)


def contract_payment_limits(contract) -> dict:
    """What each tranche of a contract may still take (R54), unrounded inside, rounded where shown.

    - advance: once the contract is signed, at most the advance share (a setting, 30%) of the contract amount,
      over all advances together; before any statement exists;
    - interim: advance + interim ≤ (1 − F) × what the contract's approved statements make due (F: the final
      tranche share, a setting);
    - final: for each approved statement whose project's evaluation is published, the grade's release share × F ×
      its due; and never more in total than the grades make payable: (1 − F) × due + the released finals."""
    from projects.selectors import project_grade

    region = contract.lot.tender.province
    share = get_setting("finance.final_tranche_share", region=region)
    ratio = get_setting("finance.advance_max_ratio", region=region)
    statements = list(SettlementStatement.objects.filter(contract=contract, status__in=PAYABLE_STATES)
                      .select_related("project").annotate(adj=Sum("adjustments__amount")).order_by("pk"))
    paid_rows = (Payment.objects.filter(contract=contract).order_by()
                 .values_list("statement_id", "tranche").annotate(s=Sum("amount")))
    paid, by_statement = {t: ZERO for t in Tranche.values}, {}
    for statement_id, tranche, total in paid_rows:
        paid[tranche] += total
        by_statement.setdefault(statement_id, {})[tranche] = total
    grades = {}
    per_statement = {}
    due = released = ZERO
    for s in statements:
        s_due = s.amount + (s.adj or ZERO)
        if s.project_id not in grades:
            grades[s.project_id] = project_grade(project=s.project)
        factor = rules.final_release_factor(grades[s.project_id], region=region)
        due += s_due
        if factor is not None:
            released += factor * share * s_due
        per_statement[s.pk] = {"due": s_due, "factor": factor, "grade": grades[s.project_id],
                               "paid": by_statement.get(s.pk, {})}
    total_paid = sum(paid.values(), ZERO)
    evaluated = bool(statements) and all(v["factor"] is not None for v in per_statement.values())
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


def payment_limits(statement) -> dict:
    """The contract's limits narrowed to one approved statement: its interim share ((1 − F) × its due) and its
    final tranche (grade's share × F × its due), never beyond what the contract as a whole may still take."""
    limits = contract_payment_limits(statement.contract)
    mine = limits["statements"].get(statement.pk)
    if mine is None:
        return {**limits, "statement_due": statement_due(statement), Tranche.INTERIM: ZERO, Tranche.FINAL: None,
                "grade": "", "factor": None, "final_tranche": money(statement_due(statement) * limits["share"])}
    s_due, share, s_paid = mine["due"], limits["share"], mine["paid"]
    interim = min(money(s_due * (1 - share) - s_paid.get(Tranche.INTERIM, ZERO)), limits[Tranche.INTERIM])
    final = None
    if mine["factor"] is not None:
        final = min(money(mine["factor"] * share * s_due - s_paid.get(Tranche.FINAL, ZERO)),
                    money(limits["_payable_now"] - limits["paid"]))
    return {**limits, "statement_due": s_due, "grade": mine["grade"], "factor": mine["factor"],
            "final_tranche": money(s_due * share), Tranche.INTERIM: max(interim, ZERO),
            Tranche.FINAL: None if final is None else max(final, ZERO)}


def payment_record(*, actor, contract, tranche: str, amount: Decimal, paid_on, statement=None, reference: str = "",
                   payer: str = Payer.CENTRAL_SUBSIDY) -> Payment:
    """Record a tranche (R54): the advance against the signed contract, interim and final against an approved
    statement of it. The contract row is locked, so simultaneous payments are checked one after the other."""
    from tendering.models import Contract

    _check_payer(payer)
    _require_finance(actor, contract.lot.tender.province)
    amount = money(amount)
    if amount <= 0:
        raise DomainError("negative_amount", _("An amount must be positive."))
    if tranche not in Tranche.values:
        raise DomainError("unknown_tranche", _("Unknown tranche."))
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("lot__tender__province").get(pk=contract.pk)
        if statement is not None:
            statement = SettlementStatement.objects.select_for_update().select_related("project", "county").get(
                pk=statement.pk)
            if statement.contract_id != contract.pk:
                raise DomainError("statement_of_other_contract", _("This statement belongs to another contract."))
            _require_finance(actor, statement.county)
        if tranche == Tranche.ADVANCE:
            if statement is not None:
                raise DomainError("r54_advance_on_contract", _(
                    "The advance is paid against the contract, not against a statement."))
            if not contract.signed_at or contract.signed_at > timezone.now():
                raise DomainError("r54_contract_not_signed", _("An advance is paid only once the contract is signed."))
            limits = contract_payment_limits(contract)
        else:
            if statement is None:
                raise DomainError("statement_required", _("Interim and final payments are made against a statement."))
            if statement.status not in PAYABLE_STATES:
                raise DomainError("statement_not_approved", _(
                    "Payments are made only on statements approved by finance."))
            limits = payment_limits(statement)
        if tranche == Tranche.FINAL and limits["factor"] is None:
            raise DomainError("r54_not_evaluated", _(
                "The final tranche is released only after the project's evaluation is published."))
        allowed = limits[tranche]
        if tranche == Tranche.FINAL and not allowed:
            raise DomainError("r54_final_withheld", _(
                "Nothing of the final tranche can be released for this project's grade."))
        if amount > allowed:
            code = {Tranche.ADVANCE: "r54_advance_cap", Tranche.INTERIM: "r54_interim_cap",
                    Tranche.FINAL: "r54_final_cap"}[tranche]
            raise DomainError(code, _("This tranche may take at most ¥%(allowed)s now.") % {"allowed": allowed})
        payment = Payment.objects.create(contract=contract, statement=statement, tranche=tranche, amount=amount,
                                         paid_on=paid_on, reference=reference, payer=payer, recorded_by=actor)
        audit_record(obj=payment, actor=actor, action="create", changes={"amount": (None, amount)})
        # Paid in full once every approved statement's evaluation has fixed what is payable and all of it is paid.
        after = contract_payment_limits(contract)
        if after["evaluated"] and after["paid"] >= money(after["payable"]):
            for pk in SettlementStatement.objects.filter(contract=contract, status=StatementStatus.APPROVED) \
                    .values_list("pk", flat=True):
                fire(SettlementStatement, pk, name="mark_paid", actor=actor)
    return payment


__all__ = [n for n in dir() if n.endswith(("_set", "_add", "_record", "_compute", "_confirm", "_approve",
                                           "_upload", "_edit", "_from_contract"))]
