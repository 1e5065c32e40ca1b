"""R53 without a click: the nightly Celery task re-settles a province and records adjustment entries for outcome
changes after confirmation, acting as the named system user; django-celery-beat runs it at night, Beijing time."""
import pytest

from backoffice.models import AuditEvent
from finance import services
from finance.models import Adjustment
from finance.tasks import settle_province
from projects.enrolment.models import Enrolment
from tests.factories.finance import trainees

pytestmark = pytest.mark.django_db


def test_r53_nightly_task_turns_an_outcome_change_into_an_adjustment(personas, contract, project, settled):
    corrected = Enrolment.objects.filter(project=project, status="completed").first()
    Enrolment.objects.filter(pk=corrected.pk).update(status="not_completed")
    trainees(project, "360121", 3)  # late completions
    result = settle_province.delay(contract.lot.tender.province_id).get()  # eager without a broker
    assert result["adjusted"] == 1
    adjustment = Adjustment.objects.get()
    assert (adjustment.statement_id, adjustment.trainees_delta, str(adjustment.amount)) == (settled.pk, 2, "2000.00")
    assert adjustment.created_by.username == "system"
    event = AuditEvent.objects.get(object_id=str(adjustment.pk), content_type__model="adjustment")
    assert event.actor.username == "system" and event.actor_name == "系统"
    settled.refresh_from_db()
    assert (settled.trainees, str(settled.amount)) == (37, "37000.00")  # the confirmed statement is untouched
    assert settle_province(contract.lot.tender.province_id)["adjusted"] == 0  # nothing new the next night


def test_settling_schedules_the_nightly_task_with_celery_beat(personas, contract, project,
                                                             django_capture_on_commit_callbacks):
    from django_celery_beat.models import PeriodicTask

    from backoffice.celery import app

    trainees(project, "360121", 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.settlement_compute(actor=personas.finance, contracts=[contract])
    with django_capture_on_commit_callbacks(execute=True):
        services.settlement_compute(actor=personas.finance, contracts=[contract])  # still one entry
    task = PeriodicTask.objects.get(task="finance.tasks.settle_province")
    assert task.name == "finance nightly settlement 360000" and task.args == f"[{contract.lot.tender.province_id}]"
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("2", "30", "Asia/Shanghai")
    assert task.enabled and not task.one_off
    app.loader.import_default_modules()
    assert "finance.tasks.settle_province" in app.tasks


def test_nightly_task_for_a_province_without_contracts_does_nothing(regions):
    from backoffice.models import Region

    assert settle_province(Region.objects.get(code="410000").pk) == {}
    assert settle_province(0) == {}
