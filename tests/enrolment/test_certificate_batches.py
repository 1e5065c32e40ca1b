"""Issue 13: certificate batches (R43) drawn in parts by a Celery group (in-process on the embedded default), with
the job's progress summed from its parts, one merged PDF or a zip, settings read once per batch and text wrapped
by whole lines rather than one character at a time."""
import datetime as dt
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from backoffice.config import setting_set
from projects.enrolment import documents, services
from projects.enrolment.models import Certificate, CertificateChunk, CertificateJob
from projects.enrolment.tasks import _sum_progress, draw_certificate_chunk

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def completed(make_project, make_teacher, enrol, personas):
    def _make(n):
        project = make_project(status="in_progress", start=TODAY() - dt.timedelta(days=5),
                               end=TODAY() + dt.timedelta(days=1))
        for _ in range(n):
            services.enrolment_complete(actor=personas.institution,
                                        enrolment=enrol(project, make_teacher(), "in_training"))
        return project

    return _make


def _run(client, project, output, commits):
    with commits(execute=True):
        response = client.post(reverse("enrolment:certificate_batch", args=[project.pk]), {"output": output})
    job = CertificateJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
    download = client.get(reverse("enrolment:certificate_job_file", args=[job.pk]))
    return job, download, b"".join(download.streaming_content)


def _page_numbers(pdf: bytes) -> list[str]:
    numbers = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        text = page.extract_text()
        numbers.append(next(w for w in text.split() if w.startswith("GP") or "GP" in w).split("GP", 1)[1][:10])
    return numbers


def test_r43_batch_in_parts_gives_one_pdf_with_every_certificate_in_number_order(
        login, personas, completed, settings, django_capture_on_commit_callbacks):
    settings.CERTIFICATE_CHUNK_SIZE = 2
    project = completed(5)
    job, download, pdf = _run(login(personas.institution), project, "pdf", django_capture_on_commit_callbacks)
    certs = list(Certificate.objects.filter(enrolment__project=project).order_by("number"))
    assert (job.status, job.progress, job.issued, job.total, job.chunks_total, job.chunks_done) == (
        "succeeded", 100, 5, 5, 3, 3)
    assert download["Content-Type"] == "application/pdf"
    assert _page_numbers(pdf) == [c.number[2:12] for c in certs]
    # the parts' pages sum to the batch and their intermediate files are gone
    chunks = list(CertificateChunk.objects.filter(job=job))
    assert sum(c.done for c in chunks) == 5 and [len(c.certificates) for c in chunks] == [2, 2, 1]
    from django.core.files.storage import default_storage
    assert all(not default_storage.exists(c.part) for c in chunks)


def test_r43_parts_draw_the_same_pages_as_one_pass(login, personas, completed, settings,
                                                    django_capture_on_commit_callbacks):
    settings.CERTIFICATE_CHUNK_SIZE = 2
    project = completed(3)
    job, _, pdf = _run(login(personas.institution), project, "pdf", django_capture_on_commit_callbacks)
    certs = Certificate.objects.filter(enrolment__project=project).select_related(
        "enrolment__teacher", "enrolment__project__institution").order_by("number")
    from django.utils import translation
    with translation.override("zh-hans"):
        whole = documents.certificates_pdf(certs)
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert texts == [p.extract_text() for p in PdfReader(io.BytesIO(whole)).pages]
    assert "结业证书" in texts[0]


