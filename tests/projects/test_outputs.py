"""The plan's PDF, Excel workbook, import template and the all-or-nothing import."""
import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from backoffice.models import AuditEvent
from projects import exports
from projects.columns import COLUMNS
from projects.imports import plan_import_projects
from projects.models import Project
from tests.factories import AnnualPlanFactory, region

pytestmark = pytest.mark.django_db

NAMES = ["乡村教师访名校研修", "幼儿园骨干教师保教能力提升", "县级教师培训团队研修"]


@pytest.fixture
def three(plan, make_project):
    budgets = [Decimal("1200000.50"), Decimal("800000.25"), Decimal("1500000.00")]
    projects = []
    for i, (name, budget) in enumerate(zip(NAMES, budgets)):
        p = make_project(name=name, code=f"JX-{i + 1:02d}", budget=budget, quota=50 + i, priority_quota=10,
                         target_stages=["primary"], target_subjects=["maths", "chinese"], rural_only=i == 1,
                         topics=f"主题{i}")
        p.regions.set([region("360100"), region("360121")])
        projects.append(p)
    return projects


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_plan_pdf_has_chinese_names_total_and_page_numbers(plan, three, personas, login):
    response = login(personas.province).get(f"/projects/plans/{plan.pk}/plan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, pages = _pdf_text(response.content)
    for name in NAMES:
        assert name in text.replace("\n", "")
    assert "3,500,000.75" in text  # 1,200,000.50 + 800,000.25 + 1,500,000.00
    assert "合计" in text and "第 1 页" in text
    assert plan.title in text


def test_plan_pdf_spans_pages_with_numbers(plan, make_project, personas, login):
    for i in range(45):
        make_project(name=f"专题培训项目{i}", budget=Decimal("10000"))
    text, pages = _pdf_text(login(personas.province).get(f"/projects/plans/{plan.pk}/plan.pdf").content)
    assert pages >= 2
    assert f"第 {pages} 页" in text
    assert "450,000.00" in text


def test_pdf_refused_outside_scope(plan, three, personas, login):
    assert login(personas.henan_province).get(f"/projects/plans/{plan.pk}/plan.pdf").status_code == 404
    assert login(personas.institution).get(f"/projects/plans/{plan.pk}/plan.xlsx").status_code == 404


def test_excel_round_trip_reproduces_the_projects(plan, three, personas, login):
    content = login(personas.province).get(f"/projects/plans/{plan.pk}/plan.xlsx").content
    wb = load_workbook(BytesIO(content))
    assert wb.sheetnames == ["方案", "项目"]
    assert [c.value for c in wb["项目"][1]] == [str(c.header) for c in COLUMNS]
    assert wb["项目"]["B2"].value == NAMES[0]

    fields = ["code", "name", "project_type", "category", "mode", "hours", "quota", "priority_quota", "start_date",
              "end_date", "shadowing_days", "offline_start", "offline_end", "budget", "office_id", "owner_id",
              "target_stages", "target_subjects", "target_posts", "rural_only", "priority_counties_only",
              "min_years_teaching", "max_age", "topics"]
    before = {p.code: ({f: getattr(p, f) for f in fields}, {r.code for r in p.regions.all()}) for p in three}
    # The codes are unique nationwide, so the originals make way before the copy goes into an empty plan.
    Project.objects.filter(pk__in=[p.pk for p in three]).delete()
    empty = AnnualPlanFactory(year=2027, created_by=personas.province)
    result = plan_import_projects(actor=personas.province, plan=empty, content=content)
    assert result.errors == []
    after = {p.code: ({f: getattr(p, f) for f in fields}, {r.code for r in p.regions.all()})
             for p in empty.projects.all()}
    assert after == before


def _template_rows(rows):
    wb = load_workbook(BytesIO(exports.import_template()))
    ws = wb["项目"]
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(code, name, *, budget="100000", hours=80, quota=50, start="2026-07-01", end="2026-07-10",
         office="江西省中小学教师发展中心", owner="南昌市教育局", mode="线下集中"):
    values = {"code": code, "name": name, "project_type": "中西部项目", "category": "骨干教师提升培训", "mode": mode,
              "hours": hours, "quota": quota, "priority_quota": 5, "start_date": start, "end_date": end,
              "budget": budget, "office": office, "owner": owner, "regions": "360100、360121",
              "target_stages": "小学、初中", "rural_only": "否"}
    return [values.get(c.field) for c in COLUMNS]


def test_import_template_has_chinese_headers(personas, login):
    response = login(personas.province).get("/projects/plans/import-template.xlsx")
    wb = load_workbook(BytesIO(response.content))
    headers = [c.value for c in wb["项目"][1]]
    assert headers[:3] == ["项目编号", "项目名称", "项目类型"]
    assert "填写说明" in wb.sheetnames


def test_import_with_a_bad_row_writes_nothing(plan, personas):
    content = _template_rows([
        _row("IM-1", "好的项目一"),
        _row("IM-2", "学时为零的项目", hours=0, start="2026-08-10", end="2026-08-01"),
        _row("IM-3", "名称不对的项目办", office="不存在的项目办"),
        _row("IM-1", "编号重复的项目"),
        _row("IM-5", "好的项目二", mode="骑马"),
    ])
    result = plan_import_projects(actor=personas.province, plan=plan, content=content)
    assert result.created == []
    assert not Project.objects.filter(plan=plan).exists()
    assert not AuditEvent.objects.filter(action="import").exists()
    report = {(e.row, e.column) for e in result.errors}
    assert {(3, "学时"), (3, "结束日期"), (4, "主管项目办"), (5, "项目编号"), (6, "培训方式")} <= report
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.message) for e in result.errors)


