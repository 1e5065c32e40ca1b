"""The `exported` fixture for apps' export jobs: import it into a test module (`from tests.export_helpers import
exported  # noqa: F401`)."""
import io

import pytest
from openpyxl import load_workbook


@pytest.fixture
def exported(django_capture_on_commit_callbacks):
    """POST an export button, let the job run (eager, as the embedded default) and download the workbook."""
    from django.urls import reverse

    def _exported(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data or {})
        assert response.status_code == 302 and "/exports/" in response.url, response
        page = client.get(response.url)
        assert page.context["job"].status == "succeeded", page.context["job"].message
        download = client.get(reverse("export_job_file", args=[page.context["job"].pk]))
        download.content_bytes = b"".join(download.streaming_content)
        download.job = page.context["job"]
        return download

    return _exported


def sheet_rows(download, title=None) -> list[list]:
    book = load_workbook(io.BytesIO(download.content_bytes))
    sheet = book[title] if title else book.active
    return [[c.value for c in row] for row in sheet.iter_rows()]
