from celery import shared_task

from backoffice.models import Region


@shared_task(name="backoffice.region_count")
def region_count(prefix: str) -> int:
    """A worker health check that touches the database: how many regions lie under `prefix`."""
    return Region.objects.filter(code__startswith=prefix).count()
