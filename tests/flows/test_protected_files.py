"""Issue 11 #3: no stored file is reachable from a public URL; each downloads only through a scoped view (R2),
and is stored under a name nobody can guess."""
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from backoffice.files import rename_legacy_files
from projects.enrolment.models import CertificateJob, Exemption, ImportJob
from tendering import services as tendering_services
from tendering.models import Qualification
from tests.enrolment.conftest import enrol, make_project, make_teacher, past_project, teacher  # noqa: F401

PDF = b"%PDF-1.4\n% scan of a hospital certificate\n"
XLSX = b"PK\x03\x04 applicants with ID numbers"
CSV = "身份证号,学习时长（分钟）\n".encode()
ZIP = b"PK\x03\x04 statements of the province"


@dataclass
class Case:
    kind: str
    original: str
    content: bytes
    make: Callable  # (fixtures) -> object holding the file
    url: Callable  # obj -> download URL
    allowed: tuple  # personas who may download: owner first, then in-scope staff
    refused: tuple  # personas out of scope: 404
    forbidden: tuple = ()  # roles that never see this kind of file: 403 before any lookup
    download_name: Callable | None = None  # obj -> the name the user gets, when not the uploaded one


def _exemption(f):
    outcome = f["enrol"](f["past_project"](2025), f["teacher"], "no_show")
    return Exemption.objects.create(enrolment=outcome, ground="illness", explanation="住院",
                                    evidence=SimpleUploadedFile("住院证明.pdf", PDF), evidence_name="住院证明.pdf",
                                    applied_by=f["personas"].county)


def _import_job(f):
    return ImportJob.objects.create(kind="teachers", file=SimpleUploadedFile("南昌县报名表.xlsx", XLSX),
                                    original_name="南昌县报名表.xlsx", created_by=f["personas"].county)


def _certificate_job(f):
    job = CertificateJob.objects.create(project=f["make_project"](), created_by=f["personas"].office)
    job.file.save("certificates.pdf", ContentFile(PDF))
    return job


def _export_job(f):
    from backoffice.models import ExportJob

    job = ExportJob.objects.create(kind="enrolment.credits", title="学时", filename="credit-hours-all.xlsx",
                                   created_by=f["personas"].province)
    job.file.save("credit-hours-all.xlsx", ContentFile(XLSX))
    return job


def _batch_job(f):
    from backoffice.models import DocumentBatchJob

    job = DocumentBatchJob.objects.create(kind="finance.statement_pdfs", title="结算单", filename="statements.zip",
                                          created_by=f["personas"].finance)
    job.file.save("statements.zip", ContentFile(ZIP))
    return job


def _learning_record_job(f):
    from projects.enrolment.models import LearningRecordJob

    return LearningRecordJob.objects.create(project=f["make_project"](mode="online"), source="研修网",
                                            file=SimpleUploadedFile("学习记录.csv", CSV), original_name="学习记录.csv",
                                            created_by=f["personas"].institution)


def _bulk_job(f):
    from projects.enrolment.models import BulkActionJob

    job = BulkActionJob.objects.create(action="recommend", filter="status=applied", created_by=f["personas"].county)
    job.report.save("bulk-recommend.xlsx", ContentFile(XLSX))
    return job


def _qualification(f):
    return tendering_services.qualification_upload(actor=f["personas"].institution, kind="legal_entity",
                                                   number="LEG-1", valid_until=None, name="营业执照.pdf", data=PDF)


