"""Demo data for finance (idempotent): last year's finished project gets the contract it was delivered under,
budget lines, a commitment, an advance paid against the contract when it was signed (R54), the spending the
project really had (an execution rate of about 95%, R56), a settled, confirmed and approved statement and an
invoice short of the due, so the finance officer sees budgets, a settled contract, a reconciliation difference
and the execution chart. This year's filed projects get budget lines, so the chart has several bars.

Like the enrolment demo's 2025 project, the 2025 tender, lot, bid and contract are written directly: no tender
workflow of this year leads to them."""
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

DEMO_TENDER = "JX2025-ZB-01"
DEMO_CONTRACT = "JX2025-HT-01"


# The 2025 tender's three sealed bids (R23/R24): the demo institution wins at the project's unit price; two other
# institutions of the province bid higher. (institution offset among the province's others, price, chief expert)
RIVAL_BIDS_2025 = [(0, Decimal("54.00"), "吴教授"), (1, Decimal("57.50"), "郑教授")]
BID_DOCUMENT = b"%PDF-1.4\n% demo proposal 2025\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _sealed_bid(bid, *, price, chief_expert):
    """Seal a demo bid through tendering's sealing, as a submission would: the receipt hash is the real one."""
    from tendering import sealing

    team = [{"name": chief_expert, "own_staff": True}, {"name": "刘老师", "own_staff": True},
            {"name": "陈老师", "own_staff": False}]
    content = {"price": str(price.quantize(Decimal("0.01"))), "chief_expert": chief_expert, "chief_own_staff": True,
               "team": team, "past_projects": ["2024年国培计划中西部项目"], "document_name": "技术方案.pdf"}
    bid.sealed, bid.receipt_sha256 = sealing.seal(bid.lot.tender, content=content,
                                                  document=BID_DOCUMENT + bid.institution.name.encode())
    bid.document_name, bid.price, bid.chief_expert, bid.team = content["document_name"], price, chief_expert, team
    return bid


def _seal_past_tender(tender, lot, winner, signer):
    """Three qualified, sealed bids on the 2025 lot (R24 needs three). Also repairs a demo database built before
    the bids were sealed (empty tender key, empty ciphertext, all-zero receipt hash)."""
    from backoffice.models import Organisation, OrganisationKind, Role
    from tendering import sealing
    from tendering.models import Bid

    if not tender.wrapped_key:
        tender.key_version, tender.wrapped_key = sealing.current_key_version(), sealing.new_wrapped_key()
        tender.save(update_fields=["key_version", "wrapped_key"])
    if not bytes(winner.sealed) or set(winner.receipt_sha256) == {"0"}:
        _sealed_bid(winner, price=winner.price, chief_expert=winner.chief_expert or "周教授").save()
    others = list(Organisation.objects.filter(kind=OrganisationKind.INSTITUTION,
                                              region__code__startswith=tender.province.code[:2])
                  .exclude(pk=winner.institution_id).order_by("pk"))
    for offset, price, chief in RIVAL_BIDS_2025:
        if offset >= len(others) or lot.bids.filter(institution=others[offset]).exists():
            continue
        staff = others[offset].users.filter(is_active=True, role=Role.INSTITUTION_STAFF).order_by("pk").first()
        bid = Bid(lot=lot, institution=others[offset], status="qualified", submitted_by=staff or signer,
                  received_at=winner.received_at + dt.timedelta(hours=2 + offset))
        _sealed_bid(bid, price=price, chief_expert=chief).save()


def _demo_contract(project, office, signer):
    from tendering import sealing
    from tendering.models import Bid, Contract, Lot, Tender

    found = Contract.objects.filter(reference=DEMO_CONTRACT).select_related("lot__tender__province", "bid").first()
    if found:
        _seal_past_tender(found.lot.tender, found.lot, found.bid, signer)
        return found
    signed = timezone.make_aware(dt.datetime(2025, 5, 20, 10))
    tender = Tender.objects.create(
        reference=DEMO_TENDER, title="江西省2025年国培计划乡村教师访名校项目承训机构遴选", province=project.plan.province,
        office=office, wrapped_key=sealing.new_wrapped_key(), status="completed", created_by=signer,
        created_at=timezone.make_aware(dt.datetime(2025, 3, 20, 9)), opened_at=signed - dt.timedelta(days=30))
    tender.projects.set([project])
    lot = Lot.objects.create(tender=tender, number=1, name="全省", budget=project.budget, status="contracted",
                             max_unit_price=Decimal("60.00"))
    lot.projects.set([project])
    bid = _sealed_bid(Bid(lot=lot, institution=project.institution, status="qualified", submitted_by=signer,
                          received_at=signed - dt.timedelta(days=31)),
                      price=project.unit_price, chief_expert="周教授")
    bid.save()
    _seal_past_tender(tender, lot, bid, signer)
    return Contract.objects.create(
        lot=lot, reference=DEMO_CONTRACT, institution=project.institution, bid=bid, unit_price=project.unit_price,
        quota=project.quota, trainee_hours=project.quota * project.hours,
        amount=project.unit_price * project.quota * project.hours, signed_at=signed, signed_by=signer)


