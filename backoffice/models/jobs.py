from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.files import UploadTo

from .recorded import Audited


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class Job(ConcurrentTransitionMixin, Audited):
    """Imports, exports and batch documents run as jobs whose progress the page polls.

    Its worker moves it pending → running → succeeded | failed; the scheduled sweep (backoffice.jobs) puts a job
    that waited too long back in the queue and fails one that ran too long. No person fires these moves.
    Concrete jobs name their Celery task in `task_path` (a dotted path to a task taking the job's pk)."""

    task_path = ""

    status = FSMField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING,
                      protected=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    audit_region = ("project.plan.province", "created_by.organisation.region")

    @transition(field="status", source=JobStatus.PENDING, target=JobStatus.RUNNING,
                custom={"label": pgettext_lazy("job", "Start"), "hidden": True})
    def start(self, *, actor=None, reason=""):
        self.started_at, self.progress, self.message = timezone.now(), 5, ""

    @transition(field="status", source=JobStatus.RUNNING, target=JobStatus.SUCCEEDED,
                custom={"label": pgettext_lazy("job", "Finish"), "hidden": True})
    def succeed(self, *, actor=None, reason="", message="", **results):
        self._finish(message, results)

    @transition(field="status", source=[JobStatus.PENDING, JobStatus.RUNNING], target=JobStatus.FAILED,
                custom={"label": pgettext_lazy("job", "Fail"), "hidden": True})
    def fail(self, *, actor=None, reason="", message="", **results):
        self._finish(message, results)

    @transition(field="status", source=[JobStatus.PENDING, JobStatus.FAILED], target=JobStatus.PENDING,
                custom={"label": pgettext_lazy("job", "Queue again"), "hidden": True})
    def requeue(self, *, actor=None, reason=""):
        self.queued_at, self.started_at, self.finished_at, self.progress, self.message = (
            timezone.now(), None, None, 0, "")

    def _finish(self, message, results):
        self.message, self.progress, self.finished_at = message, 100, timezone.now()
        for name, value in results.items():  # the concrete job's result columns (rows, errors, file…)
            setattr(self, name, value)


class ExportJob(Job):
    """A workbook too big to build while the user waits (issue 13): the app's registered export (a selector
    scoped to the person who asked, and its columns) is streamed to a file by a worker."""

    task_path = "backoffice.tasks.run_export_job"
    audit_region = ("created_by.organisation.region",)

    kind = models.CharField(_("export"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=UploadTo("exports"), blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)

    class Meta(Job.Meta):
        verbose_name = _("export")
        verbose_name_plural = _("exports")


class DocumentBatchJob(Job):
    """Per-item documents of many rows (a province's settlement statements, a year's evaluation reports) drawn as
    a Celery group of parts over however many workers run (issue 13): the app's registered batch (a selector
    scoped to the person who asked, and how one item is drawn) gives the items; each part writes a zip of its
    items' PDFs, and the last part to finish merges them into one zip, one PDF per item."""

    task_path = "backoffice.tasks.run_document_batch"
    audit_region = ("created_by.organisation.region",)

    kind = models.CharField(_("documents"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=UploadTo("batches"), blank=True)
    total = models.PositiveIntegerField(_("documents"), default=0)
    chunks_total = models.PositiveIntegerField(_("parts"), default=0)
    chunks_done = models.PositiveIntegerField(_("parts finished"), default=0)

    class Meta(Job.Meta):
        verbose_name = _("document batch")
        verbose_name_plural = _("document batches")


class DocumentBatchChunk(models.Model):
    """One part of a document batch, drawn by one task; the job's progress is the sum of its parts' documents.
    The part's zip is an intermediate file in storage, removed once the batch's zip is assembled."""

    job = models.ForeignKey(DocumentBatchJob, verbose_name=_("document batch"), on_delete=models.CASCADE,
                            related_name="chunks")
    index = models.PositiveIntegerField(_("part"))
    items = models.JSONField(_("items"), default=list)  # ids, in the batch's order
    done = models.PositiveIntegerField(_("documents drawn"), default=0)
    part = models.CharField(_("part file"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document batch part")
        verbose_name_plural = _("document batch parts")
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="document_chunk_unique_index")]

    def __str__(self):
        return f"{self.job_id}/{self.index}"
