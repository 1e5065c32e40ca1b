"""Exports as background jobs (issue 13): a workbook that can pass 10,000 rows is never built in a web request.

An app registers each export once (`register_export(kind, build)`). `build(user=, params=)` checks the user's
permission (raising a `DomainError` with a Chinese message), takes the rows from the app's selector scoped to
that user (R2) and returns an `Export`: titles, columns and the rows as a lazy iterable. The service calls it when
the job is asked for (so a refusal is immediate) and the worker again when it runs (so the scope is the one in
force then); the worker streams the rows through `backoffice.spreadsheets.stream_table` (write-only, safe text)
into a temporary file, stores it, and records the export in the audit trail (R3)."""
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError
from backoffice.jobs import job_queue_on_commit
from backoffice.models import ExportJob
from backoffice.spreadsheets import stream_table


@dataclass
class Export:
    title: str  # the sheet's and the page's title
    filename: str  # what the user downloads
    columns: list
    rows: Iterable  # evaluated only by the worker
    audited: object  # the row the export event is filed on (R3)
    total: Callable[[], int] | None = None  # the row count, for the progress bar
    changes: dict = field(default_factory=dict)
    # A workbook of several sheets (the reconciliation's sheet per institution): write(target, progress) writes it
    # through backoffice.spreadsheets.Book and returns the rows written; `columns` and `rows` are then unused.
    write: Callable | None = None


EXPORTS: dict[str, Callable[..., Export]] = {}


def register_export(kind: str, build: Callable[..., Export]) -> None:
    EXPORTS[kind] = build


def export_build(*, user, kind: str, params: dict) -> Export:
    if kind not in EXPORTS:
        raise DomainError("unknown_export", _("This export does not exist."))
    return EXPORTS[kind](user=user, params=params)


def export_job_start(*, actor, kind: str, params: dict | None = None) -> ExportJob:
    """Check the export is allowed, save the job and queue it once saved (`job.queued` False: broker down)."""
    params = params or {}
    export = export_build(user=actor, kind=kind, params=params)
    with transaction.atomic():
        job = ExportJob.objects.create(kind=kind, params=params, title=export.title, filename=export.filename,
                                       created_by=actor)
        job_queue_on_commit(job)
    return job


def export_run(job: ExportJob, *, progress: Callable[[int], None]) -> int:
    """Stream the export into the job's file; `progress(pct)` as rows are written. Returns the rows written."""
    export = export_build(user=job.created_by, kind=job.kind, params=job.params)
    total = export.total() if export.total else 0

    def written(rows: int) -> None:
        if total:
            progress(min(95, 5 + int(90 * rows / total)))

    with tempfile.TemporaryFile() as out:
        if export.write is not None:
            rows = export.write(out, written)
        else:
            rows = stream_table(out, export.title, export.columns, export.rows, progress=written)
        out.seek(0)
        job.file.save(export.filename, File(out), save=False)
    with transaction.atomic():
        audit_record(obj=export.audited, actor=job.created_by, action="export",
                     changes={"rows": (None, rows), **export.changes})
    return rows
