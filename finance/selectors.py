"""Reads in finance, always scoped to the user (R2): finance officers and auditors see their region subtree,
institutions their own statements and invoices. Lists fetch what they show in a constant number of queries."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.config import get_setting
from backoffice.models import Region, Role
from backoffice.scoping import scope_for
from finance.models import (
    LOCKED_STATES, Adjustment, BudgetLine, Commitment, CostCategory, Expenditure, Invoice, LectureFee, Payment,
    SettlementStatement, StatementStatus,
)
from backoffice.money import ZERO, money
from finance.rules import execution_rate
from backoffice.money import grouped_amount

READER_ROLES = {Role.FINANCE_OFFICER, Role.AUDITOR}
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


def is_reader(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in READER_ROLES))


def can_write(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or (user.role == Role.FINANCE_OFFICER
                                                                 and scope_for(user).can_write)))


def _finance_scope(user, qs, *, region: str, organisation: str | None):
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.role in READER_ROLES:
        return scope_for(user).filter(qs, region=region)
    if user.role == Role.INSTITUTION_STAFF and organisation:
        return qs.filter(**{f"{organisation}_id": user.organisation_id})
    return qs.none()


# -- statements, invoices -----------------------------------------------------------------------------------
def statement_list_visible_to(*, user):
    qs = SettlementStatement.objects.select_related("contract", "contract__institution", "project", "county")
    qs = qs.annotate(adjustment_total=Coalesce(
        Subquery(Adjustment.objects.filter(statement=OuterRef("pk")).values("statement")
                 .annotate(s=Sum("amount")).values("s")), Value(ZERO), output_field=MONEY_FIELD))
    return _finance_scope(user, qs, region="county", organisation="contract__institution")


def statement_get(*, user, pk) -> SettlementStatement:
    return statement_list_visible_to(user=user).get(pk=pk)


def invoice_list_visible_to(*, user):
    qs = Invoice.objects.select_related("institution", "contract", "county", "uploaded_by")
    return _finance_scope(user, qs, region="county", organisation="institution")


def contracts_for_finance(*, user):
    """Contracts the user settles or invoices: finance and auditors by province, an institution its own."""
    from tendering.selectors import contract_list_visible_to

    if not (is_reader(user) or user.role == Role.INSTITUTION_STAFF):
        from tendering.models import Contract

        return Contract.objects.none()
    return contract_list_visible_to(user=user).select_related("lot__tender__province")


def counties_with_due(*, user, contract):
    """The counties of a contract that have a confirmed statement (where an invoice can go)."""
    ids = statement_list_visible_to(user=user).filter(contract=contract, status__in=LOCKED_STATES).values("county_id")
    return Region.objects.filter(pk__in=ids).order_by("code")


# -- budgets and execution (R51, R56) ---------------------------------------------------------------------
def _sum_by_project(qs, amount="amount", project_path="project"):
    return Coalesce(Subquery(qs.filter(**{project_path: OuterRef("pk")}).values(project_path)
                             .annotate(s=Sum(amount)).values("s")), Value(ZERO), output_field=MONEY_FIELD)


def _annotate_money(qs):
    return qs.annotate(
        lines_total=_sum_by_project(BudgetLine.objects.all()),
        committed=_sum_by_project(Commitment.objects.all()),
        fees_paid=_sum_by_project(Payment.objects.all(), project_path="statement__project"),
        other_spent=_sum_by_project(Expenditure.objects.all()),
        due=_sum_by_project(SettlementStatement.objects.filter(status__in=LOCKED_STATES)),
    )


def advance_shares(project_ids) -> dict[int, Decimal]:
    """R54 advances are paid against a contract, before any statement: each project of the contract's lot carries
    its share of them, in proportion to its trainee-hours (quota × hours). Unrounded; one query."""
    from tendering.models import Lot

    through = Lot.projects.through.objects
    advance = Payment.objects.filter(contract__lot=OuterRef("lot_id"), statement__isnull=True).order_by().values(
        "contract__lot").annotate(s=Sum("amount")).values("s")
    weight_all = through.filter(lot=OuterRef("lot_id")).order_by().values("lot").annotate(
        w=Sum(F("project__quota") * F("project__hours"))).values("w")
    rows = (through.filter(project_id__in=project_ids, lot__contract__isnull=False)
            .annotate(advance=Subquery(advance, output_field=MONEY_FIELD),
                      weight=F("project__quota") * F("project__hours"),
                      weight_all=Subquery(weight_all))
            .filter(advance__isnull=False).values_list("project_id", "advance", "weight", "weight_all"))
    shares = {}
    for project_id, amount, weight, weight_all in rows:
        share = amount * Decimal(weight) / Decimal(weight_all) if weight_all else ZERO
        shares[project_id] = shares.get(project_id, ZERO) + share
    return shares


def budget_execution_rates(project_ids: list[int]) -> dict[int, Decimal]:
    """R56 / R63 indicator: spent ÷ allocated per project, unrounded; two queries for all ids.

    Registered with projects.evaluation.sources as "budget_execution_rate"."""
    from projects.models import Project

    ids = list(project_ids)
    rows = _annotate_money(Project.objects.filter(pk__in=ids)).values_list("pk", "budget", "fees_paid", "other_spent")
    advances = advance_shares(ids)
    return {pk: (paid + advances.get(pk, ZERO) + other) / budget for pk, budget, paid, other in rows if budget}


@dataclass
class ExecutionRow:
    project: object
    allocated: Decimal
    lines: Decimal
    committed: Decimal
    due: Decimal
    spent: Decimal
    rate: Decimal | None
    flagged: bool

    @property
    def percent(self) -> Decimal:
        return money((self.rate or ZERO) * 100)

    @property
    def bar(self) -> Decimal:
        return min(self.percent, Decimal("100"))


def _finance_projects(user):
    from projects.models import ProjectStatus
    from projects.selectors import project_list_visible_to

    if not is_reader(user):
        from projects.models import Project

        return Project.objects.none()
    return project_list_visible_to(user=user).exclude(status=ProjectStatus.CANCELLED)


def execution_rows(*, user, plan=None) -> list[ExecutionRow]:
    """Allocated, budgeted, committed, due, spent and the execution rate per project (R56), one query."""
    qs = _annotate_money(_finance_projects(user))
    if plan is not None:
        qs = qs.filter(plan=plan)
    today = timezone.localdate()
    rows = []
    threshold = None
    projects = list(qs.order_by("plan__year", "code"))
    advances = advance_shares([p.pk for p in projects]) if projects else {}
    for p in projects:
        if threshold is None:
            threshold = get_setting("finance.execution_flag_below", region=p.plan.province)
        spent = p.fees_paid + advances.get(p.pk, ZERO) + p.other_spent
        rate = execution_rate(spent=spent, allocated=p.budget)
        # R56: flag a low rate only once the project has ended.
        flagged = rate is not None and p.end_date < today and rate < threshold
        rows.append(ExecutionRow(project=p, allocated=p.budget, lines=p.lines_total, committed=p.committed,
                                 due=p.due, spent=spent, rate=rate, flagged=flagged))
    return rows


def execution_by_plan(*, user) -> list[dict]:
    """Per annual plan (province × year): central subsidy, project budgets, spent, rate (R56)."""
    from projects.selectors import plan_list_visible_to

    if not is_reader(user):
        return []
    plans = list(plan_list_visible_to(user=user))
    rows = execution_rows(user=user)
    result = []
    for plan in plans:
        mine = [r for r in rows if r.project.plan_id == plan.pk]
        allocated = sum((r.allocated for r in mine), ZERO)
        spent = sum((r.spent for r in mine), ZERO)
        result.append({"plan": plan, "subsidy": plan.central_subsidy, "allocated": allocated,
                       "committed": sum((r.committed for r in mine), ZERO), "spent": spent,
                       "rate": execution_rate(spent=spent, allocated=allocated),
                       "percent": money((execution_rate(spent=spent, allocated=allocated) or ZERO) * 100)})
    return result


def execution_by_category(*, user) -> list[dict]:
    """R56 per cost category over every project the user sees: budget lines against recorded spending; the
    institutions' fees (paid from statements) are a row of their own. Three queries."""
    projects = _finance_projects(user).values("pk")
    budgeted = dict(BudgetLine.objects.filter(project__in=projects).values_list("category").annotate(s=Sum("amount"))
                    .order_by())
    spent = dict(Expenditure.objects.filter(project__in=projects).values_list("category").annotate(s=Sum("amount"))
                 .order_by())
    rows = [{"label": label, "budgeted": budgeted.get(value, ZERO), "spent": spent.get(value, ZERO),
             "percent": money((execution_rate(spent=spent.get(value, ZERO), allocated=budgeted.get(value, ZERO))
                               or ZERO) * 100)}
            for value, label in CostCategory.choices if value in budgeted or value in spent]
    from tendering.models import Lot

    contracts = Lot.projects.through.objects.filter(project__in=projects, lot__contract__isnull=False).values(
        "lot__contract__id")
    fees = Payment.objects.filter(contract_id__in=contracts).aggregate(s=Sum("amount"))["s"] or ZERO
    committed = Commitment.objects.filter(project__in=projects).aggregate(s=Sum("amount"))["s"] or ZERO
    rows.append({"label": _("Institution fees (committed / paid)"), "budgeted": committed, "spent": fees,
                 "percent": money((execution_rate(spent=fees, allocated=committed) or ZERO) * 100)})
    return rows


