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


# -- document batches fanned out as a Celery group (issue 13; backoffice.batches) ---------------------------------
def _batch_failed(job_id: int, actor, message: str) -> None:
    from backoffice.exceptions import DomainError
    from backoffice.models import DocumentBatchJob
    from backoffice.workflow import fire

    try:
        fire(DocumentBatchJob, job_id, name="fail", actor=actor, message=message)
    except DomainError:
        pass  # another part already failed it
    _remove_batch_parts(job_id)


def _remove_batch_parts(job_id: int) -> None:
    from django.core.files.storage import default_storage

    from backoffice.models import DocumentBatchChunk

    for part in DocumentBatchChunk.objects.filter(job_id=job_id).exclude(part="").values_list("part", flat=True):
        default_storage.delete(part)


@shared_task(name="backoffice.run_document_batch")
def run_document_batch(job_id: int) -> str:
    """Claim the batch (pending → running; a second delivery does nothing), split its items into parts and draw
    the parts as a Celery group: each part runs on whichever worker is free (in-process on the embedded
    default), and the last one to finish assembles the zip."""
    import logging

    from celery import group
    from django.db import transaction
    from django.utils import translation
    from django.utils.translation import gettext as _

    from backoffice.batches import batch_build, chunk_size
    from backoffice.exceptions import DomainError
    from backoffice.models import DocumentBatchChunk, DocumentBatchJob, JobStatus
    from backoffice.workflow import fire

    job = DocumentBatchJob.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None:
        return "skipped"
    try:
        fire(DocumentBatchJob, job_id, name="start", actor=job.created_by)
    except DomainError:
        return "skipped"
    with translation.override("zh-hans"):
        try:
            batch = batch_build(user=job.created_by, kind=job.kind, params=job.params)
            ids = list(batch.items())
            if not ids:
                raise DomainError("nothing_to_draw", _("There is nothing to draw for this choice."))
            size = chunk_size()
            with transaction.atomic():
                DocumentBatchChunk.objects.bulk_create([
                    DocumentBatchChunk(job=job, index=n, items=ids[start:start + size])
                    for n, start in enumerate(range(0, len(ids), size))])
                chunk_ids = list(DocumentBatchChunk.objects.filter(job=job).order_by("index")
                                 .values_list("pk", flat=True))
                DocumentBatchJob.objects.filter(pk=job_id).update(total=len(ids), chunks_total=len(chunk_ids),
                                                                  chunks_done=0, progress=10)
        except DomainError as exc:
            fire(DocumentBatchJob, job_id, name="fail", actor=job.created_by, message=exc.message)
            return JobStatus.FAILED
        except Exception:  # noqa: BLE001 - the job must end failed, never stay running
            logging.getLogger(__name__).exception("document batch %s stopped", job_id)
            fire(DocumentBatchJob, job_id, name="fail", actor=job.created_by,
                 message=_("The job stopped with an unexpected error; nothing was changed. Try again or ask the "
                           "administrator."))
            return JobStatus.FAILED
    group(draw_document_chunk.s(pk) for pk in chunk_ids).apply_async()
    return JobStatus.RUNNING


def _sum_batch_progress(job_id: int) -> None:
    """The batch's progress from the documents its parts have drawn: 10% listing, 85% drawing, 5% assembling."""
    from django.db.models import (
        ExpressionWrapper,
        F,
        IntegerField,
        OuterRef,
        Subquery,
        Sum,
        Value,
    )
    from django.db.models.functions import Coalesce

    from backoffice.models import DocumentBatchChunk, DocumentBatchJob, JobStatus

    drawn = Subquery(DocumentBatchChunk.objects.filter(job=OuterRef("pk")).values("job")
                     .annotate(n=Sum("done")).values("n"))
    DocumentBatchJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, total__gt=0).update(
        progress=ExpressionWrapper(Value(10) + Coalesce(drawn, 0) * 85 / F("total"), output_field=IntegerField()))


@shared_task(name="backoffice.draw_document_chunk")
def draw_document_chunk(chunk_id: int) -> str:
    """Draw one part's documents into a zip in storage; a part already started (a second delivery) is left
    alone. The part that finishes last assembles the batch."""
    import logging
    import tempfile
    import uuid
    import zipfile

    from django.core.files import File
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone, translation
    from django.utils.translation import gettext as _

    from backoffice.batches import batch_build
    from backoffice.models import DocumentBatchChunk, DocumentBatchJob, JobStatus

    if not DocumentBatchChunk.objects.filter(pk=chunk_id, started_at=None).update(started_at=timezone.now()):
        return "skipped"
    chunk = DocumentBatchChunk.objects.select_related("job__created_by").get(pk=chunk_id)
    job = chunk.job
    if job.status != JobStatus.RUNNING:
        return "skipped"
    with translation.override("zh-hans"):
        try:
            batch = batch_build(user=job.created_by, kind=job.kind, params=job.params)
            with tempfile.TemporaryFile() as out:
                drawn = 0
                with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
                    for name, data in batch.draw(list(chunk.items)):
                        archive.writestr(name, data)
                        drawn += 1
                        if drawn < len(chunk.items):  # the last count is written with the part below
                            DocumentBatchChunk.objects.filter(pk=chunk_id).update(done=drawn)
                            _sum_batch_progress(job.pk)
                out.seek(0)
                part = default_storage.save(f"batches/parts/{job.pk}-{chunk.index}-{uuid.uuid4().hex}.zip",
                                            File(out))
            DocumentBatchChunk.objects.filter(pk=chunk_id).update(done=drawn, part=part, finished_at=timezone.now())
            _sum_batch_progress(job.pk)
            with transaction.atomic():  # the row lock orders the parts: exactly one sees the last count
                DocumentBatchJob.objects.filter(pk=job.pk).update(chunks_done=F("chunks_done") + 1)
                done, total = DocumentBatchJob.objects.filter(pk=job.pk).values_list(
                    "chunks_done", "chunks_total").get()
            if done == total:
                _assemble_batch(job, batch)
        except Exception:  # noqa: BLE001 - the job must end failed, never stay running
            logging.getLogger(__name__).exception("document batch %s part failed", job.pk)
            _batch_failed(job.pk, job.created_by, _("The job stopped with an unexpected error; nothing was "
                                                    "changed. Try again or ask the administrator."))
            return JobStatus.FAILED
    return "drawn"


def _assemble_batch(job, batch) -> None:
    """The batch's zip from its parts' zips, in the items' order; the event in the audit trail (R3)."""
    import tempfile
    import zipfile

    from django.core.files import File
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils.translation import gettext as _

    from backoffice.audit import audit_record
    from backoffice.models import DocumentBatchChunk, DocumentBatchJob
    from backoffice.workflow import fire

    parts = list(DocumentBatchChunk.objects.filter(job=job).order_by("index").values_list("part", flat=True))
    with tempfile.TemporaryFile() as out:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            for part in parts:
                with default_storage.open(part, "rb") as fh, zipfile.ZipFile(fh) as piece:
                    for info in piece.infolist():
                        archive.writestr(info, piece.read(info))
        out.seek(0)
        job.file.save(job.filename, File(out), save=False)
    total = DocumentBatchJob.objects.filter(pk=job.pk).values_list("total", flat=True).get()
    with transaction.atomic():
        audit_record(obj=batch.audited, actor=job.created_by, action="export",
                     changes={"documents": (None, total), "kind": (None, job.kind)})
        fire(DocumentBatchJob, job.pk, name="succeed", actor=job.created_by, file=job.file.name,
             message=_("%(n)s documents drawn; the zip is ready to download.") % {"n": total})
    _remove_batch_parts(job.pk)
