"""Scheduled work: django-celery-beat runs `settle_province` every night (02:30 Asia/Shanghai) for each province
whose contracts finance settles, so trainee outcomes corrected after settlement become R53 adjustment entries
without anyone pressing "Settle". The beat entry is written by `finance.services.settlement_schedule_nightly`,
when a province is first settled (the way tendering schedules a tender's opening when it is announced).

The task acts as the named system user of tendering's scheduled opening (`tendering.services.system_actor`,
shown as 系统 in the audit trail and on the adjustment entries), so every change stays attributable (R3)."""
from celery import shared_task


@shared_task
def settle_province(province_id: int) -> dict:
    from backoffice.models import Region
    from finance.services import settlement_compute
    from tendering.models import Contract
    from tendering.services import system_actor

    province = Region.objects.filter(pk=province_id).first()
    if province is None:
        return {}
    contracts = list(Contract.objects.filter(lot__tender__province=province).values_list("pk", flat=True))
    if not contracts:
        return {}
    result = settlement_compute(actor=system_actor(), contracts=contracts)
    return {"created": result.created, "updated": result.updated, "adjusted": result.adjusted,
            "unchanged": result.unchanged}
