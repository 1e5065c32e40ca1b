"""Settlement arithmetic and the statement life cycle (R50, R52, R53, R57)."""
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from finance import calculations, selectors, services
from finance.models import Adjustment, SettlementStatement, StatementStatus
from projects.enrolment.models import Enrolment
from tendering.services import contract_set_settlement_basis
from tests.factories.finance import contract_for, trainees

pytestmark = pytest.mark.django_db


def test_r52_worked_example_12_50_x_80_x_37(personas, contract, project):
    trainees(project, "360121", 37)
    trainees(project, "360121", 3, status="not_completed")
    trainees(project, "360121", 2, status="no_show")
    result = services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = SettlementStatement.objects.get()
    assert result.created == 1
    assert statement.trainees == 37
    assert statement.amount == Decimal("37000.00")
    assert (statement.county.code, statement.school_year, statement.status) == ("360121", 2025, "draft")
    assert calculations.amount_due(unit_price=Decimal("12.50"), hours=80, trainees=37) == Decimal("37000.00")


def test_r52_settles_each_county_from_its_own_completed_trainees(personas, contract, project):
    trainees(project, "360121", 10)
    trainees(project, "360112", 4)
    trainees(project, "360112", 5, status="dismissed")
    services.settlement_compute(actor=personas.finance)
    amounts = dict(SettlementStatement.objects.values_list("county__code", "amount"))
    assert amounts == {"360121": Decimal("10000.00"), "360112": Decimal("4000.00")}


def test_r52_enrolled_basis_on_the_contract_counts_every_enrolled_trainee(personas, contract, project):
    trainees(project, "360121", 30)
    trainees(project, "360121", 5, status="not_completed")
    trainees(project, "360121", 2, status="no_show")
    trainees(project, "360121", 4, status="withdrawn")
    contract_set_settlement_basis(actor=personas.province, contract=contract, basis="enrolled")
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = SettlementStatement.objects.get()
    assert (statement.basis, statement.trainees, statement.amount) == ("enrolled", 37, Decimal("37000.00"))


def test_r52_completed_basis_is_the_contracts_default(personas, contract, project):
    assert contract.settlement_basis == "completed"
    trainees(project, "360121", 30)
    trainees(project, "360121", 5, status="not_completed")
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = SettlementStatement.objects.get()
    assert (statement.basis, statement.trainees, statement.amount) == ("completed", 30, Decimal("30000.00"))


def test_r52_a_draft_follows_a_changed_basis(personas, contract, project):
    trainees(project, "360121", 30)
    trainees(project, "360121", 5, status="not_completed")
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    contract_set_settlement_basis(actor=personas.office, contract=contract, basis="enrolled")
    contract.refresh_from_db()
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = SettlementStatement.objects.get()
    assert (statement.status, statement.basis, statement.trainees) == ("draft", "enrolled", 35)


def test_r53_basis_cannot_change_once_a_statement_is_confirmed(personas, contract, project, settled):
    with pytest.raises(DomainError) as exc:
        contract_set_settlement_basis(actor=personas.province, contract=contract, basis="enrolled")
    assert exc.value.code == "r53_basis_locked"
    assert exc.value.message  # a translated, readable refusal
    contract.refresh_from_db()
    assert contract.settlement_basis == "completed"
    # Even if the basis were changed behind the service's back, a confirmed statement keeps its own basis:
    # settling again produces no adjustment from the non-completed trainees.
    trainees(project, "360121", 3, status="not_completed")
    type(contract).objects.filter(pk=contract.pk).update(settlement_basis="enrolled")
    assert services.settlement_compute(actor=personas.finance, contracts=[contract]).adjusted == 0


def test_r53_draft_is_recomputed_in_place(personas, contract, project):
    trainees(project, "360121", 10)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    trainees(project, "360121", 2)
    result = services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = SettlementStatement.objects.get()
    assert (result.updated, statement.trainees, statement.amount) == (1, 12, Decimal("12000.00"))
    assert not Adjustment.objects.exists()


def test_r53_confirmed_statement_is_never_edited(personas, settled):
    with pytest.raises(DomainError) as exc:
        services.statement_edit(actor=personas.finance, statement=settled, trainees=40)
    assert exc.value.code == "r53_statement_locked"
    settled.refresh_from_db()
    assert settled.trainees == 37


def test_r53_outcome_corrected_after_confirmation_makes_an_adjustment(personas, contract, project, settled):
    # One completed trainee is corrected to not completed, one late trainee completes.
    corrected = Enrolment.objects.filter(project=project, status="completed").first()
    Enrolment.objects.filter(pk=corrected.pk).update(status="not_completed")
    trainees(project, "360121", 2)
    result = services.settlement_compute(actor=personas.finance, contracts=[contract])
    settled.refresh_from_db()
    assert (settled.trainees, settled.amount, settled.status) == (37, Decimal("37000.00"), "approved")
    adjustment = Adjustment.objects.get()
    assert adjustment.statement_id == settled.pk
    assert (adjustment.trainees_delta, adjustment.amount) == (1, Decimal("1000.00"))
    assert result.adjusted == 1
    assert selectors.statement_due(settled) == Decimal("38000.00")
    # Settling again finds nothing new.
    assert services.settlement_compute(actor=personas.finance, contracts=[contract]).adjusted == 0
    assert Adjustment.objects.count() == 1


