"""Budget writes (R51): cost-category lines, lecture fees, commitments from signed contracts, actual spending.
Each is one transaction with its audit event (R3) and history row."""
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError
from backoffice.money import ZERO, money
from finance import calculations
from finance.models import BudgetLine, Commitment, CostCategory, Expenditure, LectureFee, Payer

from .common import check_payer, require_finance


def _province_of(project):
    return project.plan.province


def budget_line_set(*, actor, project, category: str, amount: Decimal, payer: str = Payer.CENTRAL_SUBSIDY,
                    note: str = "") -> BudgetLine:
    """Set one cost-category line; the R51 caps are checked on the budget as it would be afterwards."""
    check_payer(payer)
    province = _province_of(project)
    require_finance(actor, province)
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
        problems = calculations.r51_problems(project, lines, region=province)
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
    check_payer(payer)
    province = _province_of(project)
    require_finance(actor, province)
    rate = Decimal(rate)
    problems = calculations.lecture_problems(level=level, rate=rate, hours=hours, half_days=half_days, region=province)
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
    require_finance(actor, province)
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
    check_payer(payer)
    require_finance(actor, _province_of(project))
    amount = money(amount)
    if amount <= 0:
        raise DomainError("negative_amount", _("An amount must be positive."))
    with transaction.atomic():
        row = Expenditure.objects.create(project=project, category=category, amount=amount, spent_on=spent_on,
                                         description=description, payer=payer, created_by=actor)
        audit_record(obj=row, actor=actor, action="create", changes={"amount": (None, amount)})
    return row
