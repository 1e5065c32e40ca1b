"""Background jobs that survive a broker outage (issue 11 #6).

A job row is queued only after the transaction that created it commits. When the broker cannot be reached
the job stays pending with a Chinese message instead of answering a 500, and `jobs_sweep` (a Celery beat task,
every few minutes) queues it again once it has waited longer than a setting; a job still running after the
timeout setting is failed with a message. Workers claim a job by moving it from pending to running, so a
message delivered twice, or a re-run of a finished job, does nothing."""
import logging
from datetime import timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import KombuError

from backoffice.audit import Entry, audit_record_many, audit_region_code
from backoffice.models.recorded import audit_region_paths
from backoffice.config import get_setting, register_setting
from backoffice.models import Job, JobStatus

logger = logging.getLogger(__name__)

REQUEUE_AFTER = "jobs.requeue_after_minutes"
RUNNING_TIMEOUT = "jobs.running_timeout_minutes"
register_setting(REQUEUE_AFTER, default=10,
                 label=gettext_lazy("Background jobs: queue a job again when it has waited this long (minutes)"))
register_setting(RUNNING_TIMEOUT, default=60,
                 label=gettext_lazy("Background jobs: fail a job still running after this long (minutes)"))


def queue_down_message() -> str:
    return _("The job is saved and will start when the background service is available again; this page shows "
             "its progress then.")


def job_queue(job) -> bool:
    """Send the job's task to the broker. When the broker is unreachable, leave the job pending with a message
    and answer False; never raise (the sweep queues it again)."""
    try:
        import_string(job.task_path).delay(job.pk)
    except (KombuError, OSError) as exc:  # redis/amqp connection refused, DNS, timeouts
        logger.warning("job %s %s not queued: %s", job._meta.label, job.pk, exc)
        type(job).objects.filter(pk=job.pk, status=JobStatus.PENDING).update(message=queue_down_message())
        return False
    return True


def job_queue_on_commit(job) -> None:
    """Queue the job once the transaction that created it commits; `job.queued` says whether the broker took it."""
    job.queued = None

    def send():
        job.queued = job_queue(job)

    transaction.on_commit(send)


def job_models() -> list:
    return [m for m in apps.get_models() if issubclass(m, Job) and m.task_path]


def jobs_sweep(*, now=None) -> dict:
    """Queue again the jobs pending longer than the setting; fail the jobs running longer than the timeout.
    Set-based per model: one locked read and one update each, events written in one insert (R3)."""
    now = now or timezone.now()
    requeue_after = timedelta(minutes=get_setting(REQUEUE_AFTER))
    timeout = timedelta(minutes=get_setting(RUNNING_TIMEOUT))
    counts = {"requeued": 0, "failed": 0}
    for model in job_models():
        requeued = _sweep(model, status=JobStatus.PENDING, before=now - requeue_after, field="queued_at",
                          target=JobStatus.PENDING, transition="requeue",
                          values={"queued_at": now, "message": ""})
        failed = _sweep(model, status=JobStatus.RUNNING, before=now - timeout, field="started_at",
                        target=JobStatus.FAILED, transition="fail",
                        values={"finished_at": now, "progress": 100, "message": _(
                            "The job did not finish within %(minutes)s minutes and was stopped; start it again.")
                            % {"minutes": int(timeout.total_seconds() // 60)}})
        for job in requeued:
            job_queue(job)
        counts["requeued"] += len(requeued)
        counts["failed"] += len(failed)
    return counts


def _sweep(model, *, status, before, field, target, transition, values) -> list:
    # FSM fields refuse assignment; a queryset update is the set-based form of the declared transition.
    with transaction.atomic():
        jobs = list(model.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(status=status, **{f"{field}__lt": before}).select_related(*_region_paths(model)))
        if not jobs:
            return []
        model.objects.filter(pk__in=[j.pk for j in jobs], status=status).update(status=target, **values)
        audit_record_many([Entry(j.pk, str(j), audit_region_code(j), from_state=status, to_state=target,
                                 reason=values["message"]) for j in jobs],
                          model=model, actor=None, action="transition", transition=transition)
    return jobs


def _region_paths(model) -> list[str]:
    found = []
    for path in audit_region_paths(model):
        parts = path.split(".")
        try:
            model._meta.get_field(parts[0])
        except Exception:
            continue
        found.append("__".join(parts))
    return found


SWEEP_TASK_NAME = "sweep stalled background jobs"


def sweep_schedule(*, interval_model=None, task_model=None) -> None:
    """The beat entry that runs `backoffice.sweep_jobs` every 5 minutes (idempotent; the migration calls it with
    its historical models, as tendering and finance write theirs from their services)."""
    if interval_model is None:
        from django_celery_beat.models import IntervalSchedule as interval_model
        from django_celery_beat.models import PeriodicTask as task_model
    every, _created = interval_model.objects.get_or_create(every=5, period="minutes")
    task_model.objects.update_or_create(name=SWEEP_TASK_NAME, defaults={
        "task": "backoffice.sweep_jobs", "interval": every, "enabled": True})
