"""Issue 11 #5: hostile text in every text field of the applicant, credit, survey and evaluation-year exports is
written as text Excel cannot evaluate; numbers and dates stay numbers and dates. (plan.xlsx, the opening record and
reconciliation.xlsx are tested with their apps' data in tests/projects, tests/tendering and tests/finance.)"""
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace as NS

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.backoffice.hostile import HOSTILE, assert_no_formula


class Values(list):
    """A queryset's values_list(...).iterator() over given tuples."""

    def values_list(self, *fields):
        return self

    def iterator(self, chunk_size=None):
        return iter(self)


def _ws(data):
    return load_workbook(io.BytesIO(data)).active


def _streamed(columns, rows) -> bytes:
    from backoffice.spreadsheets import stream_table

    out = io.BytesIO()
    stream_table(out, "sheet", columns, rows)
    return out.getvalue()


@pytest.mark.parametrize("text", HOSTILE)
def test_applicant_export_writes_hostile_text_as_text(text):
    from projects.enrolment.exports import _trainee_columns, _trainee_rows

    rows = Values([(text, "11010519491231002X", text, text, text, text, timezone.now(), text, "", "")])
    data = _streamed(_trainee_columns(), _trainee_rows(rows))
    values = assert_no_formula(data)
    assert values.count(text) == 6 and "110105********002X" in values  # R30: the ID masked
    assert _ws(data)["G2"].is_date


@pytest.mark.parametrize("text", HOSTILE)
def test_credit_export_writes_hostile_text_as_text_and_hours_as_numbers(text):
    from projects.enrolment.exports import _credit_columns, _credit_rows

    rows = Values([(text, text, text, text, text, text, 2025, 80, timezone.now())])
    data = _streamed(_credit_columns(), _credit_rows(rows, full=True, per_credit=20))
    assert assert_no_formula(data).count(text) == 6
    ws = _ws(data)
    assert (ws["G2"].value, ws["H2"].value, ws["I2"].value) == (2025, 80, 4) and ws["J2"].is_date


@pytest.mark.parametrize("text", HOSTILE)
def test_survey_comments_export_writes_hostile_comments_as_text(text):
    from projects.evaluation.documents import DIMENSIONS, responses_xlsx

    class Responses:
        def values_list(self, *fields):
            return [tuple([4] * len(DIMENSIONS)) + (text,)]

    data = responses_xlsx(evaluation=NS(responses=Responses()))
    assert assert_no_formula(data).count(text) == 1
    assert _ws(data)["A2"].value == 4


@pytest.mark.parametrize("text", HOSTILE)
def test_evaluation_year_workbook_writes_hostile_text_as_text(text):
    from projects.evaluation.documents import year_xlsx

    project = NS(code=text, name=text, get_project_type_display=lambda: text, institution=text)
    ev = NS(project=project, breakdown=[{"source": "survey", "score": Decimal("88.5")}], total=Decimal("83.40"),
            get_status_display=lambda: text, get_grade_display=lambda: text,
            published_at=timezone.make_aware(dt.datetime(2025, 12, 1, 9)))
    data = year_xlsx(evaluations=[ev], year=2025)
    assert assert_no_formula(data).count(text) == 6
    row = [c.value for c in _ws(data)[2]]
    assert 83.4 in row and 88.5 in row
