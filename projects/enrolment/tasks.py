"""Background jobs: imports and certificate batches. The page polls the job row for its progress.

A worker claims its job by firing `start` (pending → running); a job that is no longer pending (a message
delivered twice, a re-run of a finished job) is left alone, so nothing is imported or issued twice (issue 11
#6). The importers and `certificates_issue` are themselves idempotent: a file imported again changes nothing
and certificates go only to completed trainees without a valid one."""
import io
import logging
import shutil
import tempfile
import uuid
import zipfile

from celery import group, shared_task
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ExpressionWrapper, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError
from backoffice.models import JobStatus
from backoffice.workflow import fire

from .models import CertificateChunk, CertificateJob, ImportJob

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


def chunk_size() -> int:
    """Certificates per part: small enough that every worker gets several parts, large enough that the per-part
    cost (a query, a font subset, a file) stays small against the pages."""
    return int(getattr(settings, "CERTIFICATE_CHUNK_SIZE", 500))


@shared_task
def run_certificate_job(job_id: int) -> str:
    """Issue the project's certificates, split them into parts and draw the parts as a Celery group: each part
    runs on whichever worker is free (in-process on the embedded default), and the last one to finish
    assembles the file (issue 13)."""
    from .models import Certificate
    from .services import certificates_issue

    job = _claim(CertificateJob, job_id)
    if job is None:
        return "skipped"
    with translation.override("zh-hans"):
        try:
            issued = certificates_issue(actor=job.created_by, project=job.project)
            ids = list(Certificate.objects.filter(enrolment__project=job.project, status="valid")
                       .order_by("number").values_list("pk", flat=True))
            if not ids:
                raise DomainError("no_completed_trainees", _("No completed trainees: there is nothing to certify."))
            size = chunk_size()
            with transaction.atomic():
                CertificateChunk.objects.bulk_create([
                    CertificateChunk(job=job, index=n, certificates=ids[start:start + size])
                    for n, start in enumerate(range(0, len(ids), size))])
                chunk_ids = list(CertificateChunk.objects.filter(job=job).order_by("index")
                                 .values_list("pk", flat=True))
                CertificateJob.objects.filter(pk=job.pk).update(
                    issued=len(issued), total=len(ids), chunks_total=len(chunk_ids), chunks_done=0, progress=10)
        except DomainError as exc:
            fire(CertificateJob, job.pk, name="fail", actor=job.created_by, message=exc.message)
            return JobStatus.FAILED
        except Exception as exc:  # noqa: BLE001 - the job must end failed, never stay running
            return _unexpected(CertificateJob, job, exc)
    group(draw_certificate_chunk.s(pk) for pk in chunk_ids).apply_async()
    return JobStatus.RUNNING


def _sum_progress(job_id: int) -> None:
    """The job's progress from the pages its parts have drawn: 10% issuing, 85% drawing, 5% assembling."""
    drawn = Subquery(CertificateChunk.objects.filter(job=OuterRef("pk")).values("job")
                     .annotate(pages=Sum("done")).values("pages"))
    CertificateJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, total__gt=0).update(
        progress=ExpressionWrapper(Value(10) + Coalesce(drawn, 0) * 85 / F("total"), output_field=IntegerField()))


