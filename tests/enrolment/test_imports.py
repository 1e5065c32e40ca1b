"""Excel import (R30, R32, R37): every row checked, nothing written on any error, re-import changes nothing."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from backoffice.demo import make_id_number
from backoffice.models import Organisation, Teacher
from projects.enrolment.imports import FileRefused, run_import
from projects.enrolment.models import Enrolment, ImportJob

from .xlsx import HEADER, row, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def school_codes(orgs):
    Organisation.objects.filter(pk=orgs.school.pk).update(code="S3601210")
    Organisation.objects.filter(pk=orgs.other_school.pk).update(code="S3601120")


def ids(n, county="360121"):
    return [make_id_number(county, dt.date(1980, 1, 1) + dt.timedelta(days=i), 100 + i) for i in range(n)]


def counts():
    return Teacher.objects.count(), Teacher.history.count(), Enrolment.objects.count()


def apply(personas, project, data, name="申报.xlsx", actor=None):
    return run_import(actor=actor or personas.county, kind="applicants", data=data, name=name, project=project)


def test_r30_valid_file_creates_teachers_and_applications(personas, project):
    numbers = ids(3)
    result = apply(personas, project, workbook([row(f"教师{i}", n) for i, n in enumerate(numbers)]))
    assert result.ok, result.errors
    assert (result.created, result.applications_created) == (3, 3)
    teacher = Teacher.objects.get(id_number=numbers[0])
    assert (teacher.region.code, teacher.stage, teacher.subject, teacher.teaching_since) == ("360121", "primary", "maths", 2010)
    assert Enrolment.objects.filter(project=project, status="applied").count() == 3


def test_reimporting_the_same_file_changes_nothing(personas, project):
    data = workbook([row(f"教师{i}", n) for i, n in enumerate(ids(4))])
    assert apply(personas, project, data).ok
    before = counts()
    again = apply(personas, project, data)
    assert again.ok and (again.created, again.updated, again.applications_created, again.unchanged) == (0, 0, 0, 4)
    assert counts() == before


def test_r30_wrong_check_digit_is_reported_and_nothing_written(personas, project):
    good, bad = ids(2)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    before = counts()
    result = apply(personas, project, workbook([row("甲", good), row("乙", bad)]))
    assert not result.ok
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "ID number")] or result.errors[0]["row"] == 3
    assert counts() == before


def test_duplicate_in_file_names_the_first_row(personas, project):
    n = ids(1)[0]
    before = counts()
    result = apply(personas, project, workbook([row("甲", n), row("甲", n)]))
    assert [e["row"] for e in result.errors] == [3] and "2" in result.errors[0]["message"]
    assert counts() == before


def test_duplicate_against_registry_with_another_name_is_refused(personas, project, make_teacher):
    existing = make_teacher(name="张三")
    before = counts()
    result = apply(personas, project, workbook([row("李四", existing.id_number)]))
    assert len(result.errors) == 1 and "张三" in result.errors[0]["message"]
    assert existing.id_number not in result.errors[0]["value"]  # R30: masked in the report
    assert counts() == before


def test_unknown_or_out_of_area_school_is_refused(personas, project):
    a, b = ids(2)
    before = counts()
    result = apply(personas, project, workbook([row("甲", a, school="NOPE"), row("乙", b, school="S3601120", county="360112")]))
    assert sorted(e["row"] for e in result.errors) == [2, 3]  # the other county's school is outside 南昌县
    assert counts() == before


def test_region_code_must_match_the_school(personas, project):
    result = apply(personas, project, workbook([row("甲", ids(1)[0], county="360112")]))
    assert result.errors and result.errors[0]["value"] == "360112"


def test_empty_rows_are_skipped_and_half_empty_rows_reported(personas, project):
    a, b, c = ids(3)
    data = workbook([row("甲", a), [None] * 11, row("乙", b)])
    result = apply(personas, project, data)
    assert result.ok and result.rows_total == 2
    before = counts()
    half = row("丙", c)
    half[4] = None
    result = apply(personas, project, workbook([half]))
    assert [(e["row"], e["message"]) for e in result.errors] == [(2, "Required.")]
    assert counts() == before


def test_merged_cells_are_refused(personas, project):
    a, b = ids(2)
    before = counts()
    result = apply(personas, project, workbook([row("甲", a), row("乙", b)], merge="C2:C3"))
    assert result.errors and "2" in result.errors[0]["message"]
    assert counts() == before


def test_r30_full_width_digits_and_lower_case_x_are_normalised(personas, project):
    number = "11010519491231002X"
    full = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else "x" for ch in number)
    result = apply(personas, project, workbook([row("赵", full, school="S3601210")]))
    assert result.ok, result.errors
    assert Teacher.objects.filter(id_number=number).exists()


def test_bad_dates_and_values_are_reported_per_column(personas, project):
    a, b, c = ids(3)
    result = apply(personas, project, workbook([
        row("甲", a, started="2010-13-45"), row("乙", b, started="2099-01-01"), row("丙", c, stage="大学")]))
    assert [e["row"] for e in result.errors] == [2, 3, 4]


def test_xls_is_refused(personas, project):
    with pytest.raises(FileRefused) as exc:
        apply(personas, project, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, name="老表格.xls")
    assert exc.value.code == "xls_refused"


def test_non_excel_renamed_xlsx_is_refused(personas, project):
    for data in (b"name,id\n", b"PK\x03\x04garbage"):
        with pytest.raises(FileRefused) as exc:
            apply(personas, project, data, name="伪装.xlsx")
        assert exc.value.code == "not_excel"
    assert counts()[2] == 0


def test_school_can_only_import_its_own_teachers(personas, project):
    a, b = ids(2)
    result = apply(personas, project, workbook([row("甲", a), row("乙", b, school="S3601120", county="360112")]),
                   actor=personas.school)
    assert [e["row"] for e in result.errors] == [3]


def test_institution_cannot_import(personas, project):
    result = apply(personas, project, workbook([row("甲", ids(1)[0])]), actor=personas.institution)
    assert result.errors and counts()[2] == 0


def test_teacher_import_updates_a_moved_teacher_with_history(personas, make_teacher, orgs):
    t = make_teacher(name="王五")
    data = workbook([row("王五", t.id_number, stage="初中", subject="语文")])
    result = run_import(actor=personas.county, kind="teachers", data=data, name="t.xlsx")
    assert result.ok and result.updated == 1
    t.refresh_from_db()
    assert (t.stage, t.subject) == ("junior", "chinese")
    assert t.history.count() == 2


def test_import_query_count_does_not_grow_with_rows(personas, project, django_assert_max_num_queries):
    small = workbook([row(f"甲{i}", n) for i, n in enumerate(ids(3))])
    big = workbook([row(f"乙{i}", n) for i, n in enumerate(ids(60, county="360121")[3:])])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q_small:
        assert apply(personas, project, small).ok
    with CaptureQueriesContext(connection) as q_big:
        assert apply(personas, project, big).ok
    assert len(q_big) <= len(q_small) + 2, [q["sql"][:80] for q in q_big.captured_queries]


def test_template_has_chinese_headers_and_lists(login, personas):
    response = login(personas.county).get(reverse("enrolment:import_template", args=["applicants"]))
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    assert [c.value.rstrip("*") for c in ws[1]] == HEADER
    assert len(ws.data_validations.dataValidation) >= 5
    assert login(personas.institution).get(reverse("enrolment:import_template", args=["applicants"])).status_code == 403


def test_upload_runs_as_a_job_with_progress_and_error_report(login, personas, project, django_capture_on_commit_callbacks):
    client = login(personas.county)
    bad = ids(1)[0][:-1] + "0"
    upload = SimpleUploadedFile("申报.xlsx", workbook([row("甲", bad if bad != ids(1)[0] else ids(1)[0][:-1] + "1")]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolment:project_import", args=[project.pk]), {"file": upload})
    job = ImportJob.objects.get()
    assert response.url == reverse("enrolment:import_job", args=[job.pk])
    assert (job.status, job.progress) == ("failed", 100) and job.errors
    page = client.get(response.url).content.decode()
    assert "import-errors" in page
    status = client.get(reverse("enrolment:import_job_status", args=[job.pk])).json()
    assert status["done"] and status["progress"] == 100
    assert login(personas.other_county).get(response.url).status_code == 404


def test_import_export_resource_imports_in_the_admin_way(personas, orgs):
    import tablib

    from projects.enrolment.resources import TeacherResource

    n = ids(1)[0]
    data = tablib.Dataset(headers=["姓名", "身份证号", "学校代码", "学段", "学科", "岗位", "职称", "参加工作日期", "乡村教师", "联系电话"])
    data.append(["钱七", n, "S3601210", "小学", "数学", "", "", "2012-09-01", "是", ""])
    result = TeacherResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    t = Teacher.objects.get(id_number=n)
    assert (t.region, t.teaching_since, t.is_rural) == (orgs.school.region, 2012, True)
    again = TeacherResource().import_data(data, dry_run=False)
    assert again.totals["skip"] == 1


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


# -- hostile files and typed cells (issue 11 #1, #2) -----------------------------------------------------------
def test_r30_an_id_number_typed_as_a_number_is_refused_on_its_row(personas, project):
    # Excel keeps 15 significant digits: 360102198503172012 arrives as 3.60102198503172E+17, which used to be
    # stored as 360102198503171968 (a valid check digit, the wrong teacher).
    good = ids(1)[0]
    data = workbook([row("甲", good), row("乙", 3.60102198503172e17)])
    before = counts()
    with translation.override("zh-hans"):
        result = apply(personas, project, data)
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "身份证号")]
    assert "身份证号必须以文本格式填写" in result.errors[0]["message"]
    assert counts() == before and not Teacher.objects.filter(id_number="360102198503171968").exists()


def test_sparse_workbook_is_refused_and_nothing_is_written(personas, project):
    from tests.backoffice import hostile

    with pytest.raises(FileRefused) as exc:
        apply(personas, project, hostile.sparse())
    assert exc.value.code == "too_many_rows" and "200,000" in exc.value.message
    assert counts()[2] == 0


def test_a_refused_file_ends_its_job_failed_with_the_limit_in_the_message(login, personas, project,
                                                                         django_capture_on_commit_callbacks):
    from tests.backoffice import hostile

    client = login(personas.county)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolment:project_import", args=[project.pk]),
                               {"file": SimpleUploadedFile("申报.xlsx", hostile.sparse())})
    job = ImportJob.objects.get()
    assert response.url == reverse("enrolment:import_job", args=[job.pk])
    assert job.status == "failed" and "文件超过 200,000 行的上限" in job.message
    assert "200,000" in client.get(response.url).content.decode()


def test_a_stored_file_over_the_size_limit_fails_its_job_before_it_is_read(personas, project, settings,
                                                                          monkeypatch):
    from django.core.files.base import ContentFile

    from projects.enrolment.tasks import run_import_job

    job = ImportJob.objects.create(kind="applicants", project=project, original_name="大.xlsx",
                                   created_by=personas.county, file=ContentFile(workbook([row("甲", ids(1)[0])]),
                                                                              name="big.xlsx"))
    settings.SPREADSHEET_MAX_UPLOAD_BYTES = 1024
    monkeypatch.setattr(type(job.file), "open", lambda *a, **k: pytest.fail("the file was read"))
    assert run_import_job(job.pk) == "failed"
    job.refresh_from_db()
    assert "超过" in job.message and "上限" in job.message and counts()[2] == 0


def test_a_50_mb_upload_is_refused_by_the_form_without_a_job(login, personas, project):
    client = login(personas.county)
    big = SimpleUploadedFile("申报.xlsx", b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024))
    response = client.post(reverse("enrolment:project_import", args=[project.pk]), {"file": big}, follow=True)
    assert not ImportJob.objects.exists()
    assert "20 MB 的上限" in response.content.decode()
