"""Demo data for finance (idempotent): last year's finished project gets the contract it was delivered under,
budget lines, a commitment, some spending, a settled, confirmed and approved statement with an advance paid and
an invoice short of the due, so the finance officer sees budgets, a settled contract, a reconciliation difference
and the execution chart. This year's filed projects get budget lines, so the chart has several bars.

Like the enrolment demo's 2025 project, the 2025 tender, lot, bid and contract are written directly: no tender
workflow of this year leads to them."""
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

DEMO_TENDER = "JX2025-ZB-01"
DEMO_CONTRACT = "JX2025-HT-01"


def _demo_contract(project, office, signer):
    from tendering.models import Bid, Contract, Lot, Tender

    found = Contract.objects.filter(reference=DEMO_CONTRACT).first()
    if found:
        return found
    signed = timezone.make_aware(dt.datetime(2025, 5, 20, 10))
    tender = Tender.objects.create(
        reference=DEMO_TENDER, title="江西省2025年国培计划乡村教师访名校项目承训机构遴选", province=project.plan.province,
        office=office, wrapped_key=b"", status="completed", created_by=signer,
        created_at=timezone.make_aware(dt.datetime(2025, 3, 20, 9)), opened_at=signed - dt.timedelta(days=30))
    tender.projects.set([project])
    lot = Lot.objects.create(tender=tender, number=1, name="全省", budget=project.budget, status="contracted",
                             max_unit_price=Decimal("60.00"))
    lot.projects.set([project])
    bid = Bid.objects.create(lot=lot, institution=project.institution, status="qualified", submitted_by=signer,
                             received_at=signed - dt.timedelta(days=31), sealed=b"", receipt_sha256="0" * 64,
                             price=project.unit_price, chief_expert="周教授")
    return Contract.objects.create(
        lot=lot, reference=DEMO_CONTRACT, institution=project.institution, bid=bid, unit_price=project.unit_price,
        quota=project.quota, trainee_hours=project.quota * project.hours,
        amount=project.unit_price * project.quota * project.hours, signed_at=signed, signed_by=signer)


LINES_2025 = [("teaching_staff", "90000"), ("management", "20000"), ("lodging", "60000"), ("meals", "40000"),
              ("venue", "20000"), ("materials", "10000"), ("transport", "10000"), ("other", "5000")]


@transaction.atomic
def demo_step():
    from backoffice.exceptions import DomainError
    from backoffice.models import User
    from finance import services
    from finance.models import BudgetLine, Expenditure, Invoice, Payment, StatementStatus
    from projects.enrolment.demo import PAST_CODE
    from projects.models import Project, ProjectStatus

    finance = User.objects.filter(username="finance").first()
    institution_user = User.objects.filter(username="institution").first()
    province_user = User.objects.filter(username="province").first()
    project = Project.objects.filter(code=PAST_CODE, institution__isnull=False, unit_price__isnull=False).first()
    if not (finance and institution_user and province_user and project):
        return None
    notes = []
    contract = _demo_contract(project, project.office, province_user)
    if not BudgetLine.objects.filter(project=project).exists():
        for category, amount in LINES_2025:
            services.budget_line_set(actor=finance, project=project, category=category, amount=Decimal(amount))
        services.lecture_fee_add(actor=finance, project=project, lecturer="王教授", level="full", hours=4,
                                 half_days=1, rate=Decimal("1000"))
        services.commitment_from_contract(actor=finance, contract=contract)
        services.expenditure_record(actor=finance, project=project, category="management", amount=Decimal("12000"),
                                    spent_on=dt.date(2025, 6, 16), description="开班会务")
        services.expenditure_record(actor=finance, project=project, category="lodging", amount=Decimal("36000"),
                                    spent_on=dt.date(2025, 6, 25), description="学员住宿")
        notes.append(f"{project.name}：预算明细 {len(LINES_2025)} 项")
    if not Payment.objects.filter(contract=contract).exists():
        # R54: the advance is paid against the contract when it is signed, before the training.
        advance = (contract.amount * Decimal("0.20")).quantize(Decimal("0.01"))
        services.payment_record(actor=finance, contract=contract, tranche="advance", amount=advance,
                                paid_on=dt.date(2025, 5, 26), reference="DEMO-PAY-001")
        notes.append(f"合同 {contract.reference} 签订后已付预付款 ¥{advance}")
    if not contract.statements.exists():
        services.settlement_compute(actor=finance, contracts=[contract])
        for statement in contract.statements.all():
            services.settlement_confirm(actor=institution_user, statement=statement)
            services.settlement_approve(actor=finance, statement=statement)
    statement = contract.statements.filter(status=StatementStatus.APPROVED).order_by("pk").first()
    if statement and not Invoice.objects.filter(contract=contract).exists():
        # Invoiced less than is due: the reconciliation shows a missing invoice.
        invoiced = (statement.amount * Decimal("0.50")).quantize(Decimal("0.01"))
        services.invoice_upload(actor=institution_user, contract=contract, county=statement.county,
                                number="36002500001", amount=invoiced, issued_on=dt.date(2025, 6, 28))
        notes.append(f"合同 {contract.reference} 已结算 ¥{statement.amount}，已开票 ¥{invoiced}")
    # This year's filed projects: a budget per project so the chart has several bars.
    for i, p in enumerate(Project.objects.filter(plan__province=project.plan.province, plan__year=2026,
                                                 status__in=[ProjectStatus.FILED, ProjectStatus.TENDERING,
                                                             ProjectStatus.CONTRACTED]).order_by("code")[:5]):
        if BudgetLine.objects.filter(project=p).exists() or p.mode == "online" or not p.budget:
            continue
        try:
            services.budget_line_set(actor=finance, project=p, category="teaching_staff",
                                     amount=(p.budget * Decimal("0.4")).quantize(Decimal("0.01")))
            services.budget_line_set(actor=finance, project=p, category="management",
                                     amount=(p.budget * Decimal("0.1")).quantize(Decimal("0.01")))
        except DomainError:  # a project whose figures do not allow the demo lines keeps none
            continue
        if i % 2 == 0 and not Expenditure.objects.filter(project=p).exists():
            services.expenditure_record(actor=finance, project=p, category="management",
                                        amount=(p.budget * Decimal("0.05")).quantize(Decimal("0.01")),
                                        spent_on=max(p.start_date, dt.date(2026, 1, 1)), description="前期调研")
    return "财务：" + "；".join(notes) if notes else None