@shared_task
def draw_certificate_chunk(chunk_id: int) -> str:
    """Draw one part's certificates into a PDF in storage. A constant number of queries whatever the part's
    size; a part already started (a second delivery) is left alone."""
    from .documents import certificate_facts, certificates_pdf
    from .models import Certificate

    if not CertificateChunk.objects.filter(pk=chunk_id, started_at=None).update(started_at=timezone.now()):
        return "skipped"
    chunk = CertificateChunk.objects.select_related("job__created_by", "job__project").get(pk=chunk_id)
    job = chunk.job
    if job.status != JobStatus.RUNNING:
        return "skipped"
    with translation.override("zh-hans"):
        try:
            certs = certificate_facts(Certificate.objects.filter(pk__in=chunk.certificates).order_by("number"))

            def progress(done):
                if done < len(certs):  # the last count is written with the part below
                    CertificateChunk.objects.filter(pk=chunk_id).update(done=done)
                    _sum_progress(job.pk)

            with tempfile.TemporaryFile() as out:
                certificates_pdf(certs, out=out, progress=progress, reports=2)
                out.seek(0)
                part = default_storage.save(f"certificates/parts/{job.pk}-{chunk.index}-{uuid.uuid4().hex}.pdf",
                                            File(out))
            CertificateChunk.objects.filter(pk=chunk_id).update(done=len(certs), part=part,
                                                                finished_at=timezone.now())
            _sum_progress(job.pk)
            with transaction.atomic():  # the row lock orders the parts: exactly one sees the last count
                CertificateJob.objects.filter(pk=job.pk).update(chunks_done=F("chunks_done") + 1)
                done, total = CertificateJob.objects.filter(pk=job.pk).values_list("chunks_done", "chunks_total").get()
            if done == total:
                _assemble(job)
        except Exception as exc:  # noqa: BLE001 - the job must end failed, never stay running
            _chunk_failed(job, exc)
            return JobStatus.FAILED
    return "drawn"


def _chunk_failed(job, exc) -> None:
    logger.exception("certificate batch %s part failed", job.pk)
    try:
        fire(CertificateJob, job.pk, name="fail", actor=job.created_by,
             message=_("The job stopped with an unexpected error; nothing was changed. Try again or ask the "
                       "administrator."))
    except DomainError:
        pass  # another part already failed it
    _remove_parts(job)


def _remove_parts(job) -> None:
    for part in CertificateChunk.objects.filter(job=job).exclude(part="").values_list("part", flat=True):
        default_storage.delete(part)


def _assemble(job) -> None:
    """The batch's file from its parts, in number order: one merged PDF, or a zip of the parts' PDFs named by
    their first and last certificate numbers."""
    from pypdf import PdfWriter

    from .models import Certificate, CertificateOutput

    chunks = list(CertificateChunk.objects.filter(job=job).order_by("index"))
    code = job.project.code
    with tempfile.TemporaryFile() as out:
        if job.output == CertificateOutput.ZIP:
            ends = {c.certificates[0] for c in chunks} | {c.certificates[-1] for c in chunks}
            numbers = dict(Certificate.objects.filter(pk__in=ends).values_list("pk", "number"))
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
                for c in chunks:
                    with default_storage.open(c.part, "rb") as fh:
                        archive.writestr(f"certificates-{code}-{numbers[c.certificates[0]]}-"
                                         f"{numbers[c.certificates[-1]]}.pdf", fh.read())
            name = f"certificates-{code}-{job.pk}.zip"
        elif len(chunks) == 1:
            with default_storage.open(chunks[0].part, "rb") as fh:
                shutil.copyfileobj(fh, out)
            name = f"certificates-{code}-{job.pk}.pdf"
        else:
            writer = PdfWriter()
            for c in chunks:
                with default_storage.open(c.part, "rb") as fh:
                    writer.append(io.BytesIO(fh.read()))
            writer.write(out)
            name = f"certificates-{code}-{job.pk}.pdf"
        out.seek(0)
        job.file.save(name, File(out), save=False)
    fire(CertificateJob, job.pk, name="succeed", actor=job.created_by, file=job.file.name,
         message=_("%(new)s certificates issued; the file holds all %(all)s valid certificates of the project.")
         % {"new": job.issued, "all": job.total})
    _remove_parts(job)


# -- bulk moves on "all N that match" (issue 12) ------------------------------------------------------------------
REPORT_CHUNK = 5000  # trainees read per query for the report: a constant number of rows per query