# A 10-day offline visit for a quota of 30 on ¥300,000: the per-day cap of R51 is 30 × 10 × 550 = ¥165,000 for
# lodging, meals, venue, materials, transport and other (here ¥163,000); other ≤ 3% (¥9,000).
LINES_2025 = [("teaching_staff", "85000"), ("management", "24000"), ("lodging", "68000"), ("meals", "45000"),
              ("venue", "20000"), ("materials", "12000"), ("transport", "12000"), ("other", "6000")]

# What the project really spent, line by line, a little under each line: ¥265,830, plus the institution's advance
# (¥18,000) makes ¥283,830 of ¥300,000, an execution rate of 94.6% (R56: above the 90% flag).
SPENDING_2025 = [
    ("materials", "11360", dt.date(2025, 6, 12), "研修手册及资料印制"),
    ("other", "4870", dt.date(2025, 6, 14), "学员意外保险及杂项"),
    ("management", "12000", dt.date(2025, 6, 16), "开班会务"),
    ("venue", "20000", dt.date(2025, 6, 16), "研修场地租赁"),
    ("teaching_staff", "36800", dt.date(2025, 6, 20), "专家讲座课酬（12 场）"),
    ("meals", "21960", dt.date(2025, 6, 20), "学员伙食（上半程）"),
    ("lodging", "36000", dt.date(2025, 6, 25), "学员住宿"),
    ("meals", "21960", dt.date(2025, 6, 25), "学员伙食（下半程）"),
    ("teaching_staff", "28600", dt.date(2025, 6, 25), "名校跟岗指导教师劳务"),
    ("transport", "11850", dt.date(2025, 6, 25), "跟岗学校往返大巴"),
    ("management", "6650", dt.date(2025, 6, 25), "结业典礼与成果汇报"),
    ("lodging", "30480", dt.date(2025, 7, 2), "学员住宿（离店结算）"),
    ("teaching_staff", "18800", dt.date(2025, 7, 5), "专家往返交通及住宿"),
    ("management", "4500", dt.date(2025, 7, 10), "项目管理人员差旅"),
]


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
        notes.append(f"{project.name}：预算明细 {len(LINES_2025)} 项")
    recorded = set(Expenditure.objects.filter(project=project).values_list("description", flat=True))
    spent = [row for row in SPENDING_2025 if row[3] not in recorded]
    for category, amount, day, description in spent:
        services.expenditure_record(actor=finance, project=project, category=category, amount=Decimal(amount),
                                    spent_on=day, description=description)
    if spent:
        notes.append(f"{project.name}：支出 {len(spent)} 笔")
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


# -- issue 14: this year's contracts, one statement waiting for the institution, one contract to settle ----------
def _notice_dates(lot, signed):
    """A contracted demo lot's award notice had its 公示 before the signature (R27, R28)."""
    published = signed - dt.timedelta(days=12)
    lot.notice_published_at, lot.notice_ends_at = published, published + dt.timedelta(days=1)
    lot.question_deadline = published + dt.timedelta(days=10)
    return lot


