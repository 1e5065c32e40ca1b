"""Budgets and their execution (R51, R56), scoped to the finance reader. Figures unrounded; rounded where shown."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.config import get_setting
from backoffice.money import ZERO, money
from finance.calculations import execution_rate
from finance.models import BudgetLine, Commitment, CostCategory, Expenditure, LectureFee, LOCKED_STATES, Payment, \
    SettlementStatement

from .statements import MONEY_FIELD


def _sum_by_project(qs, amount="amount", project_path="project"):
    # order_by(): the models' default orders would join plans and regions into every per-project sum.
    return Coalesce(Subquery(qs.filter(**{project_path: OuterRef("pk")}).order_by().values(project_path)
                             .annotate(s=Sum(amount)).values("s")), Value(ZERO), output_field=MONEY_FIELD)


def _annotate_money(qs):
    return qs.annotate(
        lines_total=_sum_by_project(BudgetLine.objects.all()),
        committed=_sum_by_project(Commitment.objects.all()),
        fees_paid=_sum_by_project(Payment.objects.all(), project_path="statement__project"),
        other_spent=_sum_by_project(Expenditure.objects.all()),
        due=_sum_by_project(SettlementStatement.objects.filter(status__in=LOCKED_STATES)),
    )


def advance_shares(project_ids, *, by: str = "project_id") -> dict[int, Decimal]:
    """R54 advances are paid against a contract, before any statement: each project of the contract's lot carries
    its share of them, in proportion to its trainee-hours (quota × hours). Unrounded; one query, driven by the
    few advance payments rather than by the projects (issue 13). `project_ids` is a list or a values("pk")
    queryset (read as a subquery, never as a list of every project); the shares are summed per project, or per
    plan with `by="plan_id"`."""
    from tendering.models import Lot

    through = Lot.projects.through.objects
    advance = Payment.objects.filter(contract__lot=OuterRef("lot_id"), statement__isnull=True).order_by().values(
        "contract__lot").annotate(s=Sum("amount")).values("s")
    # Every project of the lots that hold one of the projects and have an advance: few rows, one query.
    members = list(through.filter(lot_id__in=through.filter(project_id__in=project_ids).values("lot_id"))
                   .filter(lot_id__in=Payment.objects.filter(statement__isnull=True).values("contract__lot_id"))
                   .annotate(advance=Subquery(advance, output_field=MONEY_FIELD),
                             wanted=ExpressionWrapper(Q(project_id__in=project_ids), output_field=BooleanField()))
                   .values_list("lot_id", f"project__{by}" if by != "project_id" else "project_id",
                                F("project__quota") * F("project__hours"), "advance", "wanted"))
    advances = {lot_id: amount for lot_id, _, _, amount, _ in members}
    weight_all: dict[int, int] = {}
    for lot_id, _, weight, _, _ in members:
        weight_all[lot_id] = weight_all.get(lot_id, 0) + weight
    shares = {}
    for lot_id, key, weight, _, wanted in members:
        if not wanted:
            continue
        total = weight_all[lot_id]
        share = advances[lot_id] * Decimal(weight) / Decimal(total) if total else ZERO
        shares[key] = shares.get(key, ZERO) + share
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

    if not user.has_perm("finance.view_finance"):
        from projects.models import Project

        return Project.objects.none()
    return project_list_visible_to(user=user).exclude(status=ProjectStatus.CANCELLED)


def execution_projects(*, user):
    """The projects of the budget pages, in their order (a page of them goes to execution_rows)."""
    return _finance_projects(user).order_by("plan_year", "code")


def execution_rows(*, user, plan=None, project_ids=None) -> list[ExecutionRow]:
    """Allocated, budgeted, committed, due, spent and the execution rate per project (R56), one query; only the
    given projects when `project_ids` is set (a page of the list)."""
    # Only what the rows show and the flag reads (issue 13): no plan, office or institution joined.
    qs = _annotate_money(_finance_projects(user).select_related(None).only(
        "code", "name", "budget", "end_date", "province_code", "status"))  # status: the FSM reads it on load
    if plan is not None:
        qs = qs.filter(plan=plan)
    if project_ids is not None:
        qs = qs.filter(pk__in=list(project_ids))
    today = timezone.localdate()
    rows = []
    threshold = None
    projects = list(qs.order_by("plan_year", "code"))
    advances = advance_shares([p.pk for p in projects]) if projects else {}
    for p in projects:
        if threshold is None:
            threshold = get_setting("finance.execution_flag_below", region=p.province_code)
        spent = p.fees_paid + advances.get(p.pk, ZERO) + p.other_spent
        rate = execution_rate(spent=spent, allocated=p.budget)
        # R56: flag a low rate only once the project has ended.
        flagged = rate is not None and p.end_date < today and rate < threshold
        rows.append(ExecutionRow(project=p, allocated=p.budget, lines=p.lines_total, committed=p.committed,
                                 due=p.due, spent=spent, rate=rate, flagged=flagged))
    return rows


def execution_current_rows(*, user) -> list[ExecutionRow]:
    """The rows of the latest annual plan that has projects (the year being run): the dashboard chart's rows, so it
    reads one year's projects, not a decade's (issue 13)."""
    latest = _finance_projects(user).order_by("-plan_year").values_list("plan_id", flat=True).first()
    return execution_rows(user=user, plan=latest) if latest else []


def _sum_by_plan(qs, project_path="project", amount="amount") -> dict:
    return dict(qs.order_by().values_list(f"{project_path}__plan_id").annotate(s=Sum(amount)))


def execution_by_plan(*, user) -> list[dict]:
    """Per annual plan (province × year): central subsidy, project budgets, spent, rate (R56). Sums grouped by plan
    in the database (a few queries whatever the number of projects; issue 13)."""
    from projects.selectors import plan_list_visible_to

    if not user.has_perm("finance.view_finance"):
        return []
    plans = list(plan_list_visible_to(user=user))
    projects = _finance_projects(user).order_by()
    allocated_by = dict(projects.values_list("plan_id").annotate(s=Sum("budget")))
    ids = projects.values("pk")
    committed_by = _sum_by_plan(Commitment.objects.filter(project__in=ids))
    paid_by = _sum_by_plan(Payment.objects.filter(statement__project__in=ids), project_path="statement__project")
    other_by = _sum_by_plan(Expenditure.objects.filter(project__in=ids))
    advance_by = advance_shares(ids, by="plan_id")
    result = []
    for plan in plans:
        allocated = allocated_by.get(plan.pk) or ZERO
        spent = (paid_by.get(plan.pk) or ZERO) + advance_by.get(plan.pk, ZERO) + (other_by.get(plan.pk) or ZERO)
        result.append({"plan": plan, "subsidy": plan.central_subsidy, "allocated": allocated,
                       "committed": committed_by.get(plan.pk) or ZERO, "spent": spent,
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
