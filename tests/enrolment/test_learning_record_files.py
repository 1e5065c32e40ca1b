"""R47 files read two ways give one report. On PostgreSQL a plain CSV is parsed by COPY and converted in SQL
(issue 13: no Python work per row); any other file, the API's rows and SQLite go row by row through Python. Each
test ingests the same file both ways (rolled back in between) and compares what a user sees: the per-row Chinese
errors, the counts and the records written."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction

from backoffice.demo import make_id_number
from projects.enrolment.outcomes.ingest import (
    IngestResult,
    ingest_learning_records,
    read_records_file,
)
from projects.enrolment.outcomes.models import LearningRecord

from .outcome_helpers import TODAY, approved_scheme, ingest, record

pytestmark = pytest.mark.django_db

HEAD = "身份证号,姓名,起始日期,截止日期,学习时长（分钟）,作业提交数,作业合格数,研修成果提交数,结业考核成绩,参与活动次数\n"


@pytest.fixture
def online(make_project, personas):
    start = TODAY() - dt.timedelta(days=20)
    project = make_project(status="in_progress", start=start, end=start + dt.timedelta(days=60), mode="online",
                           hours=48)
    approved_scheme(project, personas)
    return project


@pytest.fixture
def trainees(online, make_teacher, enrol, orgs):
    # The second one's ID number ends in X, written lower-case in the files.
    with_x = next(n for s in range(900, 1000)
                  if (n := make_id_number(orgs.school.region.code, dt.date(1986, 5, 2), s)).endswith("X"))
    return [enrol(online, make_teacher(name="李雷"), "in_training"),
            enrol(online, make_teacher(name="韩梅梅", id_number=with_x), "in_training")]


def _data(lines, head=HEAD) -> bytes:
    return ("\ufeff" + head + "".join(line + "\n" for line in lines)).encode("utf-8")


def _seen(result):
    return {"errors": result.errors, "written": result.written, "unchanged": result.unchanged,
            "refused": result.refused, "total": result.rows_total,
            "records": sorted(LearningRecord.objects.values_list("enrolment_id", "period_start", "period_end",
                                                                 "minutes", "assignments_passed",
                                                                 "assessment_score", "is_current"))}


def _both_ways(actor, project, data, *, valid_only=False):
    """(as the upload reads the file, as rows of dicts), each rolled back."""
    seen = []
    for as_dicts in (False, True):
        with transaction.atomic():
            file = read_records_file(data, "records.csv", IngestResult())
            rows = list(file) if as_dicts else file
            seen.append(_seen(ingest_learning_records(actor=actor, project=project, rows=rows, source="研修网",
                                                      valid_only=valid_only)))
            transaction.set_rollback(True)
    return seen


def _day(n):
    return (TODAY() - dt.timedelta(days=n)).isoformat()


def _lines(trainees, stranger):
    one, two = trainees[0].teacher.id_number, trainees[1].teacher.id_number.lower()
    d, e = _day(5), _day(4)
    return [
        f"{one},李雷,{d},{d},700,1,1,0,88,2",  # 2: valid, the common form
        f"{two},韩梅梅,{d},{e},30,,,,88.5,",  # 3: valid, lower-case x, empty counts
        f" {one} ,李雷, {e},{e}, 30 ,,,,,",  # 4: valid with spaces (Python strips them)
        f"{one},李雷,{_day(3).replace('-', '/')},{_day(3).replace('-', '/')},10,,,,,",  # 5: valid, 2026/03/01
        ",,,,,,,,,",  # 6: an empty row, skipped
        f"{one},李雷,2026-02-30,2026-02-30,10,,,,,",  # 7: not a date
        f"{one},李雷,{(TODAY() - dt.timedelta(days=40)).isoformat()},{d},10,,,,,",  # 8: before the project
        f"{one},李雷,{_day(2)},{_day(2)},1441,,,,,",  # 9: more minutes than a day holds
        f"{stranger},王五,{d},{d},10,,,,,",  # 10: not enrolled
        f"{one},李雷,{_day(1)},{_day(1)},十,,,,,",  # 11: not a number
        f"{one},李雷,{_day(6)},{_day(6)},10,,,,101,",  # 12: score above 100
        f"{one},李雷,{d},{d},800,,,,,",  # 13: the key of row 2 again
        f"{one},李雷,{_day(7)},{_day(8)},10,,,,,",  # 14: ends before it starts
        f"{one},李雷,{_day(9)},{_day(9)},,,,,,",  # 15: minutes missing
        f"{one[:17]},李雷,{_day(9)},{_day(9)},5,,,,,",  # 16: 17 characters
    ]


@pytest.mark.parametrize("valid_only", [False, True])
def test_r47_csv_read_by_copy_reports_every_row_as_python_does(valid_only, online, trainees, personas,
                                                               make_teacher):
    data = _data(_lines(trainees, make_teacher().id_number))
    assert read_records_file(data, "records.csv", IngestResult()).csv_body is not None  # COPY reads it on PostgreSQL
    by_file, by_rows = _both_ways(personas.institution, online, data, valid_only=valid_only)
    assert by_file == by_rows
    assert sorted({e["row"] for e in by_file["errors"]}) == [7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    assert by_file["total"] == 14 and by_file["refused"] == 10
    assert all(e["message"] for e in by_file["errors"])
    assert by_file["written"] == (4 if valid_only else 0)


def test_r47_csv_resend_through_copy_keeps_unchanged_and_supersedes(online, trainees, personas):
    one = trainees[0].teacher.id_number
    ingest(personas.institution, online, [record(one, minutes=700, start=TODAY() - dt.timedelta(days=5),
                                                 end=TODAY() - dt.timedelta(days=5), passed=1, score="88"),
                                          record(one, minutes=50, start=TODAY() - dt.timedelta(days=4),
                                                 end=TODAY() - dt.timedelta(days=4))])
    data = _data([f"{one},李雷,{_day(5)},{_day(5)},700,0,1,0,88.00,0",  # the same figures
                  f"{one},李雷,{_day(4)},{_day(4)},60,,,,,"])  # new figures
    by_file, by_rows = _both_ways(personas.institution, online, data)
    assert by_file == by_rows
    assert (by_file["written"], by_file["unchanged"]) == (1, 1)
    assert [(r[3], r[6]) for r in by_file["records"] if r[1] == TODAY() - dt.timedelta(days=4)] == [(50, False),
                                                                                                     (60, True)]


@pytest.mark.parametrize("shape", ["blank_line", "short_row", "long_row", "quoted", "crlf", "gbk"])
def test_r47_csv_copy_cannot_read_alike_falls_back_with_the_same_rows(shape, online, trainees, personas):
    one, d = trainees[0].teacher.id_number, _day(5)
    lines = [f"{one},李雷,{d},{d},700,1,1,0,88,2", f"{one},李雷,{_day(4)},{_day(4)},1441,,,,,"]
    encoding = "utf-8"
    if shape == "blank_line":
        lines.insert(1, "")
    elif shape == "short_row":
        lines.insert(1, f"{one},李雷,{_day(3)},{_day(3)},5")
    elif shape == "long_row":
        lines.insert(1, f"{one},李雷,{_day(3)},{_day(3)},5,,,,,,extra")
    elif shape == "quoted":
        lines.insert(1, f'{one},"李,雷",{_day(3)},{_day(3)},5,,,,,')
    data = _data(lines)
    if shape == "crlf":
        data = data.replace(b"\n", b"\r\n")
    if shape == "gbk":
        data = (HEAD + "".join(line + "\n" for line in lines)).encode("gbk")
        encoding = "gbk"
    by_file, by_rows = _both_ways(personas.institution, online, data, valid_only=True)
    assert by_file == by_rows, encoding
    assert [e["row"] for e in by_file["errors"]] == [len(lines) + 1]  # the 1441 minutes, on its own row number
    assert by_file["written"] == len(lines) - 1 - (shape == "blank_line")


def test_r47_csv_without_optional_columns_reads_alike(online, trainees, personas):
    one = trainees[0].teacher.id_number
    data = _data([f"{_day(5)},{_day(5)},{one},700", f"{_day(4)},{_day(4)},{one},99999999"],
                 head="起始日期,截止日期,身份证号,学习时长（分钟）\n")
    by_file, by_rows = _both_ways(personas.institution, online, data, valid_only=True)
    assert by_file == by_rows
    assert by_file["written"] == 1 and [e["row"] for e in by_file["errors"]] == [3]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_r47_plain_csv_is_converted_without_python_per_row(online, trainees, personas, monkeypatch):
    from projects.enrolment.outcomes import ingest as module

    calls = []
    original = module._convert
    monkeypatch.setattr(module, "_convert", lambda *a: calls.append(a) or original(*a))
    one, d = trainees[0].teacher.id_number, _day(5)
    data = _data([f"{one},李雷,{d},{d},700,1,1,0,88,2", f"{one},李雷,{_day(4)},{_day(4)},5,,,,,"])
    result = ingest_learning_records(actor=personas.institution, project=online, source="研修网", valid_only=False,
                                     rows=read_records_file(data, "records.csv", IngestResult()))
    assert result.ok and result.written == 2 and calls == []


def test_r47_score_with_three_decimals_is_rounded_half_up_either_way(online, trainees, personas):
    one = trainees[0].teacher.id_number
    data = _data([f"{one},李雷,{_day(5)},{_day(5)},700,,,,80.125,"])
    by_file, by_rows = _both_ways(personas.institution, online, data)
    assert by_file == by_rows
    assert [r[5] for r in by_file["records"]] == [Decimal("80.13")]


def test_r47_sheet_minutes_with_a_fraction_are_refused_not_cut(online, trainees, personas):
    from backoffice.spreadsheets import Book, Col

    one = trainees[0].teacher.id_number
    book = Book()
    sheet = book.sheet("学习记录", [Col(h) for h in HEAD.strip().split(",")])
    sheet.append([one, "李雷", _day(5), _day(5), 700.5, None, None, None, None, None])
    result = ingest_learning_records(actor=personas.institution, project=online, source="研修网", valid_only=False,
                                     rows=read_records_file(book.to_bytes(), "records.xlsx", IngestResult()))
    assert [(e["row"], e["value"]) for e in result.errors] == [(2, "700.5")]
    assert not LearningRecord.objects.exists()


def test_r47_sheet_cells_converted_by_column_report_every_row_as_python_does(online, trainees, personas, make_teacher):
    """An .xlsx is converted column by column (each distinct cell once); typed cells - numbers, dates, a date
    with a time, a boolean, an ID number typed as a number (R30) - give the same report as row by row."""
    from backoffice.spreadsheets import Book, Col

    one, two = trainees[0].teacher.id_number, trainees[1].teacher.id_number.lower()
    day = TODAY() - dt.timedelta(days=5)
    book = Book()
    sheet = book.sheet("学习记录", [Col(h) for h in HEAD.strip().split(",")])
    for cells in [
        [one, "李雷", day, day, 700, 1, 1, 0, 88.5, 2],  # 2: dates and numbers as typed cells
        [two, "韩梅梅", day.isoformat(), day.isoformat(), "30", "", None, None, "90", None],  # 3: text cells
        [one, "李雷", dt.datetime.combine(day - dt.timedelta(days=1), dt.time(9)), day - dt.timedelta(days=1), 5,
         None, None, None, None, None],  # 4: a date with a time
        [float(one[:15]), "李雷", day, day, 5, None, None, None, None, None],  # 5: R30
        [one, "李雷", day, day, 800, None, None, None, None, None],  # 6: the key of row 2 again
        [one, "李雷", day - dt.timedelta(days=2), day - dt.timedelta(days=2), True, None, None, None, None, None],
        [None] * 10,  # 8: empty
        [make_teacher().id_number, "王五", day, day, 5, None, None, None, 100.5, None],  # 9: not enrolled, score
    ]:
        sheet.append(cells)
    data = book.to_bytes()
    seen = []
    for as_dicts in (False, True):
        with transaction.atomic():
            file = read_records_file(data, "records.xlsx", IngestResult())
            seen.append(_seen(ingest_learning_records(actor=personas.institution, project=online, source="研修网",
                                                      valid_only=True, rows=list(file) if as_dicts else file)))
            transaction.set_rollback(True)
    assert seen[0] == seen[1]
    assert sorted({e["row"] for e in seen[0]["errors"]}) == [5, 6, 7, 9]
    assert seen[0]["written"] == 3