def project_budget(*, user, project) -> dict:
    """预算 / 决算 of one project: lines by category against spending by category, lecture fees, commitments."""
    lines = {line.category: line for line in BudgetLine.objects.filter(project=project).select_related("updated_by")}
    spent = dict(Expenditure.objects.filter(project=project).values_list("category").annotate(s=Sum("amount"))
                 .order_by())
    categories = []
    for value, label in CostCategory.choices:
        line = lines.get(value)
        budgeted = line.amount if line else ZERO
        used = spent.get(value, ZERO)
        categories.append({"category": value, "label": label, "line": line, "budgeted": budgeted, "spent": used,
                           "rate": execution_rate(spent=used, allocated=budgeted)})
    fees_paid = (Payment.objects.filter(statement__project=project).aggregate(s=Sum("amount"))["s"] or ZERO) + \
        advance_shares([project.pk]).get(project.pk, ZERO)
    return {
        "categories": categories,
        "lines_total": sum((c["budgeted"] for c in categories), ZERO),
        "other_spent": sum(spent.values(), ZERO),
        "fees_paid": fees_paid,
        "lecture_fees": list(LectureFee.objects.filter(project=project)),
        "commitments": list(Commitment.objects.filter(project=project).select_related("contract__institution")),
        "expenditures": list(Expenditure.objects.filter(project=project)[:50]),
        "spent": fees_paid + sum(spent.values(), ZERO),
    }