def test_r53_hand_adjustment_references_the_statement(personas, settled):
    adj = services.adjustment_add(actor=personas.finance, statement=settled, trainees_delta=-1,
                                  reason="学员身份重复")
    assert (adj.statement_id, adj.amount) == (settled.pk, Decimal("-1000.00"))


def test_statement_transitions_by_role(personas, contract, project):
    trainees(project, "360121", 5)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = SettlementStatement.objects.get()
    for user, name in ((personas.other_institution, "confirm"), (personas.finance, "confirm"),
                       (personas.institution, "approve")):
        with pytest.raises(DomainError) as exc:
            getattr(services, f"settlement_{name}")(actor=user, statement=statement)
        assert exc.value.code in ("transition_forbidden", "transition_not_allowed")
    services.settlement_confirm(actor=personas.institution, statement=statement)
    for user in (personas.auditor, personas.institution, personas.province):
        with pytest.raises(DomainError) as exc:
            services.settlement_approve(actor=user, statement=statement)
        assert exc.value.code == "transition_forbidden"
    statement = services.settlement_approve(actor=personas.finance, statement=statement)
    assert statement.status == StatementStatus.APPROVED
    moves = list(AuditEvent.objects.filter(object_id=str(statement.pk), action="transition")
                 .values_list("from_state", "to_state"))
    assert moves == [("confirmed", "approved"), ("draft", "confirmed")]


def test_settlement_is_audited_and_refused_to_other_roles(personas, contract, project):
    trainees(project, "360121", 5)
    for user in (personas.auditor, personas.institution, personas.county):
        with pytest.raises(DomainError):
            services.settlement_compute(actor=user, contracts=[contract])
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = SettlementStatement.objects.get()
    event = AuditEvent.objects.get(object_id=str(statement.pk), action="create")
    assert event.changes["amount"] == [None, "5000.00"]
    assert event.region_code == "360121"
    assert statement.history.count() == 1


def test_settlement_runs_in_a_constant_number_of_queries(personas, orgs, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def settle_world(n):
        contracts = []
        for i in range(n):
            c = contract_for(institution=orgs.institution)
            p = c.lot.projects.get()
            trainees(p, "360121", 3)
            trainees(p, "360112", 2)
            contracts.append(c)
        with CaptureQueriesContext(connection) as ctx:
            services.settlement_compute(actor=personas.finance, contracts=contracts)
        return len(ctx.captured_queries)

    small = settle_world(2)
    assert settle_world(8) == small


def test_r50_no_fee_line_has_a_teacher_as_payer(personas, settled, project):
    with pytest.raises(DomainError) as exc:
        services.budget_line_set(actor=personas.finance, project=project, category="venue",
                                 amount=Decimal("100"), payer="teacher")
    assert exc.value.code == "r50_teacher_payer"
    with pytest.raises(DomainError) as exc:
        services.payment_record(actor=personas.finance, contract=settled.contract, tranche="advance",
                                amount=Decimal("100"), paid_on="2026-07-01", payer="teacher")
    assert exc.value.code == "r50_teacher_payer"
    # The database refuses it too, whatever path a row takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementStatement.objects.filter(pk=settled.pk).update(payer="teacher")


def test_r57_money_is_rounded_half_up_only_where_stored():
    assert calculations.money(Decimal("0.125")) == Decimal("0.13")
    assert calculations.money(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert calculations.amount_due(unit_price=Decimal("12.345"), hours=3, trainees=1) == Decimal("37.04")
    # In between nothing is rounded: 10 ÷ 3 stays exact enough to multiply back.
    rate = calculations.execution_rate(spent=Decimal("10"), allocated=Decimal("30"))
    assert rate * 30 != Decimal("9.99") and calculations.money(rate * 30) == Decimal("10.00")


def test_r49_credited_basis_pays_per_county_for_trainees_whose_hours_were_audited(personas, contract, project):
    """R49 / R52: the third basis counts the trainees credited with audited hours, county by county."""
    from projects.enrolment.models import CreditRecord

    done = trainees(project, "360121", 10)
    trainees(project, "360121", 3, status="not_completed")
    other = trainees(project, "360112", 4)
    for i, e in enumerate(done + other):
        # 7 of 南昌县's completions and all of 新建区's are audited; 3 await the audit (R41).
        CreditRecord.objects.create(enrolment=e, hours=80, year=2026,
                                    status="registered" if i in (0, 1, 2) else "approved")
    contract_set_settlement_basis(actor=personas.province, contract=contract, basis="credited")
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    rows = {s.county.code: (s.basis, s.trainees, s.amount) for s in SettlementStatement.objects.all()}
    assert rows == {"360121": ("credited", 7, Decimal("7000.00")), "360112": ("credited", 4, Decimal("4000.00"))}
