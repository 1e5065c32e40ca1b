from celery import shared_task

from backoffice.models import Region


@shared_task(name="backoffice.region_count")
def region_count(prefix: str) -> int:
    """A worker health check that touches the database: how many regions lie under `prefix`."""
    return Region.objects.filter(code__startswith=prefix).count()


@shared_task(name="backoffice.sweep_jobs")
def sweep_jobs() -> dict:
    """Every few minutes (django-celery-beat, see backoffice.jobs.sweep_schedule): queue again the jobs the
    broker never received and fail the ones that ran past the timeout (issue 11 #6)."""
    from backoffice.jobs import jobs_sweep

    return jobs_sweep()


@shared_task(name="backoffice.deadline_reminders")
def deadline_reminders() -> dict:
    """Hourly by day (django-celery-beat, see backoffice.deadlines.reminder_schedule): notices and e-mails for
    deadlines falling due (R4); each sent once."""
    from backoffice.deadlines import reminders_run

    return reminders_run()
