"""The `batched` fixture for document batches (backoffice.batches): import it into a test module."""
import io
import zipfile

import pytest


@pytest.fixture
def batched(django_capture_on_commit_callbacks):
    """POST a batch button, let the job and its group of parts run (eager, as the embedded default) and open the
    zip: returns (job, {name: bytes})."""
    from django.urls import reverse

    def _batched(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data or {})
        assert response.status_code == 302 and "/batches/" in response.url, response
        page = client.get(response.url)
        job = page.context["job"]
        assert job.status == "succeeded", job.message
        download = client.get(reverse("batch_job_file", args=[job.pk]))
        assert download.status_code == 200
        with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
            return job, {name: archive.read(name) for name in archive.namelist()}

    return _batched
