"""Issue 13: the statement PDFs of a province as one zip, drawn as a Celery group of parts (in-process on the
embedded default): one PDF per statement, progress summed from the parts to 100%, a second delivery does
nothing, scope (R2) and refusals as the statement pages."""
import pytest
from django.urls import reverse

from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent, DocumentBatchChunk, DocumentBatchJob
from backoffice.tasks import draw_document_chunk, run_document_batch
from finance import services
from tests.factories.finance import contract_for, trainees

pytestmark = pytest.mark.django_db


@pytest.fixture
def statements(personas, orgs):
    """Three contracts × two counties: six statements."""
    made = []
    for i in range(3):
        contract = contract_for(institution=orgs.institution if i % 2 else orgs.other_institution)
        for county in ("360121", "360112"):
            trainees(contract.lot.projects.get(), county, 2)
        made.append(contract)
    services.settlement_compute(actor=personas.finance, contracts=made)
    return made


def test_issue13_statement_pdfs_one_zip_one_pdf_per_statement_from_parallel_parts(login, personas, statements,
                                                                                  batched, settings):
    settings.DOCUMENT_BATCH_CHUNK_SIZE = 4  # two parts
    client = login(personas.finance)
    assert reverse("finance:statement_pdfs") in client.get(reverse("finance:statement_list")).content.decode()
    job, files = batched(client, reverse("finance:statement_pdfs"))
    assert len(files) == 6 and all(data.startswith(b"%PDF") for data in files.values())
    assert {name.split("-")[0] for name in files} == {c.reference.split("-")[0] for c in statements}
    job.refresh_from_db()
    assert (job.progress, job.total, job.chunks_total, job.chunks_done) == (100, 6, 2, 2)
    assert list(DocumentBatchChunk.objects.filter(job=job).values_list("done", flat=True)) == [4, 2]
    assert AuditEvent.objects.filter(action="export", actor=personas.finance).count() == 1  # R3
    # A second delivery of the job or of a part does nothing.
    assert run_document_batch(job.pk) == "skipped"
    assert draw_document_chunk(DocumentBatchChunk.objects.filter(job=job).first().pk) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.chunks_done) == ("succeeded", 2)
    assert AuditEvent.objects.filter(action="export", actor=personas.finance).count() == 1


def test_statement_pdfs_take_the_lists_filter(login, personas, statements, batched):
    first = statements[0].statements.first()  # the first contract is the other institution's
    services.settlement_confirm(actor=personas.other_institution, statement=first)
    _job, files = batched(login(personas.finance), reverse("finance:statement_pdfs"), {"status": "confirmed"})
    assert len(files) == 1 and next(iter(files)).endswith(f"-{first.pk}.pdf")


@pytest.mark.parametrize("who", ["institution", "county", "school", "expert"])
def test_roles_that_do_not_read_finance_cannot_draw_the_provinces_statements(login, personas, statements, who):
    assert login(personas[who]).post(reverse("finance:statement_pdfs")).status_code == 403
    from backoffice.batches import batch_job_start

    with pytest.raises(DomainError) as refused:
        batch_job_start(actor=personas[who], kind="finance.statement_pdfs")
    assert refused.value.code == "forbidden" and not DocumentBatchJob.objects.exists()


def test_an_empty_choice_fails_with_a_reason(login, personas, statements, django_capture_on_commit_callbacks):
    client = login(personas.finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("finance:statement_pdfs"), {"status": "paid"})
    job = DocumentBatchJob.objects.get()
    assert response.url == reverse("batch_job", args=[job.pk])
    assert job.status == "failed" and "没有" in job.message
    assert client.get(reverse("batch_job_file", args=[job.pk])).status_code == 404
