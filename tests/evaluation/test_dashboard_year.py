"""Issue 14 #6: the evaluation dashboard has a year choice, opens on the latest year with a published evaluation,
and its year workbook holds what the page shows (R63, R65)."""
import io

import pytest
from openpyxl import load_workbook

from tests.factories.evaluation import walk

ANSWER = {"design": 5, "resources": 4, "implementation": 5, "platform": 4, "effect": 5}


@pytest.fixture
def published(evaluation, personas, third_party):
    return walk(evaluation, personas, third_party, to="published", scores=("86", "84", "92"), answers=[ANSWER] * 3)


def test_r65_dashboard_opens_on_the_published_year_and_its_workbook_holds_that_evaluation(published, personas,
                                                                                          login):
    year = published.project.plan.year
    client = login(personas.province)
    page = client.get("/evaluation/dashboard/").content.decode()
    assert f'<option value="{year}" selected>' in page
    assert f"/evaluation/year/{year}.xlsx" in page
    assert "1 " in page.split("data-testid=\"year-choice\"")[1]
    book = load_workbook(io.BytesIO(client.get(f"/evaluation/year/{year}.xlsx").content))
    codes = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True) if row[0]]
    assert codes == [published.project.code]


def test_r65_another_year_shows_none_and_a_bad_year_falls_back(published, personas, login):
    year = published.project.plan.year
    client = login(personas.province)
    other = client.get("/evaluation/dashboard/", {"year": year + 1}).content.decode()
    assert f'<option value="{year + 1}" selected>' in other and f"/evaluation/year/{year + 1}.xlsx" in other
    assert "0 " in other.split("data-testid=\"year-choice\"")[1]
    bad = client.get("/evaluation/dashboard/", {"year": "二〇二六"})
    assert bad.status_code == 200 and f'<option value="{year}" selected>' in bad.content.decode()