def _contract_2026(project, office, signer, number):
    """The contract the 2026 plan demo recorded on `project` (no tender workflow of this demo leads to it), written
    directly like the 2025 one, with its award notice dates. Settled on the enrolled trainees (R52's other basis):
    the training has not ended, so nobody has completed yet."""
    from tendering import sealing
    from tendering.models import Bid, Contract, Lot, LotRegion, Tender

    signed = timezone.localtime(timezone.now() - dt.timedelta(days=25)).replace(hour=10, minute=0, second=0,
                                                                               microsecond=0)
    tender = Tender.objects.create(
        reference=f"JX2026-ZB-{number:02d}", title=f"江西省2026年国培计划{project.name}承训机构遴选",
        province=project.plan.province, office=office, wrapped_key=sealing.new_wrapped_key(), status="completed",
        created_by=signer, created_at=signed - dt.timedelta(days=45), opened_at=signed - dt.timedelta(days=20))
    tender.projects.set([project])
    lot = _notice_dates(Lot(tender=tender, number=1, name="全省", budget=project.budget, status="contracted",
                            max_unit_price=Decimal("60.00")), signed)
    lot.save()
    lot.projects.set([project])
    LotRegion.objects.bulk_create([LotRegion(tender=tender, lot=lot, region=r) for r in project.regions.all()])
    bid = _sealed_bid(Bid(lot=lot, institution=project.institution, status="qualified", submitted_by=signer,
                          received_at=signed - dt.timedelta(days=21)), price=project.unit_price, chief_expert="周教授")
    bid.save()
    trainee_hours = project.quota * project.hours
    return Contract.objects.create(
        lot=lot, reference=project.contract_reference, institution=project.institution, bid=bid,
        unit_price=project.unit_price, quota=project.quota, trainee_hours=trainee_hours,
        amount=project.unit_price * trainee_hours, settlement_basis="enrolled", signed_at=signed, signed_by=signer)


def _in_training(project):
    """The project under way since mid-November has its trainees in training: teachers of its county, written
    directly like the 2025 outcomes (their selection happened before the demo's history starts)."""
    from backoffice.models import Teacher
    from projects.enrolment.models import Enrolment

    if Enrolment.objects.filter(project=project).exists():
        return 0
    # Whole-staff training (R49) enrols every teacher of the county and limits nobody: only other projects count.
    taken = Enrolment.objects.exclude(project__category="whole_staff").values("teacher_id")
    teachers = list(Teacher.objects.filter(region__code="360121", stage="junior").exclude(pk__in=taken)
                    .order_by("id_number")[:30])
    start = timezone.make_aware(dt.datetime.combine(project.start_date, dt.time(9)))
    Enrolment.objects.bulk_create([
        Enrolment(project=project, teacher=t, status="in_training", nominated_by="school",
                  submitted_at=start - dt.timedelta(days=30, minutes=-i), selected_at=start - dt.timedelta(days=20),
                  publicised_on=(start - dt.timedelta(days=18)).date(), publicity_ends_on=(start - dt.timedelta(days=11)).date(),
                  enrolled_at=start - dt.timedelta(days=10)) for i, t in enumerate(teachers)])
    return len(teachers)


@transaction.atomic
def demo_contracts_2026():
    from backoffice.models import User
    from finance import services
    from projects.models import Project
    from tendering.models import Contract, Lot

    finance = User.objects.filter(username="finance").first()
    province_user = User.objects.filter(username="province").first()
    if not (finance and province_user):
        return None
    notes = []
    # The 2025 lot was written without its notice dates: its public award notice shows them now.
    lot_2025 = Lot.objects.filter(tender__reference=DEMO_TENDER, notice_published_at__isnull=True).first()
    if lot_2025 is not None:
        signed = Contract.objects.get(lot=lot_2025).signed_at
        _notice_dates(lot_2025, signed).save(update_fields=["notice_published_at", "notice_ends_at",
                                                            "question_deadline"])
    projects = list(Project.objects.filter(plan__year=2026, plan__province__code="360000", institution__isnull=False,
                                           status__in=["contracted", "in_progress"]).exclude(contract_reference="")
                    .select_related("plan__province", "office", "institution").order_by("code"))
    for number, project in enumerate(projects, start=4):
        if Contract.objects.filter(reference=project.contract_reference).exists():
            continue
        contract = _contract_2026(project, project.office, province_user, number)
        if project.status == "in_progress":
            # Left unsettled: the finance officer's 结算 turns it into a new statement (R52).
            notes.append(f"合同 {contract.reference}：{_in_training(project)} 名学员在训，待结算")
        else:
            result = services.settlement_compute(actor=finance, contracts=[contract])
            notes.append(f"合同 {contract.reference}：已生成结算单 {result.created} 张，待承训机构确认")
    return "财务（本年度）：" + "；".join(notes) if notes else None
