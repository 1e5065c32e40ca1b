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


@shared_task(name="backoffice.run_export_job")
def run_export_job(job_id: int) -> str:
    """Claim the export (pending → running; a second delivery does nothing), stream it, finish the job."""
    import logging

    from django.utils import translation
    from django.utils.translation import gettext as _

    from backoffice.exceptions import DomainError
    from backoffice.exports import export_run
    from backoffice.models import ExportJob, JobStatus
    from backoffice.workflow import fire

    job = ExportJob.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None:
        return "skipped"
    try:
        fire(ExportJob, job_id, name="start", actor=job.created_by)
    except DomainError:
        return "skipped"
    job = ExportJob.objects.select_related("created_by__organisation").get(pk=job_id)
    last = {"pct": -1}

    def progress(pct):
        if pct != last["pct"]:
            last["pct"] = pct
            ExportJob.objects.filter(pk=job_id).update(progress=pct)

    with translation.override("zh-hans"):
        try:
            rows = export_run(job, progress=progress)
        except DomainError as exc:
            fire(ExportJob, job_id, name="fail", actor=job.created_by, message=exc.message)
            return JobStatus.FAILED
        except Exception:  # noqa: BLE001 - the job must end failed, never stay running
            logging.getLogger(__name__).exception("export %s stopped", job_id)
            fire(ExportJob, job_id, name="fail", actor=job.created_by,
                 message=_("The export stopped with an unexpected error. Try again or ask the administrator."))
            return JobStatus.FAILED
        fire(ExportJob, job_id, name="succeed", actor=job.created_by, file=job.file.name, rows=rows,
             message=_("%(rows)s rows written; the file is ready to download.") % {"rows": rows})
    return JobStatus.SUCCEEDED


@shared_task(name="backoffice.deadline_reminders")
def deadline_reminders() -> dict:
    """Hourly by day (django-celery-beat, see backoffice.deadlines.reminder_schedule): notices and e-mails for
    deadlines falling due (R4); each sent once."""
    from backoffice.deadlines import reminders_run

    return reminders_run()