def _bulk_report_rows(result):
    """One row per trainee the move touched or refused: name, masked ID number, school, project, the outcome of
    the move and its reason; read in chunks of primary keys (no query per trainee)."""
    from backoffice.identity import mask_id_number

    from .models import Enrolment

    refused = result.refused
    reserved = set(getattr(result, "reserved", []) or [])
    pks = sorted(set(result.done) | set(refused))
    for i in range(0, len(pks), REPORT_CHUNK):
        chunk = pks[i:i + REPORT_CHUNK]
        rows = (Enrolment.objects.filter(pk__in=chunk).order_by("pk")
                .values_list("pk", "teacher__name", "teacher__id_number", "teacher__school__name", "project__code",
                             "project__name"))
        for pk, name, number, school, code, project in rows:
            if pk in refused:
                outcome, why = _("Not moved"), "；".join(message for _code, message in refused[pk])
            else:
                outcome, why = (_("On the reserve list") if pk in reserved else _("Moved")), ""
            yield [name, mask_id_number(number), school or "", code, project, outcome, why]


@shared_task
def run_bulk_action_job(job_id: int) -> str:
    """Claim the job, re-apply the list's filter in the asker's scope (what the list shows them now), fire the
    move through the same service as the page, and keep the per-trainee report."""
    from django.http import QueryDict

    from backoffice.spreadsheets import Col, stream_table

    from . import selectors, services
    from .filters import EnrolmentFilter
    from .models import BulkActionJob

    creator = BulkActionJob.objects.filter(pk=job_id).select_related("created_by").first()
    if creator is None:
        return "skipped"
    try:  # claimed by moving it to running: a second delivery, or a finished job, does nothing
        fire(BulkActionJob, job_id, name="start", actor=creator.created_by)
    except DomainError:
        return "skipped"
    job = BulkActionJob.objects.select_related("created_by__organisation").get(pk=job_id)
    progress = _progress(BulkActionJob, job.pk)
    with translation.override("zh-hans"):
        try:
            filterset = EnrolmentFilter(QueryDict(job.filter),
                                        queryset=selectors.enrolment_list_visible_to(user=job.created_by))
            if not filterset.is_valid():
                fire(BulkActionJob, job.pk, name="fail", actor=job.created_by,
                     message=_("The list's filter is not valid; nothing was done."))
                return JobStatus.FAILED
            queryset = filterset.qs.order_by()
            matched = queryset.count()
            progress(10)
            columns = [Col(_("Full name"), 12), Col(_("ID number"), 22), Col(_("School"), 26),
                       Col(_("Project code"), 16), Col(_("Project"), 30), Col(_("Result"), 12),
                       Col(_("Reason"), 60)]
            result = services.enrolments_bulk(actor=job.created_by, queryset=queryset, name=job.action,
                                              reason=job.reason, rule=job.rule, by_ranking=job.by_ranking)
        except DomainError as exc:
            fire(BulkActionJob, job.pk, name="fail", actor=job.created_by, message=exc.message)
            return JobStatus.FAILED
        except Exception as exc:  # noqa: BLE001 - the job must end failed, never stay running
            return _unexpected(BulkActionJob, job, exc)
        progress(70)  # the move is committed (its own transaction); the report follows
        try:
            with tempfile.TemporaryFile() as out:
                stream_table(out, _("Result of the bulk action"), columns, _bulk_report_rows(result))
                out.seek(0)
                job.report.save(f"bulk-{job.action}-{job.pk}.xlsx", File(out), save=False)
        except Exception:  # the trainees have moved; say so rather than "nothing changed"
            logger.exception("bulk action %s: report not written", job.pk)
            fire(BulkActionJob, job.pk, name="fail", actor=job.created_by, moved=len(result.done),
                 refused=len(result.refused), message=_("%(done)s trainees were moved, but the report could not "
                                                        "be written.") % {"done": len(result.done)})
            return JobStatus.FAILED
        reserved = len(getattr(result, "reserved", []) or [])
        message = _("%(label)s: %(done)s of %(matched)s trainees moved, %(refused)s could not be moved; the report "
                    "lists every trainee.") % {"label": result.label, "done": len(result.done), "matched": matched,
                                               "refused": len(result.refused)}
        fire(BulkActionJob, job.pk, name="succeed", actor=job.created_by, message=message, label=str(result.label),
             matched=matched, moved=len(result.done), reserved=reserved, refused=len(result.refused),
             report=job.report.name)
    return JobStatus.SUCCEEDED