CASES = {
    ("enrolment.Exemption", "evidence"): Case(
        "exemptions", "住院证明.pdf", PDF, _exemption, lambda o: reverse("enrolment:exemption_evidence", args=[o.pk]),
        allowed=("county", "province", "school"), refused=("other_county", "henan_province"),
        forbidden=("institution",)),
    ("enrolment.ImportJob", "file"): Case(
        "imports", "南昌县报名表.xlsx", XLSX, _import_job, lambda o: reverse("enrolment:import_job_file", args=[o.pk]),
        allowed=("county",), refused=("other_county", "province", "henan_province", "school")),
    ("enrolment.CertificateJob", "file"): Case(
        "certificates", "certificates.pdf", PDF, _certificate_job,
        lambda o: reverse("enrolment:certificate_job_file", args=[o.pk]),
        allowed=("office",), refused=("province", "county", "institution", "henan_province"),
        download_name=lambda o: f"certificates-{o.project.code}.pdf"),
    ("backoffice.ExportJob", "file"): Case(
        "exports", "credit-hours-all.xlsx", XLSX, _export_job, lambda o: reverse("export_job_file", args=[o.pk]),
        allowed=("province",), refused=("office", "county", "auditor", "henan_province")),
    ("backoffice.DocumentBatchJob", "file"): Case(
        "batches", "statements.zip", ZIP, _batch_job, lambda o: reverse("batch_job_file", args=[o.pk]),
        allowed=("finance",), refused=("auditor", "province", "county", "henan_province")),
    ("enrolment.LearningRecordJob", "file"): Case(
        "learning-records", "学习记录.csv", CSV, _learning_record_job,
        lambda o: reverse("enrolment:records_job_file", args=[o.pk]),
        allowed=("institution",), refused=("other_institution", "county", "province", "henan_province")),
    ("enrolment.BulkActionJob", "report"): Case(
        "bulk-reports", "bulk-recommend.xlsx", XLSX, _bulk_job, lambda o: reverse("enrolment:bulk_job_report", args=[o.pk]),
        allowed=("county",), refused=("other_county", "province", "school", "henan_province"),
        download_name=lambda o: f"bulk-recommend-{o.pk}.xlsx"),
    ("tendering.Qualification", "document"): Case(
        "qualifications", "营业执照.pdf", PDF, _qualification,
        lambda o: reverse("tendering:qualification_document", args=[o.pk]),
        allowed=("institution", "province", "office", "auditor"),
        refused=("other_institution", "henan_province", "county", "school", "expert")),
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def fixtures(personas, enrol, past_project, make_project, teacher):  # noqa: F811
    return {"personas": personas, "enrol": enrol, "past_project": past_project, "make_project": make_project,
            "teacher": teacher}


def test_every_file_field_in_the_product_is_covered():
    fields = {(m._meta.label, f.name) for m in apps.get_models() for f in m._meta.get_fields()
              if isinstance(f, models.FileField) and not m._meta.label.startswith(("auth.", "admin."))}
    assert fields == set(CASES)


@pytest.mark.parametrize("key", list(CASES), ids=lambda k: f"{k[0]}.{k[1]}")
def test_r2_stored_file_is_stored_unguessably_and_only_downloads_in_scope(key, fixtures, client, personas):
    case = CASES[key]
    obj = case.make(fixtures)
    name = getattr(obj, key[1]).name
    ext = re.escape(case.original.rsplit(".", 1)[-1])
    assert re.fullmatch(rf"{case.kind}/\d{{4}}/[0-9a-f]{{32}}\.{ext}", name), name
    url = case.url(obj)

    # Nobody, logged in or not, reaches the file by its storage path.
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(url).status_code == 404, "anonymous"
    client.force_login(personas[case.allowed[0]])
    assert client.get(f"/media/{name}").status_code == 404

    for who in case.refused:
        client.force_login(personas[who])
        assert client.get(url).status_code == 404, who
    for who in case.forbidden:
        client.force_login(personas[who])
        assert client.get(url).status_code == 403, who
    for who in case.allowed:
        client.force_login(personas[who])
        response = client.get(url)
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content) == case.content
        # The user gets the name they uploaded, not the storage name.
        expected = case.download_name(obj) if case.download_name else case.original
        assert quote(expected) in response["Content-Disposition"]
        assert name.rsplit("/", 1)[-1] not in response["Content-Disposition"]


def test_behind_nginx_the_view_answers_with_x_accel_redirect(settings, fixtures, login, personas):
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = "/protected-media/"
    q = _qualification(fixtures)
    response = login(personas.institution).get(reverse("tendering:qualification_document", args=[q.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{q.document.name}"
    assert response.content == b""
    assert login(personas.other_institution).get(
        reverse("tendering:qualification_document", args=[q.pk])).status_code == 404


def test_pages_link_the_scoped_downloads(fixtures, login, personas):
    q = _qualification(fixtures)
    page = login(personas.institution).get(reverse("tendering:portal_profile")).content.decode()
    assert reverse("tendering:qualification_document", args=[q.pk]) in page and "营业执照.pdf" in page
    job = _import_job(fixtures)
    page = login(personas.county).get(reverse("enrolment:import_job", args=[job.pk])).content.decode()
    assert reverse("enrolment:import_job_file", args=[job.pk]) in page
    x = _exemption(fixtures)
    page = login(personas.province).get(reverse("enrolment:exemption_detail", args=[x.pk])).content.decode()
    assert reverse("enrolment:exemption_evidence", args=[x.pk]) in page and "/media/" not in page


def test_files_uploaded_under_their_own_names_are_moved_to_unguessable_ones(fixtures, media_root):
    q = _qualification(fixtures)
    legacy = default_storage.save("tendering/qualifications/5/营业执照.pdf", ContentFile(PDF))
    Qualification.objects.filter(pk=q.pk).update(document=legacy, document_name="")
    rename_legacy_files(Qualification, field="document", kind="qualifications", name_field="document_name")
    q.refresh_from_db()
    assert re.fullmatch(r"qualifications/\d{4}/[0-9a-f]{32}\.pdf", q.document.name)
    assert q.document_name == "营业执照.pdf"
    assert not (media_root / legacy).exists() and q.document.read() == PDF
