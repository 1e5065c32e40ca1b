"""Background jobs: imports and certificate batches. The page polls the job row for its progress.

A worker claims its job by firing `start` (pending → running); a job that is no longer pending (a message
delivered twice, a re-run of a finished job) is left alone, so nothing is imported or issued twice (issue 11
#6). The importers and `certificates_issue` are themselves idempotent: a file imported again changes nothing
and certificates go only to completed trainees without a valid one."""
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError
from backoffice.models import JobStatus
from backoffice.workflow import fire

from .models import CertificateJob, ImportJob

logger = logging.getLogger(__name__)


def _progress(model, pk):
    last = {"pct": -1}

    def update(pct):
        if pct != last["pct"]:
            last["pct"] = pct
            model.objects.filter(pk=pk).update(progress=pct)

    return update


def _claim(model, job_id):
    """The job, now running, or None when it is not waiting (already running, finished or gone)."""
    creator = model.objects.filter(pk=job_id).select_related("created_by").first()
    if creator is None:
        return None
    try:
        fire(model, job_id, name="start", actor=creator.created_by)
    except DomainError:
        return None
    return model.objects.select_related("created_by", "project__plan__province").get(pk=job_id)


def _unexpected(model, job, exc) -> str:
    logger.exception("job %s %s stopped", model._meta.label, job.pk)
    fire(model, job.pk, name="fail", actor=job.created_by,
         message=_("The job stopped with an unexpected error; nothing was changed. Try again or ask the "
                   "administrator."))
    return JobStatus.FAILED


def _import_message(result) -> str:
    if result.ok:
        return _("Imported %(rows)s rows: %(created)s new teachers, %(updated)s updated, %(apps)s new applications, "
                 "%(same)s unchanged.") % {"rows": result.rows_total, "created": result.created,
                                           "updated": result.updated, "apps": result.applications_created,
                                           "same": result.unchanged}
    return _("Nothing was imported: %(n)s errors. Correct the rows listed below and import the file again.") % {
        "n": len(result.errors)}


@shared_task
def run_import_job(job_id: int) -> str:
    from backoffice.spreadsheets import check_upload_size

    from .imports import FileRefused, run_import

    job = _claim(ImportJob, job_id)
    if job is None:
        return "skipped"
    with translation.override("zh-hans"):
        try:
            check_upload_size(job.file.size)  # before a byte is read
            with job.file.open("rb") as fh:
                data = fh.read()
            result = run_import(actor=job.created_by, kind=job.kind, data=data, name=job.original_name,
                                project=job.project, progress=_progress(ImportJob, job.pk))
        except FileRefused as exc:
            fire(ImportJob, job.pk, name="fail", actor=job.created_by, message=exc.message, errors=[
                {"row": 0, "column": "", "value": job.original_name, "message": exc.message}])
            return JobStatus.FAILED
        except Exception as exc:  # noqa: BLE001 - the job must end failed, never stay running
            return _unexpected(ImportJob, job, exc)
        name = "succeed" if result.ok else "fail"
        fire(ImportJob, job.pk, name=name, actor=job.created_by, message=_import_message(result),
             rows_total=result.rows_total, rows_created=result.created + result.applications_created,
             rows_updated=result.updated, rows_unchanged=result.unchanged, errors=result.errors[:5000])
    return JobStatus.SUCCEEDED if result.ok else JobStatus.FAILED


@shared_task
def run_certificate_job(job_id: int) -> str:
    from .documents import certificates_pdf
    from .models import Certificate
    from .services import certificates_issue

    job = _claim(CertificateJob, job_id)
    if job is None:
        return "skipped"
    progress = _progress(CertificateJob, job.pk)
    with translation.override("zh-hans"):
        try:
            issued = certificates_issue(actor=job.created_by, project=job.project)
            progress(20)
            certs = list(Certificate.objects.filter(enrolment__project=job.project, status="valid")
                         .select_related("enrolment__teacher", "enrolment__project__institution",
                                         "enrolment__project__plan").order_by("number"))
            if not certs:
                raise DomainError("no_completed_trainees", _("No completed trainees: there is nothing to certify."))
            pdf = certificates_pdf(certs, progress=lambda done: progress(20 + int(75 * done / len(certs))))
        except DomainError as exc:
            fire(CertificateJob, job.pk, name="fail", actor=job.created_by, message=exc.message)
            return JobStatus.FAILED
        except Exception as exc:  # noqa: BLE001 - the job must end failed, never stay running
            return _unexpected(CertificateJob, job, exc)
        job.file.save(f"certificates-{job.project.code}-{job.pk}.pdf", ContentFile(pdf), save=False)
        fire(CertificateJob, job.pk, name="succeed", actor=job.created_by, file=job.file.name, issued=len(issued),
             message=_("%(new)s certificates issued; the file holds all %(all)s valid certificates of the project.")
             % {"new": len(issued), "all": len(certs)})
    return JobStatus.SUCCEEDED
