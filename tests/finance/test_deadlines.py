"""R4 deadline of finance: the institution confirms a settlement statement (R53)."""
import datetime as dt

from django.utils import timezone

from backoffice.config import setting_set
from finance import services
from tests.deadline_checks import check_reminders_and_overdue, todo_item
from tests.factories import region
from tests.factories.finance import trainees


def test_r4_r53_statement_confirmation_is_reminded_and_gone_once_confirmed(personas, contract, project):
    trainees(project, "360121", 37)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    statement = contract.statements.get()
    item = check_reminders_and_overdue(kind="finance.statement_confirm", actor=personas.institution,
                                       province=personas.province, outsider=personas.henan_province,
                                       bystander=personas.other_institution)
    assert item.subject.startswith(contract.reference)
    services.settlement_confirm(actor=personas.institution, statement=statement)
    assert todo_item(personas.institution, "finance.statement_confirm") is None


def test_r4_r53_confirmation_days_is_a_setting(personas, contract, project):
    trainees(project, "360121", 3)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    computed = timezone.localtime(contract.statements.get().computed_at)
    default_due = todo_item(personas.institution, "finance.statement_confirm").due_at
    setting_set(key="deadlines.statement_confirm_working_days", value=2, actor=personas.province,
                province=region("360000"))
    changed = todo_item(personas.institution, "finance.statement_confirm").due_at
    assert changed < default_due and changed - computed <= dt.timedelta(days=4)