# -- reconciliation -----------------------------------------------------------------------------------------
@dataclass
class ReconRow:
    contract: object
    county: object = None  # None: the contract's row for the advance not yet set off (R54)
    due: Decimal = ZERO
    draft: Decimal = ZERO
    invoiced: Decimal = ZERO
    paid: Decimal = ZERO
    advance_set_off: Decimal = ZERO  # part of `paid`: the contract's advance set off against this county's due
    adjustments: int = 0
    adjustment_amount: Decimal = ZERO
    settled: bool = False  # contract row: every statement of the contract is confirmed
    flags: list = field(default_factory=list)  # [(code, explanation)]

    @property
    def institution(self):
        return self.contract.institution

    @property
    def is_advance(self) -> bool:
        return self.county is None

    @property
    def label(self) -> str:
        return self.county.full_name if self.county else _("Advance not yet set off (contract)")

    @property
    def not_invoiced(self) -> Decimal:
        return self.due - self.invoiced

    @property
    def not_paid(self) -> Decimal:
        return self.due - self.paid


def _explain(row: ReconRow):
    if row.is_advance:
        if row.settled:
            row.flags.append(("overpayment", _(
                "The advance exceeds what turned out to be due: overpayment of ¥%(amount)s.") % {
                "amount": grouped_amount(row.paid)}))
        else:
            row.flags.append(("advance_not_set_off", _(
                "Advance of ¥%(amount)s paid against the contract, not yet set off against a settled statement.") % {
                "amount": grouped_amount(row.paid)}))
        return
    if row.due > row.invoiced:
        row.flags.append(("missing_invoice", _("Invoice missing for ¥%(amount)s.") % {
            "amount": grouped_amount(row.due - row.invoiced)}))
    if row.invoiced > row.due:
        row.flags.append(("over_invoiced", _("Invoiced ¥%(amount)s more than is due.") % {
            "amount": grouped_amount(row.invoiced - row.due)}))
    if row.paid > row.due:
        row.flags.append(("overpayment", _("Overpayment of ¥%(amount)s.") % {"amount": grouped_amount(row.paid - row.due)}))
    elif row.invoiced > row.paid:
        row.flags.append(("awaiting_payment", _("¥%(amount)s invoiced and not yet paid.") % {
            "amount": grouped_amount(row.invoiced - row.paid)}))
    if row.advance_set_off:
        row.flags.append(("advance_set_off", _("Paid includes ¥%(amount)s of the contract's advance, set off here.") % {
            "amount": grouped_amount(row.advance_set_off)}))
    if row.adjustments:
        row.flags.append(("outcome_changed", _(
            "%(n)s adjustment entries after confirmation (trainee outcomes changed): ¥%(amount)s.") % {
            "n": row.adjustments, "amount": grouped_amount(row.adjustment_amount)}))
    if row.draft:
        row.flags.append(("awaiting_confirmation", _(
            "¥%(amount)s in statements waiting for the institution's confirmation.") % {"amount": grouped_amount(row.draft)}))


