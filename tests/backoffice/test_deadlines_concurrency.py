"""R4 on PostgreSQL: two reminder runs at once (two beat deliveries, a manual run) still send each reminder once."""

import pytest
from django.core import mail
from django.db import connection

from backoffice.deadlines import Calendar, reminders_run, todo_for
from backoffice.models import Notice
from tests.concurrency import race
from tests.deadline_checks import at_nine
from tests.factories.finance import contract_for, trainees

pytestmark = pytest.mark.django_db(transaction=True)


def test_r4_parallel_reminder_runs_send_each_reminder_once(regions, personas, orgs, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers")
    from finance import services

    for _ in range(3):
        contract = contract_for(institution=orgs.institution)
        trainees(contract.lot.projects.get(), "360121", 2)
        services.settlement_compute(actor=personas.finance, contracts=[contract])
    personas.institution.email = "inst@example.gov.cn"
    personas.institution.save()
    due_day = todo_for(user=personas.institution)[0].due_date
    when = at_nine(Calendar().working_days_before(due_day, 1))
    mail.outbox.clear()
    _done, refused, errors = race([lambda: reminders_run(now=when)] * 4)
    assert errors == [] and refused == []
    assert Notice.objects.filter(user=personas.institution, stage="before").count() == 3
    assert len(mail.outbox) == 3 and Notice.objects.filter(emailed_at__isnull=True).count() == 0
