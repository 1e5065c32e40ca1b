"""The admin's import/export (django-import-export) reads and writes through backoffice.spreadsheets: exported text
stays text (never a formula), an oversize or hostile upload is refused in Chinese before it is parsed."""
import io

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from backoffice.models import Teacher
from tests.enrolment.xlsx import workbook
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

TEACHER_HEADER = ["姓名", "身份证号", "学校代码", "学段", "学科", "岗位", "职称", "参加工作日期", "乡村教师", "联系电话"]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, role="", organisation=None))
    return client


def _upload(content: bytes, name="teachers.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_admin_offers_only_xlsx(admin_client):
    page = admin_client.get("/admin/enrolment/registryteacher/import/").content.decode()
    assert "xlsx" in page and ">csv<" not in page and ">xls<" not in page and ">ods<" not in page


def test_admin_export_writes_formula_text_as_text(admin_client, personas, orgs):
    ProjectFactory(name="=1+1", code="=HYPERLINK(\"x\")", created_by=personas.province)
    from projects.resources import ProjectResource

    chosen = {f"projectresource_{name}": "on" for name in ProjectResource._meta.fields}
    response = admin_client.post("/admin/projects/project/export/", {"format": "0", "resource": "0", **chosen})
    assert response.status_code == 200, response.content[:500]
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in ws.iter_rows() for c in row if c.value in ("=1+1", "=HYPERLINK(\"x\")")]
    assert len(cells) == 2
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)  # text, kept text when edited


@override_settings(SPREADSHEET_MAX_UPLOAD_BYTES=1000)
def test_admin_import_refuses_an_oversize_upload_in_chinese(admin_client):
    big = workbook([["张三", "360121198001010011", "S3601210"]] * 50, header=TEACHER_HEADER)
    assert len(big) > 1000
    page = admin_client.post("/admin/enrolment/registryteacher/import/",
                             {"format": "0", "resource": "0", "import_file": _upload(big)}).content.decode()
    assert "超过" in page and "上限" in page
    assert not Teacher.objects.exists()


def test_admin_import_refuses_a_file_that_is_not_a_workbook_in_chinese(admin_client):
    page = admin_client.post("/admin/enrolment/registryteacher/import/",
                             {"format": "0", "resource": "0", "import_file": _upload(b"name,id\n" * 10)}).content
    assert "不是 Excel" in page.decode() or "不是Excel" in page.decode()


def test_admin_import_reads_a_code_typed_as_a_number(admin_client, orgs):
    from tests.enrolment.test_imports import ids

    orgs.school.code = "36012101"
    orgs.school.save(update_fields=["code"])
    number = ids(1)[0]
    # The school code typed as a number (calamine reads 36012101.0) still finds the school.
    data = workbook([["钱七", number, 36012101, "小学", "数学", "", "", "2012-09-01", "是", ""]],
                    header=TEACHER_HEADER)
    page = admin_client.post("/admin/enrolment/registryteacher/import/",
                             {"format": "0", "resource": "0", "import_file": _upload(data)}).content.decode()
    assert "钱七" in page and "错误" not in page  # the preview lists the new row, without errors