def _set_off(advance: Decimal, county_rows: list[ReconRow]) -> Decimal:
    """Spread a contract's advance over its counties in proportion to their due, never beyond it (shown figures,
    rounded once here, the last county takes the cents left). Returns what is left: the advance not yet set off."""
    due_rows = [r for r in county_rows if r.due > 0]
    total_due = sum((r.due for r in due_rows), ZERO)
    setoff = min(advance, total_due)
    given = ZERO
    for i, r in enumerate(due_rows):
        share = setoff - given if i == len(due_rows) - 1 else money(setoff * r.due / total_due)
        r.advance_set_off = share
        r.paid += share
        given += share
    return advance - setoff


def reconciliation_rows(*, user) -> list[ReconRow]:
    """Due vs invoiced vs paid for every contract × county the user may see, with each difference explained; the
    contract's advance (R54) is set off against its counties' due, and what is not yet set off is a row of the
    contract. Eight queries whatever the number of rows."""
    from tendering.models import Contract

    statements = statement_list_visible_to(user=user)
    rows: dict[tuple, ReconRow] = {}

    def grouped(qs, *, contract="contract_id", county="county_id", amount="amount"):
        return qs.order_by().values(contract, county).annotate(s=Sum(amount), n=Count("pk")).values_list(
            contract, county, "s", "n")

    due = grouped(statements.filter(status__in=LOCKED_STATES))
    draft = grouped(statements.filter(status=StatementStatus.DRAFT))
    adj = grouped(Adjustment.objects.filter(statement__in=statements.values("pk")),
                  contract="statement__contract_id", county="statement__county_id")
    inv = grouped(invoice_list_visible_to(user=user))
    paid = grouped(Payment.objects.filter(statement__in=statements.values("pk")),
                   contract="statement__contract_id", county="statement__county_id")
    advances = dict(Payment.objects.filter(statement__isnull=True, contract__in=contracts_for_finance(user=user)
                                           .values("pk")).order_by().values_list("contract_id")
                    .annotate(s=Sum("amount")))
    found = {}
    for name, data in (("due", due), ("draft", draft), ("adj", adj), ("inv", inv), ("paid", paid)):
        for c, r, s, n in data:
            found.setdefault((c, r), {})[name] = (s or ZERO, n)
    contract_ids = {k[0] for k in found} | set(advances)
    contracts = Contract.objects.filter(pk__in=contract_ids).select_related("institution").in_bulk()
    counties = Region.objects.filter(pk__in={k[1] for k in found}).in_bulk()
    by_contract: dict[int, list[ReconRow]] = {}
    for key, data in found.items():
        row = ReconRow(contract=contracts[key[0]], county=counties[key[1]])
        adj_amount, adj_n = data.get("adj", (ZERO, 0))
        row.due = data.get("due", (ZERO, 0))[0] + adj_amount
        row.draft = data.get("draft", (ZERO, 0))[0]
        row.invoiced = data.get("inv", (ZERO, 0))[0]
        row.paid = data.get("paid", (ZERO, 0))[0]
        row.adjustments, row.adjustment_amount = adj_n, adj_amount
        rows[key] = row
        by_contract.setdefault(key[0], []).append(row)
    for contract_id, advance in advances.items():
        county_rows = sorted(by_contract.get(contract_id, []), key=lambda r: r.county.code)
        left = _set_off(advance, county_rows)
        if left > 0:
            rows[(contract_id, None)] = ReconRow(
                contract=contracts[contract_id], paid=left,
                settled=bool(county_rows) and all(r.due > 0 and not r.draft for r in county_rows))
    for row in rows.values():
        _explain(row)
    return sorted(rows.values(), key=lambda r: (r.institution.name, r.contract.reference,
                                                r.county.code if r.county else "~"))


def contract_payments(contract):
    return contract.payments.select_related("recorded_by", "statement__county").order_by("paid_on", "pk")


def statement_payments(statement):
    return statement.payments.select_related("recorded_by").order_by("paid_on", "pk")


def statement_adjustments(statement):
    return statement.adjustments.select_related("created_by").order_by("created_at", "pk")


def statement_outcome_changes(statement):
    """Trainees of the statement whose outcome changed after confirmation (R53 explanations)."""
    from projects.enrolment.selectors import outcomes_changed_after

    if not statement.confirmed_at:
        return []
    return list(outcomes_changed_after(project=statement.project, county=statement.county,
                                       since=statement.confirmed_at)[:100])


def statement_summary_counts(*, user) -> dict:
    qs = statement_list_visible_to(user=user).order_by().values_list("status").annotate(n=Count("pk"))
    return dict(qs)


