"""Budget caps (R51), commitments, invoices (R55), tranches by grade (R54), execution (R56)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.config import setting_set
from backoffice.exceptions import DomainError
from finance import selectors, services
from finance.models import Payment, StatementStatus
from projects.evaluation.sources import indicator_source
from projects.models import Project
from tests.factories import ProjectFactory
from tests.factories.finance import contract_for, trainees

pytestmark = pytest.mark.django_db


@pytest.fixture
def offline_project():
    """R51 worked example: 50 trainees, 35 days of offline training."""
    return ProjectFactory(quota=50, start_date=dt.date(2026, 7, 1), end_date=dt.date(2026, 8, 4),
                          budget=Decimal("2000000.00"), mode="offline")


def line(personas, project, category, amount):
    return services.budget_line_set(actor=personas.finance, project=project, category=category, amount=Decimal(amount))


def test_r51_offline_cap_worked_example_921250_one_yuan_more_refused(personas, offline_project):
    assert offline_project.days == 35
    line(personas, offline_project, "lodging", "500000")
    line(personas, offline_project, "meals", "300000")
    line(personas, offline_project, "materials", "60000")
    line(personas, offline_project, "venue", "61250")  # 921,250 exactly: allowed
    with pytest.raises(DomainError) as exc:
        line(personas, offline_project, "venue", "61251")
    assert exc.value.code == "r51_offline_cap"
    assert "¥921,250.00" in exc.value.message
    # Lecture fees and teaching staff sit outside the cap.
    line(personas, offline_project, "teaching_staff", "200000")


def test_r51_offline_cap_follows_the_changed_daily_standard(personas, offline_project):
    setting_set(key="finance.offline_daily_standard", value="500", actor=personas.province)
    # 50 × (30 × 500 + 5 × 0.7 × 500) = 837,500
    line(personas, offline_project, "lodging", "837500")
    with pytest.raises(DomainError) as exc:
        line(personas, offline_project, "meals", "0.01")
    assert exc.value.code == "r51_offline_cap"


def test_r51_other_at_most_3_percent_of_the_budget(personas, offline_project):
    line(personas, offline_project, "other", "60000")  # 3% of 2,000,000
    with pytest.raises(DomainError) as exc:
        line(personas, offline_project, "other", "60000.01")
    assert exc.value.code == "r51_other_cap"
    setting_set(key="finance.other_cap_ratio", value="0.05", actor=personas.province)
    line(personas, offline_project, "other", "100000")


def test_r51_lines_never_exceed_the_project_budget_and_auditors_cannot_set_them(personas, offline_project):
    with pytest.raises(DomainError) as exc:
        line(personas, offline_project, "teaching_staff", "2000000.01")
    assert exc.value.code == "budget_over_allocation"
    with pytest.raises(DomainError) as exc:
        services.budget_line_set(actor=personas.auditor, project=offline_project, category="venue", amount=Decimal(1))
    assert exc.value.code == "forbidden"


def test_r51_online_project_has_no_offline_costs(personas):
    online = ProjectFactory(mode="online", budget=Decimal("100000"))
    line(personas, online, "platform", "30000")
    with pytest.raises(DomainError) as exc:
        line(personas, online, "lodging", "1")
    assert exc.value.code == "r51_offline_category_online"


def test_r51_lecture_fee_caps_per_hour_and_per_half_day(personas, offline_project):
    line(personas, offline_project, "teaching_staff", "50000")
    fee = services.lecture_fee_add(actor=personas.finance, project=offline_project, lecturer="王教授", level="full",
                                   hours=4, half_days=1, rate=Decimal("1000"))
    assert fee.amount == Decimal("4000.00")
    cases = [("associate", 4, 1, "500.01", "r51_lecture_rate"), ("full", 4, 1, "1000.01", "r51_lecture_rate"),
             ("academician", 4, 1, "1500.01", "r51_lecture_rate"), ("associate", 5, 1, "400", "r51_lecture_hours")]
    for level, hours, half_days, rate, code in cases:
        with pytest.raises(DomainError) as exc:
            services.lecture_fee_add(actor=personas.finance, project=offline_project, lecturer="李", level=level,
                                     hours=hours, half_days=half_days, rate=Decimal(rate))
        assert exc.value.code == code
    services.lecture_fee_add(actor=personas.finance, project=offline_project, lecturer="院士", level="academician",
                             hours=8, half_days=2, rate=Decimal("1500"))
    setting_set(key="finance.lecture_rate_associate", value="600", actor=personas.province)
    services.lecture_fee_add(actor=personas.finance, project=offline_project, lecturer="赵", level="associate",
                             hours=2, half_days=1, rate=Decimal("600"))


def test_commitment_from_contract_and_over_budget_refused(personas, orgs):
    contract = contract_for(institution=orgs.institution, unit_price="100", hours=80, quota=50, budget="400000")
    [commitment] = services.commitment_from_contract(actor=personas.finance, contract=contract)
    assert commitment.amount == Decimal("400000.00")  # 100 × 80 × 50, exactly the budget
    services.commitment_from_contract(actor=personas.finance, contract=contract)  # idempotent
    over = contract_for(institution=orgs.institution, unit_price="100.01", hours=80, quota=50, budget="400000")
    with pytest.raises(DomainError) as exc:
        services.commitment_from_contract(actor=personas.finance, contract=over)
    assert exc.value.code == "commitment_over_budget"
    assert not over.commitments.exists()


# -- invoices (R55) -----------------------------------------------------------------------------------------
def test_r55_invoice_unique_per_institution_and_within_due(personas, orgs, contract, settled):
    county = settled.county
    services.invoice_upload(actor=personas.institution, contract=contract, county=county, number="No.001",
                            amount=Decimal("20000"), issued_on=dt.date(2026, 7, 20))
    with pytest.raises(DomainError) as exc:
        services.invoice_upload(actor=personas.institution, contract=contract, county=county, number="No.001",
                                amount=Decimal("100"), issued_on=dt.date(2026, 7, 20))
    assert exc.value.code == "r55_duplicate_invoice"
    with pytest.raises(DomainError) as exc:
        services.invoice_upload(actor=personas.institution, contract=contract, county=county, number="No.002",
                                amount=Decimal("17000.01"), issued_on=dt.date(2026, 7, 20))
    assert exc.value.code == "r55_invoice_exceeds_due"
    services.invoice_upload(actor=personas.institution, contract=contract, county=county, number="No.002",
                            amount=Decimal("17000"), issued_on=dt.date(2026, 7, 20))
    # Another institution may use the same number for its own contract; nobody invoices someone else's contract.
    other = contract_for(institution=orgs.other_institution)
    trainees(other.lot.projects.get(), "360121", 1)
    services.settlement_compute(actor=personas.finance, contracts=[other])
    statement = other.statements.get()
    services.settlement_confirm(actor=personas.other_institution, statement=statement)
    services.invoice_upload(actor=personas.other_institution, contract=other, county=county, number="No.001",
                            amount=Decimal("1000"), issued_on=dt.date(2026, 7, 20))
    with pytest.raises(DomainError) as exc:
        services.invoice_upload(actor=personas.institution, contract=other, county=county, number="X",
                                amount=Decimal("1"), issued_on=dt.date(2026, 7, 20))
    assert exc.value.code == "forbidden"


def test_r55_draft_statements_are_not_yet_invoiceable(personas, contract, project):
    trainees(project, "360121", 5)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    with pytest.raises(DomainError) as exc:
        services.invoice_upload(actor=personas.institution, contract=contract, county=contract.statements.get().county,
                                number="A1", amount=Decimal("1"), issued_on=dt.date(2026, 7, 20))
    assert exc.value.code == "r55_invoice_exceeds_due"


# -- payments (R54) -----------------------------------------------------------------------------------------
def pay(personas, target, tranche, amount):
    """Pay a tranche: `target` is a statement (interim, final) or a contract (advance)."""
    from finance.models import SettlementStatement

    if isinstance(target, SettlementStatement):
        return services.payment_record(actor=personas.finance, contract=target.contract, statement=target,
                                       tranche=tranche, amount=Decimal(amount), paid_on=dt.date(2026, 8, 1))
    return services.payment_record(actor=personas.finance, contract=target, tranche=tranche, amount=Decimal(amount),
                                   paid_on=dt.date(2026, 6, 1))


def grade(project, value):
    Project.objects.filter(pk=project.pk).update(grade=value, status="evaluated")


def test_r54_advance_before_any_statement_up_to_30_percent_of_the_contract_amount(personas, contract):
    assert contract.amount == Decimal("50000.00") and not contract.statements.exists()
    with pytest.raises(DomainError) as exc:
        pay(personas, contract, "advance", "15000.01")
    assert exc.value.code == "r54_advance_cap"
    pay(personas, contract, "advance", "10000")
    with pytest.raises(DomainError) as exc:
        pay(personas, contract, "advance", "5000.01")  # the cap is over every advance together
    assert exc.value.code == "r54_advance_cap"
    payment = pay(personas, contract, "advance", "5000")  # 30% of 50,000 in all
    assert (payment.contract_id, payment.statement_id) == (contract.pk, None)
    setting_set(key="finance.advance_max_ratio", value="0.20", actor=personas.province)
    assert selectors.contract_payment_limits(contract)["advance"] == Decimal("0")


def test_r54_advance_cap_is_a_setting(personas, contract):
    setting_set(key="finance.advance_max_ratio", value="0.20", actor=personas.province)
    with pytest.raises(DomainError) as exc:
        pay(personas, contract, "advance", "10000.01")
    assert exc.value.code == "r54_advance_cap"
    pay(personas, contract, "advance", "10000")


def test_r54_advance_only_once_the_contract_is_signed_and_never_on_a_statement(personas, contract, settled):
    from tendering.models import Contract

    with pytest.raises(DomainError) as exc:
        services.payment_record(actor=personas.finance, contract=contract, statement=settled, tranche="advance",
                                amount=Decimal("1"), paid_on=dt.date(2026, 6, 1))
    assert exc.value.code == "r54_advance_on_contract"
    Contract.objects.filter(pk=contract.pk).update(signed_at=dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc))
    contract.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        pay(personas, contract, "advance", "1")
    assert exc.value.code == "r54_contract_not_signed"


def test_r54_interim_refused_before_approval(personas, contract, project):
    trainees(project, "360121", 5)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = contract.statements.get()
    with pytest.raises(DomainError) as exc:
        pay(personas, statement, "interim", "1")
    assert exc.value.code == "statement_not_approved"
    services.settlement_confirm(actor=personas.institution, statement=statement)
    with pytest.raises(DomainError) as exc:
        pay(personas, statement, "interim", "1")
    assert exc.value.code == "statement_not_approved"
    with pytest.raises(DomainError) as exc:
        services.payment_record(actor=personas.finance, contract=contract, tranche="interim", amount=Decimal("1"),
                                paid_on=dt.date(2026, 8, 1))
    assert exc.value.code == "statement_required"


def test_r54_interim_sets_off_the_advance_against_what_is_settled(personas, contract, settled):
    pay(personas, contract, "advance", "11100")
    # advance + interim ≤ 70% of the approved due (37,000): 25,900 − 11,100 = 14,800
    assert selectors.payment_limits(settled)["interim"] == Decimal("14800.00")
    with pytest.raises(DomainError) as exc:
        pay(personas, settled, "interim", "14800.01")
    assert exc.value.code == "r54_interim_cap"
    pay(personas, settled, "interim", "14800")


def test_r54_final_tranche_waits_for_the_evaluation(personas, settled):
    pay(personas, settled, "interim", "25900")  # up to 70%: 30% is held for the final tranche
    with pytest.raises(DomainError) as exc:
        pay(personas, settled, "interim", "0.01")
    assert exc.value.code == "r54_interim_cap"
    with pytest.raises(DomainError) as exc:
        pay(personas, settled, "final", "100")
    assert exc.value.code == "r54_not_evaluated"


@pytest.mark.parametrize("value, released", [("excellent", "11100.00"), ("good", "11100.00"), ("pass", "9990.00"),
                                             ("fail", "0")])
def test_r54_final_tranche_released_by_grade(personas, contract, settled, project, value, released):
    pay(personas, contract, "advance", "11100")
    pay(personas, settled, "interim", "14800")
    grade(project, value)
    limits = selectors.payment_limits(settled)
    assert limits["final"] == Decimal(released)
    if value == "fail":
        with pytest.raises(DomainError) as exc:
            pay(personas, settled, "final", "0.01")
        assert exc.value.code == "r54_final_withheld"
        return
    with pytest.raises(DomainError) as exc:
        pay(personas, settled, "final", str(Decimal(released) + Decimal("0.01")))
    assert exc.value.code == "r54_final_cap"
    pay(personas, settled, "final", released)
    settled.refresh_from_db()
    assert settled.status == StatementStatus.PAID
    assert selectors.contract_payment_limits(contract)["paid"] == Decimal("25900") + Decimal(released)


def test_r54_release_share_is_a_setting(personas, settled, project):
    pay(personas, settled, "interim", "25900")
    grade(project, "pass")
    setting_set(key="finance.final_release_pass", value="0.80", actor=personas.province)
    assert selectors.payment_limits(settled)["final"] == Decimal("8880.00")


def test_r54_never_more_than_the_grade_makes_payable_when_the_advance_exceeds_the_due(personas, contract, project):
    from finance.selectors import reconciliation_rows

    pay(personas, contract, "advance", "15000")  # before training: 30% of 50,000
    trainees(project, "360121", 10)  # only 10 complete: 10,000 due
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = contract.statements.get()
    services.settlement_confirm(actor=personas.institution, statement=statement)
    statement = services.settlement_approve(actor=personas.finance, statement=statement)
    grade(project, "excellent")
    limits = selectors.payment_limits(statement)
    assert (limits["interim"], limits["final"], limits["advance"]) == (Decimal("0"), Decimal("0"), Decimal("0"))
    for tranche in ("interim", "final"):
        with pytest.raises(DomainError):
            pay(personas, statement, tranche, "0.01")
    with pytest.raises(DomainError):
        pay(personas, contract, "advance", "0.01")
    # The reconciliation sets 10,000 of the advance off against the county and flags the 5,000 left as overpaid.
    county_row, advance_row = reconciliation_rows(user=personas.finance)
    assert (county_row.due, county_row.paid, county_row.advance_set_off) == (
        Decimal("10000.00"), Decimal("10000.00"), Decimal("10000.00"))
    assert advance_row.county is None and advance_row.paid == Decimal("5000.00")
    assert "overpayment" in {c for c, _t in advance_row.flags}


def test_payments_are_audited_and_kept_in_history(personas, contract, settled):
    from backoffice.models import AuditEvent

    payment = pay(personas, contract, "advance", "1000")
    event = AuditEvent.objects.get(object_id=str(payment.pk), action="create", content_type__model="payment")
    assert event.region_code == "360000"
    assert Payment.history.count() == 1
    with pytest.raises(DomainError):
        services.payment_record(actor=personas.auditor, contract=contract, tranche="advance",
                                amount=Decimal("1"), paid_on=dt.date(2026, 8, 1))


def test_r54_database_keeps_the_advance_on_the_contract(personas, contract, settled):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(contract=contract, statement=settled, tranche="advance", amount=Decimal("1"),
                               paid_on=dt.date(2026, 8, 1), recorded_by=personas.finance)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(contract=contract, tranche="interim", amount=Decimal("1"),
                               paid_on=dt.date(2026, 8, 1), recorded_by=personas.finance)


# -- execution (R56) and the evaluation indicator ------------------------------------------------------------
def test_r56_execution_rate_is_spent_over_allocated_and_flagged_after_the_end(personas, settled, project):
    from finance.selectors import execution_rows

    pay(personas, settled, "interim", "25900")
    services.expenditure_record(actor=personas.finance, project=project, category="management",
                                amount=Decimal("100"), spent_on=dt.date(2026, 7, 5), description="会务")
    [row] = [r for r in execution_rows(user=personas.finance) if r.project.pk == project.pk]
    assert row.spent == Decimal("26000.00")
    assert row.rate == Decimal("26000") / Decimal("500000")
    assert row.flagged  # the project ended in July 2026 at 5.2% < 90%
    setting_set(key="finance.execution_flag_below", value="0.05", actor=personas.province)
    [row] = [r for r in execution_rows(user=personas.finance) if r.project.pk == project.pk]
    assert not row.flagged
    Project.objects.filter(pk=project.pk).update(end_date=dt.date(2099, 1, 1), start_date=dt.date(2098, 1, 1))
    setting_set(key="finance.execution_flag_below", value="0.90", actor=personas.province)
    [row] = [r for r in execution_rows(user=personas.finance) if r.project.pk == project.pk]
    assert not row.flagged  # not ended yet


def test_r63_budget_execution_indicator_source_is_set_based(personas, settled, project, orgs,
                                                            django_assert_max_num_queries):
    pay(personas, settled.contract, "advance", "10000")
    other = ProjectFactory(plan=project.plan, budget=Decimal("0"))
    source = indicator_source("budget_execution_rate")
    with django_assert_max_num_queries(2):
        rates = source([project.pk, other.pk])
    assert rates == {project.pk: Decimal("10000") / Decimal("500000")}


def test_r54_paying_the_final_first_never_lets_the_total_exceed_the_due(personas, contract, settled, project):
    grade(project, "excellent")
    pay(personas, contract, "advance", "11100")
    pay(personas, settled, "final", "11100")  # the final tranche is 30% of the due
    assert selectors.payment_limits(settled)["interim"] == Decimal("14800.00")
    with pytest.raises(DomainError):
        pay(personas, settled, "interim", "14800.01")
    pay(personas, settled, "interim", "14800")
    settled.refresh_from_db()
    assert settled.status == StatementStatus.PAID
    assert sum(p.amount for p in contract.payments.all()) == Decimal("37000.00")
    for tranche in ("interim", "final"):
        with pytest.raises(DomainError):
            pay(personas, settled, tranche, "0.01")
    with pytest.raises(DomainError):
        pay(personas, contract, "advance", "0.01")


def test_r54_fail_grade_settles_the_statement_without_a_final_tranche(personas, settled, project):
    grade(project, "fail")
    pay(personas, settled, "interim", "25900")
    settled.refresh_from_db()
    assert settled.status == StatementStatus.PAID


def test_r56_advance_counts_as_spent_on_the_contracts_projects_by_trainee_hours(personas, orgs):
    from finance.selectors import execution_rows

    a = ProjectFactory(hours=80, quota=30, budget=Decimal("100000"))
    b = ProjectFactory(plan=a.plan, hours=40, quota=20, budget=Decimal("100000"))
    contract = contract_for(institution=orgs.institution, unit_price="10", projects=[a, b])
    pay(personas, contract, "advance", "8000")  # 2,400 of 3,200 trainee-hours on a, 800 on b
    spent = {r.project.pk: r.spent for r in execution_rows(user=personas.finance)}
    assert (spent[a.pk], spent[b.pk]) == (Decimal("6000"), Decimal("2000"))


def test_r54_payment_limits_read_the_grades_of_all_projects_at_once(personas, orgs):
    """Issue 10: the limits are one selector whose queries do not grow with the contract's projects."""
    plan = ProjectFactory().plan

    def approved_contract(n_projects):
        projects = [ProjectFactory(plan=plan, hours=80, quota=50, budget=Decimal("500000")) for _ in range(n_projects)]
        contract = contract_for(institution=orgs.institution, projects=projects)
        for project in projects:
            trainees(project, "360121", 3)
        services.settlement_compute(actor=personas.finance, contracts=[contract])
        for statement in contract.statements.all():
            services.settlement_confirm(actor=personas.institution, statement=statement)
            services.settlement_approve(actor=personas.finance, statement=statement)
        return contract

    small, large = approved_contract(1), approved_contract(3)
    counts = []
    for contract in (small, large):
        contract = type(contract).objects.select_related("lot__tender__province").get(pk=contract.pk)
        with CaptureQueriesContext(connection) as captured:
            limits = selectors.contract_payment_limits(contract)
        counts.append(len(captured.captured_queries))
    assert len(limits["statements"]) == 3
    assert counts[1] == counts[0]
