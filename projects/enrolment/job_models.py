"""Enrolment's background jobs: Excel imports, bulk actions on "all that match" and certificate batches (with
their parts). Imported by models.py, so they belong to the enrolment app."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.files import UploadTo
from backoffice.models import Job

class ImportKind(models.TextChoices):
    TEACHERS = "teachers", _("Teachers (registry)")
    APPLICANTS = "applicants", _("Applicants for a project")


class ImportJob(Job):
    """An uploaded Excel file of teachers or applicants, validated as a whole and written all-or-nothing."""

    task_path = "projects.enrolment.tasks.run_import_job"

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=UploadTo("imports"))
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("rows created"), default=0)
    rows_updated = models.PositiveIntegerField(_("rows updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("import")
        verbose_name_plural = _("imports")


class BulkActionJob(Job):
    """A bulk move on "all N that match" the trainee list's filter, when N passes the setting
    `enrolment.bulk_job_threshold`: the worker re-applies the filter in the asker's scope, fires the move as the
    page would, and writes a report with one row per trainee (moved, or refused and why)."""

    task_path = "projects.enrolment.tasks.run_bulk_action_job"
    audit_region = ("created_by.organisation.region",)

    action = models.CharField(_("action"), max_length=16)
    label = models.CharField(_("action"), max_length=100, blank=True)
    filter = models.TextField(_("filter"), blank=True)  # the list's query string, re-applied by the worker
    reason = models.TextField(_("reason"), blank=True)
    rule = models.CharField(_("rule"), max_length=8, blank=True)
    by_ranking = models.BooleanField(_("by ranking score"), default=False)
    matched = models.PositiveIntegerField(_("trainees matching"), default=0)
    moved = models.PositiveIntegerField(_("trainees moved"), default=0)
    reserved = models.PositiveIntegerField(_("put on the reserve list"), default=0)
    refused = models.PositiveIntegerField(_("trainees refused"), default=0)
    report = models.FileField(_("report"), upload_to=UploadTo("bulk-reports"), blank=True)

    class Meta(Job.Meta):
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")


class CertificateOutput(models.TextChoices):
    PDF = "pdf", _("One PDF file")
    ZIP = "zip", _("A zip of PDF files")


class CertificateJob(Job):
    """Batch generation of a project's certificates: issued at once, drawn in chunks by as many workers as run
    (a Celery group), delivered as one merged PDF or a zip of the chunks' PDFs."""

    task_path = "projects.enrolment.tasks.run_certificate_job"

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="+")
    output = models.CharField(_("file type"), max_length=8, choices=CertificateOutput.choices,
                              default=CertificateOutput.PDF)
    file = models.FileField(_("file"), upload_to=UploadTo("certificates"), blank=True)
    issued = models.PositiveIntegerField(_("certificates issued"), default=0)
    total = models.PositiveIntegerField(_("certificates in the file"), default=0)
    chunks_total = models.PositiveIntegerField(_("parts"), default=0)
    chunks_done = models.PositiveIntegerField(_("parts drawn"), default=0)

    class Meta(Job.Meta):
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")


class CertificateChunk(models.Model):
    """One part of a certificate batch, drawn by one task; the job's progress is the sum of its parts' pages.
    The part's PDF is an intermediate file in storage, removed once the batch's file is assembled."""

    job = models.ForeignKey(CertificateJob, verbose_name=_("certificate batch"), on_delete=models.CASCADE,
                            related_name="chunks")
    index = models.PositiveIntegerField(_("part"))
    certificates = models.JSONField(_("certificates"), default=list)  # ids, in number order
    done = models.PositiveIntegerField(_("pages drawn"), default=0)
    part = models.CharField(_("part file"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate batch part")
        verbose_name_plural = _("certificate batch parts")
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="certificate_chunk_unique_index")]

    def __str__(self):
        return f"{self.job_id}/{self.index}"
