"""Per-item documents fanned out over the workers (issue 13), like the certificate batches: a province's
settlement statements, a year's evaluation reports. An app registers each kind once
(`register_batch(kind, build)`); `build(user=, params=)` checks the permission (a `DomainError` with a Chinese
message), takes the items from the app's selector scoped to that user (R2) and returns a `Batch`: the item ids in
order and `draw(ids)`, which yields (file name, PDF bytes) per item. The service calls it when the job is asked
for (a refusal is immediate); the worker calls it again (the scope in force then), splits the ids into parts of
`DOCUMENT_BATCH_CHUNK_SIZE` and runs the parts as a Celery group (in-process on the embedded default). Each part
zips its items' PDFs; the last part to finish merges the parts into the batch's zip, one PDF per item."""
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError
from backoffice.jobs import job_queue_on_commit
from backoffice.models import DocumentBatchJob


@dataclass
class Batch:
    title: str  # the job page's title
    filename: str  # the zip the user downloads
    items: Callable[[], list[int]]  # the ids, in order; read by the worker
    draw: Callable[[list[int]], Iterable[tuple[str, bytes]]]  # (name in the zip, PDF) per item, in order
    audited: object  # the row the batch's event is filed on (R3)


BATCHES: dict[str, Callable[..., Batch]] = {}


def register_batch(kind: str, build: Callable[..., Batch]) -> None:
    BATCHES[kind] = build


def batch_build(*, user, kind: str, params: dict) -> Batch:
    if kind not in BATCHES:
        raise DomainError("unknown_batch", _("This document batch does not exist."))
    return BATCHES[kind](user=user, params=params)


def chunk_size() -> int:
    """Documents per part: several parts per worker, few enough that a part's fixed cost stays small."""
    return int(getattr(settings, "DOCUMENT_BATCH_CHUNK_SIZE", 50))


def batch_job_start(*, actor, kind: str, params: dict | None = None) -> DocumentBatchJob:
    """Check the batch is allowed, save the job and queue it once saved (`job.queued` False: broker down)."""
    params = params or {}
    batch = batch_build(user=actor, kind=kind, params=params)
    with transaction.atomic():
        job = DocumentBatchJob.objects.create(kind=kind, params=params, title=batch.title, filename=batch.filename,
                                              created_by=actor)
        job_queue_on_commit(job)
    return job
