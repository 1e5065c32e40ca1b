"""Scheduled work: django-celery-beat runs `open_tender` at each tender's opening time (one-off clocked task)
and `open_due_tenders` as a sweeper, in case a clocked task was missed."""
from celery import shared_task
from django.utils import timezone

from backoffice.exceptions import DomainError


@shared_task
def open_tender(tender_id: int):
    from tendering.models import Tender, TenderStatus
    from tendering.services import system_actor, tender_open

    tender = Tender.objects.get(pk=tender_id)
    if tender.status in (TenderStatus.ANNOUNCED, TenderStatus.BIDDING_CLOSED) and tender.opening_at <= timezone.now():
        try:
            tender_open(actor=system_actor(), tender=tender)
        except DomainError:
            return False
        return True
    return False


@shared_task
def open_due_tenders():
    from tendering.models import Tender, TenderStatus

    due = Tender.objects.filter(status__in=[TenderStatus.ANNOUNCED, TenderStatus.BIDDING_CLOSED],
                                opening_at__lte=timezone.now()).values_list("pk", flat=True)
    return [pk for pk in due if open_tender(pk)]
