"""Background jobs: imports and certificate batches. The page polls the job row for its progress."""
from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError
from backoffice.models import JobStatus

from .models import CertificateJob, ImportJob


def _progress(model, pk):
    last = {"pct": -1}

    def update(pct):
        if pct != last["pct"]:
            last["pct"] = pct
            model.objects.filter(pk=pk).update(progress=pct)

    return update


@shared_task
def run_import_job(job_id: int) -> str:
    from backoffice.spreadsheets import check_upload_size

    from .imports import FileRefused, run_import

    job = ImportJob.objects.select_related("created_by", "project__plan__province").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=5)
    with translation.override("zh-hans"):
        try:
            check_upload_size(job.file.size)  # before a byte is read
            with job.file.open("rb") as fh:
                data = fh.read()
            result = run_import(actor=job.created_by, kind=job.kind, data=data, name=job.original_name,
                                project=job.project, progress=_progress(ImportJob, job.pk))
        except FileRefused as exc:
            ImportJob.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED, progress=100, message=exc.message, finished_at=timezone.now(),
                errors=[{"row": 0, "column": "", "value": job.original_name, "message": exc.message}])
            return JobStatus.FAILED
        if result.ok:
            message = _("Imported %(rows)s rows: %(created)s new teachers, %(updated)s updated, %(apps)s new applications, %(same)s unchanged.") % {
                "rows": result.rows_total, "created": result.created, "updated": result.updated,
                "apps": result.applications_created, "same": result.unchanged}
            status = JobStatus.SUCCEEDED
        else:
            message = _("Nothing was imported: %(n)s errors. Correct the rows listed below and import the file again.") % {
                "n": len(result.errors)}
            status = JobStatus.FAILED
        ImportJob.objects.filter(pk=job.pk).update(
            status=status, progress=100, message=message, finished_at=timezone.now(), rows_total=result.rows_total,
            rows_created=result.created + result.applications_created, rows_updated=result.updated,
            rows_unchanged=result.unchanged, errors=result.errors[:5000])
    return status


@shared_task
def run_certificate_job(job_id: int) -> str:
    from .documents import certificates_pdf
    from .services import certificates_issue

    job = CertificateJob.objects.select_related("created_by", "project__plan__province").get(pk=job_id)
    CertificateJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=5)
    progress = _progress(CertificateJob, job.pk)
    with translation.override("zh-hans"):
        try:
            issued = certificates_issue(actor=job.created_by, project=job.project)
            progress(20)
            from .models import Certificate

            certs = list(Certificate.objects.filter(enrolment__project=job.project, status="valid")
                         .select_related("enrolment__teacher", "enrolment__project__institution",
                                         "enrolment__project__plan").order_by("number"))
            if not certs:
                raise DomainError("no_completed_trainees", _("No completed trainees: there is nothing to certify."))
            pdf = certificates_pdf(certs, progress=lambda done: progress(20 + int(75 * done / len(certs))))
        except DomainError as exc:
            CertificateJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, progress=100,
                                                            message=exc.message, finished_at=timezone.now())
            return JobStatus.FAILED
        job.file.save(f"certificates-{job.project.code}-{job.pk}.pdf", ContentFile(pdf), save=False)
        CertificateJob.objects.filter(pk=job.pk).update(
            file=job.file.name, status=JobStatus.SUCCEEDED, progress=100, issued=len(issued),
            finished_at=timezone.now(),
            message=_("%(new)s certificates issued; the file holds all %(all)s valid certificates of the project.") % {
                "new": len(issued), "all": len(certs)})
    return JobStatus.SUCCEEDED
