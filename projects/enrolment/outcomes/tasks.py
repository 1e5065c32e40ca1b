"""The background ingest of an uploaded learning-record file (R47), with progress for the page's bar."""
from celery import shared_task
from django.utils import translation
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError
from backoffice.models import JobStatus
from backoffice.workflow import fire

from ..tasks import _claim, _progress, _unexpected
from .models import LearningRecordJob


def _message(result) -> str:
    if result.ok or (result.valid_only and result.written + result.unchanged):
        text = _("%(written)s records written, %(same)s unchanged.") % {"written": result.written,
                                                                        "same": result.unchanged}
        if result.errors:
            text += " " + _("%(n)s rows refused (listed below).") % {"n": result.refused}
        return text
    return _("Nothing was written: %(n)s rows refused. Correct them or choose “import the valid rows”.") % {
        "n": result.refused}


@shared_task
def run_learning_record_job(job_id: int) -> str:
    from backoffice.spreadsheets import check_upload_size

    from .ingest import IngestResult, ingest_learning_records, read_records_file

    job = _claim(LearningRecordJob, job_id)
    if job is None:
        return "skipped"
    progress = _progress(LearningRecordJob, job.pk)
    with translation.override("zh-hans"):
        try:
            check_upload_size(job.file.size)
            with job.file.open("rb") as fh:
                data = fh.read()
            header = IngestResult()
            rows = read_records_file(data, job.original_name, header)
            progress(20)
            if rows is None:
                fire(LearningRecordJob, job.pk, name="fail", actor=job.created_by, errors=header.errors,
                     message=_("The file cannot be read: a required column is missing."))
                return JobStatus.FAILED
            result = ingest_learning_records(actor=job.created_by, project=job.project, rows=rows,
                                             source=job.source, valid_only=job.valid_only, progress=progress)
        except DomainError as exc:
            fire(LearningRecordJob, job.pk, name="fail", actor=job.created_by, message=exc.message)
            return JobStatus.FAILED
        except Exception as exc:  # noqa: BLE001 - the job must end failed, never stay running
            return _unexpected(LearningRecordJob, job, exc)
        ok = result.ok or (job.valid_only and (result.written + result.unchanged) > 0)
        fire(LearningRecordJob, job.pk, name="succeed" if ok else "fail", actor=job.created_by,
             message=_message(result), rows_total=result.rows_total, rows_written=result.written,
             rows_unchanged=result.unchanged, errors=result.errors[:5000])
    return JobStatus.SUCCEEDED if ok else JobStatus.FAILED
