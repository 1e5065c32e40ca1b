"""Issue 13: on PostgreSQL the applicant import writes through a temporary table (one COPY, then INSERT ... SELECT
by the server); SQLite keeps the row-tuple path. Both must write exactly the same thing: new registry rows with
their creation history (R3), applications in file order (R32: the primary key breaks the submission tie), nobody
applied twice (R37), existing teachers applied without a new registry row."""
import datetime as dt

import pytest

from backoffice.demo import make_id_number
from backoffice.models import Organisation, Teacher
from projects.enrolment.imports import run_import
from projects.enrolment.models import Enrolment

from .xlsx import row, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def school_codes(orgs):
    Organisation.objects.filter(pk=orgs.school.pk).update(code="S3601210")


def test_r32_r37_import_writes_registry_history_and_applications_in_file_order(personas, project, make_teacher,
                                                                                enrol):
    known = make_teacher(name="老教师", id_number=make_id_number("360121", dt.date(1975, 5, 5), 901))
    applied = make_teacher(name="已报名", id_number=make_id_number("360121", dt.date(1976, 6, 6), 902))
    enrol(project, applied)
    new = [make_id_number("360121", dt.date(1985, 1, 1) + dt.timedelta(days=i), 300 + i) for i in range(3)]
    rows = [row("新教师0", new[0]), row("老教师", known.id_number), row("新教师1", new[1]),
            row("已报名", applied.id_number), row("新教师2", new[2], rural="是")]
    result = run_import(actor=personas.county, kind="applicants", data=workbook(rows), name="申报.xlsx",
                        project=project)
    assert result.ok, result.errors
    assert (result.created, result.applications_created, result.unchanged) == (3, 4, 1)
    teachers = {t.id_number: t for t in Teacher.objects.filter(id_number__in=new)}
    assert teachers[new[2]].is_rural and not teachers[new[0]].is_rural
    assert (teachers[new[0]].name, teachers[new[0]].region.code, teachers[new[0]].school.code) == (
        "新教师0", "360121", "S3601210")
    history = Teacher.history.filter(id_number__in=new)
    assert history.count() == 3 and {(h.history_type, h.history_change_reason, h.history_user_id)
                                     for h in history} == {("+", "import", personas.county.pk)}
    order = list(Enrolment.objects.filter(project=project).exclude(teacher=applied).order_by("pk")
                 .values_list("teacher__name", flat=True))
    assert order == ["新教师0", "老教师", "新教师1", "新教师2"]
    assert Enrolment.objects.filter(project=project, teacher=applied).count() == 1
    assert Teacher.objects.filter(id_number=known.id_number).count() == 1


def test_a_teacher_registry_import_writes_rows_and_history_without_applications(personas):
    new = [make_id_number("360121", dt.date(1990, 1, 1) + dt.timedelta(days=i), 500 + i) for i in range(2)]
    result = run_import(actor=personas.county, kind="teachers", data=workbook([row(f"教师{i}", n)
                                                                               for i, n in enumerate(new)]),
                        name="教师.xlsx")
    assert result.ok and result.created == 2
    assert Teacher.history.filter(id_number__in=new, history_type="+").count() == 2
    assert not Enrolment.objects.filter(teacher__id_number__in=new).exists()


def test_r30_r31_column_pass_accepts_and_refuses_exactly_as_the_row_checks(personas, project, monkeypatch):
    """Issue 13: cells are checked once per distinct value, column by column; any row with a doubt goes to the
    row-by-row checks. Read with every row forced through the row checks, the same file gives the same records
    and the same per-row Chinese errors."""
    from backoffice.spreadsheets import read_sheet
    from projects.enrolment import import_columns, imports

    good = [make_id_number("360121", dt.date(1985, 1, 1) + dt.timedelta(days=i), 300 + i) for i in range(8)]
    lower_x = next(n for s in range(900, 1000)
                   if (n := make_id_number("360121", dt.date(1986, 5, 2), s)).endswith("X")).lower()
    rows = [
        row("张三", good[0]),
        row("李四", " " + good[1] + " ", stage="初中", subject="语文", rural="是", title=None, post=None, phone=None),
        row("王五", lower_x, started="2010/9/1"),
        row("赵六", good[2], stage="大学"),  # not an allowed value
        row("钱七", good[3], started="2099-09-01"),  # in the future
        row("孙八", good[4], started="1986-09-01"),  # before the age of 16
        row("周九", good[0]),  # the ID number of row 2 again
        row("吴十", good[5][:17] + ("0" if good[5][17] != "0" else "1")),  # wrong check character
        [None] * 11,  # an empty row
        row("郑一", good[6], school=None),  # required cell empty
        row("冯二", float(good[7][:15])),  # R30: a number
        row("陈三", good[7], rural=True),  # a boolean cell, read as text
        ["  "] + [None] * 10,  # spaces only
    ]
    sheet = read_sheet(workbook(rows))
    columns, _missing = imports.header_map(sheet.rows[0])

    def read():
        result = imports.ImportResult()
        parsed = imports.parse_rows(sheet.rows, columns, result=result)
        return parsed, sorted(result.errors, key=lambda e: (e["row"], e["column"])), result.rows_total

    by_columns = read()
    monkeypatch.setattr(imports, "_columns_converted", lambda body, plan, today: (
        [[import_columns._BAD] * len(body) for _p in plan], set(range(len(body)))))
    by_rows = read()
    assert by_columns == by_rows
    assert [i for i, _rec in by_columns[0]] == [2, 3, 4]
    assert sorted({e["row"] for e in by_columns[1]}) == [5, 6, 7, 8, 9, 11, 12, 13]