def test_r43_zip_holds_the_parts_named_by_their_certificate_numbers(
        login, personas, completed, settings, django_capture_on_commit_callbacks):
    settings.CERTIFICATE_CHUNK_SIZE = 2
    project = completed(3)
    job, download, data = _run(login(personas.institution), project, "zip", django_capture_on_commit_callbacks)
    numbers = list(Certificate.objects.filter(enrolment__project=project).order_by("number")
                   .values_list("number", flat=True))
    assert download["Content-Type"] == "application/zip" and "certificates-" in download["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(data))
    code = project.code
    assert archive.namelist() == [f"certificates-{code}-{numbers[0]}-{numbers[1]}.pdf",
                                  f"certificates-{code}-{numbers[2]}-{numbers[2]}.pdf"]
    assert [len(PdfReader(archive.open(n)).pages) for n in archive.namelist()] == [2, 1]
    page = login(personas.institution).get(reverse("enrolment:certificate_job", args=[job.pk])).content.decode()
    assert "下载证书（zip）" in page or "zip" in page


def test_a_bad_file_type_is_refused_with_a_chinese_message(login, personas, completed):
    project = completed(1)
    response = login(personas.institution).post(reverse("enrolment:certificate_batch", args=[project.pk]),
                                                 {"output": "exe"}, follow=True)
    assert not CertificateJob.objects.exists()
    assert "请选择" in response.content.decode()


def _running_job(project, personas, parts):
    ids = list(Certificate.objects.filter(enrolment__project=project).order_by("number").values_list("pk", flat=True))
    job = CertificateJob.objects.create(project=project, created_by=personas.institution, total=len(ids),
                                        chunks_total=len(parts) + 1)
    CertificateJob.objects.filter(pk=job.pk).update(status="running")
    chunks, start = [], 0
    for index, size in enumerate(parts):
        chunks.append(CertificateChunk.objects.create(job=job, index=index, certificates=ids[start:start + size]))
        start += size
    return job, chunks


def test_progress_is_the_sum_of_the_parts_pages(personas, completed):
    project = completed(4)
    services.certificates_issue(actor=personas.institution, project=project)
    job, (a, b) = _running_job(project, personas, [2, 2])
    CertificateChunk.objects.filter(pk=a.pk).update(done=2)
    _sum_progress(job.pk)
    job.refresh_from_db()
    assert job.progress == 10 + 85 * 2 // 4
    CertificateChunk.objects.filter(pk=b.pk).update(done=1)
    _sum_progress(job.pk)
    job.refresh_from_db()
    assert job.progress == 10 + 85 * 3 // 4


def test_a_parts_queries_do_not_grow_with_its_size(personas, completed):
    project = completed(12)
    services.certificates_issue(actor=personas.institution, project=project)
    job, (small, large) = _running_job(project, personas, [4, 8])
    counts = []
    for chunk in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert draw_certificate_chunk(chunk.pk) == "drawn"
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert draw_certificate_chunk(small.pk) == "skipped"  # a second delivery draws nothing


def test_r42_certificates_issue_reads_the_credit_setting_once_per_batch(personas, completed):
    counts = []
    for n in (1, 2, 6):  # the first batch of a year also creates its number sequence
        project = completed(n)
        with CaptureQueriesContext(connection) as queries:
            services.certificates_issue(actor=personas.institution, project=project)
        counts.append(len(queries))
    assert counts[1] == counts[2]


def test_r42_certificate_credits_follow_a_changed_hours_per_credit_setting(personas, completed):
    project = completed(1)
    default = services.certificates_issue(actor=personas.institution, project=project)[0]
    assert default.credits == services.credits_of(default.hours, per=20)
    setting_set(key="credit.hours_per_credit", value=10, actor=personas.province)
    other = completed(1)
    changed = services.certificates_issue(actor=personas.institution, project=other)[0]
    assert changed.credits == services.credits_of(changed.hours, per=10) != default.credits


def test_body_is_wrapped_word_by_word_each_word_measured_once_per_batch(monkeypatch):
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = documents.register_font()
    documents._width.cache_clear()
    text = ("王芳（身份证号 360121********1234）完成了“2026年江西省乡村教师骨干教师提升培训项目（小学语文）”"
            "（2026年），培训学时 80 学时，学分 4.0 学分。") * 2
    calls = {"n": 0}

    def counting(*args, **kwargs):
        calls["n"] += 1
        return stringWidth(*args, **kwargs)

    monkeypatch.setattr(documents, "stringWidth", counting)
    width = documents.PAGE[0] - 70 * mm
    lines = documents.wrap(text, font, 15, width)
    assert len(lines) > 1 and "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(stringWidth(line, font, 15) <= width + 0.01 for line in lines)
    assert any("360121********1234" in line for line in lines)  # a Latin run is never split
    assert calls["n"] < len(text) / 2  # each distinct word once, not a prefix per character
    first = calls["n"]
    assert documents.wrap(text.replace("王芳", "李娜"), font, 15, width) and calls["n"] - first <= 2


def test_a_failing_part_fails_the_job_with_a_message(login, personas, completed, settings, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    settings.CERTIFICATE_CHUNK_SIZE = 1
    project = completed(2)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(documents, "certificates_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        login(personas.institution).post(reverse("enrolment:certificate_batch", args=[project.pk]))
    job = CertificateJob.objects.get()
    assert job.status == "failed" and "意外错误" in job.message and not job.file