def test_import_r12_budget_over_subsidy_refused_whole_file(plan, personas):
    content = _template_rows([_row("B-1", "甲", budget="6000000"), _row("B-2", "乙", budget="4000001")])
    result = plan_import_projects(actor=personas.province, plan=plan, content=content)
    assert [(e.row, e.column) for e in result.errors] == [(3, "预算（元）")]
    assert not Project.objects.filter(plan=plan).exists()


def test_import_good_file_writes_all_rows(plan, personas):
    content = _template_rows([_row("G-1", "甲项目"), _row("G-2", "乙项目", budget="2500.50")])
    result = plan_import_projects(actor=personas.province, plan=plan, content=content)
    assert result.errors == []
    assert sorted(plan.projects.values_list("code", "budget")) == [("G-1", Decimal("100000.00")),
                                                                  ("G-2", Decimal("2500.50"))]
    g1 = plan.projects.get(code="G-1")
    assert g1.target_stages == ["primary", "junior"] and g1.start_date == dt.date(2026, 7, 1)
    assert AuditEvent.objects.filter(action="import", object_id=str(plan.pk)).count() == 1


def test_import_by_office_only_for_own_office(plan, personas):
    content = _template_rows([_row("O-1", "别人的项目", owner="南昌市教育局")])
    result = plan_import_projects(actor=personas.office, plan=plan, content=content)
    assert [e.column for e in result.errors] == ["申报单位"]


def test_import_page_shows_row_report(plan, personas, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = _template_rows([_row("P-1", "学时为零", hours=0)])
    client = login(personas.province)
    page = client.post(f"/projects/plans/{plan.pk}/import/", {
        "file": SimpleUploadedFile("p.xlsx", content)}).content.decode()
    assert "未保存任何数据" in page and "学时必须大于零" in page
    assert login(personas.institution).get(f"/projects/plans/{plan.pk}/import/").status_code == 404


def test_import_missing_columns_reported(plan, personas):
    wb = Workbook()
    wb.active.append(["项目编号", "项目名称"])
    out = BytesIO()
    wb.save(out)
    result = plan_import_projects(actor=personas.province, plan=plan, content=out.getvalue())
    assert result.errors[0].row == 1 and "缺少列" in result.errors[0].message


def test_import_refuses_a_file_that_is_not_a_workbook(plan, personas):
    from backoffice.exceptions import DomainError

    with pytest.raises(DomainError) as err:
        plan_import_projects(actor=personas.province, plan=plan, content=b"code,name\nX,Y\n")
    assert err.value.code == "import_unreadable"
    assert not Project.objects.filter(plan=plan).exists()


def test_plan_pdf_prints_names_with_markup_characters_as_written(plan, make_project, personas, login):
    # reportlab reads Paragraph text as markup: an unescaped '<' used to fail the whole document.
    make_project(name="语文<阅读>&写作 专题培训", budget=Decimal("10000"))
    response = login(personas.province).get(f"/projects/plans/{plan.pk}/plan.pdf")
    assert response.status_code == 200
    text, _pages = _pdf_text(response.content)
    assert "语文<阅读>&写作" in text.replace("\n", "")


@pytest.mark.parametrize("field, raw", [("hours", "Infinity"), ("hours", "NaN"), ("hours", "sNaN"),
                                        ("budget", "Infinity"), ("budget", "NaN"), ("budget", "sNaN")])
def test_import_cell_that_is_not_a_finite_number_is_a_cell_error(field, raw):
    from projects.columns import CellError, from_cell

    column = next(c for c in COLUMNS if c.field == field)
    with pytest.raises(CellError):
        from_cell(raw, column, context={})


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_plan_xlsx_writes_hostile_project_text_as_text_and_money_as_numbers(plan, make_project, personas, login,
                                                                             text):
    # issue 11 #5: a project's code, name and topics are typed by the owning office.
    from tests.backoffice.hostile import assert_no_formula

    plan.__class__.objects.filter(pk=plan.pk).update(title=text)
    make_project(name=text, code=text[:16], topics=text, budget=Decimal("1200000.50"))
    content = login(personas.province).get(f"/projects/plans/{plan.pk}/plan.xlsx").content
    values = assert_no_formula(content)
    assert values.count(text) >= 3 and text[:16] in values  # title, name, topics and the code
    sheet = load_workbook(BytesIO(content))["项目"]
    budget = sheet.cell(row=2, column=[c.field for c in COLUMNS].index("budget") + 1)
    assert budget.value == 1200000.5 and budget.number_format == "#,##0.00"
    assert sheet.cell(row=2, column=[c.field for c in COLUMNS].index("start_date") + 1).is_date


def test_plan_import_refuses_a_50_mb_file_before_reading_it(plan, personas, login, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    monkeypatch.setattr("projects.imports.read_sheet", lambda *a, **k: pytest.fail("the file was read"))
    big = SimpleUploadedFile("p.xlsx", b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024))
    page = login(personas.province).post(f"/projects/plans/{plan.pk}/import/", {"file": big}).content.decode()
    assert "20 MB 的上限" in page and not Project.objects.filter(plan=plan).exists()


def test_plan_import_refuses_a_sparse_workbook_with_the_limit(plan, personas):
    from backoffice.exceptions import DomainError
    from tests.backoffice import hostile

    with pytest.raises(DomainError) as err:
        plan_import_projects(actor=personas.province, plan=plan, content=hostile.sparse())
    assert err.value.code == "too_many_rows"
