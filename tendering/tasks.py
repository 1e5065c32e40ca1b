"""Scheduled work: django-celery-beat runs `open_tender` at each tender's opening time (one-off clocked task)
and `open_due_tenders` as a sweeper, in case a clocked task was missed."""
import logging

from celery import shared_task
from django.utils import timezone

from backoffice.exceptions import DomainError

logger = logging.getLogger(__name__)


@shared_task
def open_tender(tender_id: int):
    """True when the tender opened. A refusal is logged, never swallowed: an unseal failure is an error (the
    service has raised the opening alert and left the tender unopened, R23); once the cause is fixed the office
    opens the tender from its page (or the sweeper does, where it is scheduled)."""
    from tendering.models import Tender, TenderStatus
    from tendering.sealing import UnreadableBid
    from tendering.services import system_actor, tender_open

    tender = Tender.objects.get(pk=tender_id)
    if tender.status in (TenderStatus.ANNOUNCED, TenderStatus.BIDDING_CLOSED) and tender.opening_at <= timezone.now():
        try:
            tender_open(actor=system_actor(), tender=tender)
        except UnreadableBid as exc:
            logger.error("Tender %s not opened: a bid cannot be unsealed [%s] %s", tender.reference, exc.code,
                         exc.message)
            return False
        except DomainError as exc:
            logger.warning("Tender %s not opened: [%s] %s", tender.reference, exc.code, exc.message)
            return False
        return True
    return False


@shared_task
def open_due_tenders():
    from tendering.models import Tender, TenderStatus

    due = Tender.objects.filter(status__in=[TenderStatus.ANNOUNCED, TenderStatus.BIDDING_CLOSED],
                                opening_at__lte=timezone.now()).values_list("pk", flat=True)
    return [pk for pk in due if open_tender(pk)]


OPENING_CATCHUP_NAME = "open tenders whose opening time has passed (R23)"


def opening_catchup_schedule(*, interval_model=None, task_model=None) -> None:
    """R4/R23: the beat entry of `open_due_tenders` every 5 minutes, so an opening whose clocked task was missed (beat
    down, broker outage) still happens; idempotent (the migration calls it with its historical models)."""
    if interval_model is None:
        from django_celery_beat.models import IntervalSchedule as interval_model
        from django_celery_beat.models import PeriodicTask as task_model
    every, _created = interval_model.objects.get_or_create(every=5, period="minutes")
    task_model.objects.update_or_create(name=OPENING_CATCHUP_NAME, defaults={
        "task": "tendering.tasks.open_due_tenders", "interval": every, "enabled": True})
