"""Issue 13: the evaluation reports of a year as one zip, drawn as a Celery group of parts: one PDF per graded
evaluation, progress 100%, a second delivery does nothing; only staff who read the outputs may ask."""
import pytest
from django.urls import reverse

from backoffice.models import DocumentBatchChunk
from backoffice.tasks import draw_document_chunk, run_document_batch
from tests.factories.evaluation import walk

pytestmark = pytest.mark.django_db


def test_issue13_year_reports_one_pdf_per_graded_evaluation(evaluation, personas, third_party, login, batched):
    walk(evaluation, personas, third_party, to="published", scores=("86", "84", "92"))
    year = evaluation.project.plan.year
    client = login(personas.province)
    page = client.get(reverse("evaluation:evaluation_list"), {"year": year}).content.decode()
    assert reverse("evaluation:year_reports", args=[year]) in page
    job, files = batched(client, reverse("evaluation:year_reports", args=[year]))
    assert list(files) == [f"evaluation-{evaluation.project.code}.pdf"] and files[
        f"evaluation-{evaluation.project.code}.pdf"].startswith(b"%PDF")
    job.refresh_from_db()
    assert (job.progress, job.total) == (100, 1)
    assert run_document_batch(job.pk) == "skipped"
    assert draw_document_chunk(DocumentBatchChunk.objects.get(job=job).pk) == "skipped"


@pytest.mark.parametrize("who", ["institution", "school", "expert"])
def test_year_reports_refused_to_roles_without_the_outputs(evaluation, personas, login, who):
    year = evaluation.project.plan.year
    assert login(personas[who]).post(reverse("evaluation:year_reports", args=[year])).status_code == 403
