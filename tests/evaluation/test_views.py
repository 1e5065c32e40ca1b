"""Pages and outputs: scope and refused roles for every view, constant query counts on lists, the report PDF
(text extracted with pypdf), the Excel of a year, the dashboard charts and the institution record."""
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from projects.evaluation import services
from projects.evaluation.models import Evaluation, IndicatorSystem
from projects.models import Grade
from tests.factories.evaluation import completed_project, third_party_user, walk

ANSWER = {"design": 5, "resources": 4, "implementation": 5, "platform": 4, "effect": 5}


@pytest.fixture
def published(evaluation, personas, third_party):
    return walk(evaluation, personas, third_party, to="published", scores=("86", "84", "92"), answers=[ANSWER] * 3)


def test_list_scoped_and_constant_queries(personas, orgs, login, django_assert_max_num_queries):
    for i in range(2):
        services.evaluation_open(actor=personas.province, project=completed_project(orgs, personas))
    client = login(personas.province)
    with django_assert_max_num_queries(14) as small:
        assert client.get("/evaluation/").status_code == 200
    for i in range(4):
        services.evaluation_open(actor=personas.province, project=completed_project(orgs, personas))
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get("/evaluation/")
    assert page.content.count(b"data-status=") == 6


@pytest.mark.parametrize("who, status", [("school", 403), ("other_county", 200)])
def test_list_refused_roles(evaluation, personas, login, who, status):
    page = login(personas[who]).get("/evaluation/")
    assert page.status_code == status
    if status == 200:
        assert b"data-status=" not in page.content  # 新建区: the project does not serve it


@pytest.mark.parametrize("who, status", [("province", 200), ("office", 200), ("auditor", 200), ("institution", 200),
                                         ("other_institution", 404), ("expert", 404), ("henan_province", 404),
                                         ("school", 403)])
def test_detail_scope(evaluation, personas, login, who, status):
    assert login(personas[who]).get(f"/evaluation/{evaluation.pk}/").status_code == status


def test_assigned_expert_sees_and_scores_through_the_page(evaluation, personas, third_party, login):
    evaluation = walk(evaluation, personas, third_party, to="opened")
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    client = login(personas.expert)
    page = client.get(f"/evaluation/{evaluation.pk}/")
    assert page.status_code == 200 and b'data-testid="score-expert"' in page.content
    assert b'data-testid="score-self"' not in page.content
    client.post(f"/evaluation/{evaluation.pk}/score/", {"source": "expert", "score": "88", "comment": "好"})
    assert evaluation.assessments.get(source="expert").score == 88


def test_auditor_reads_but_cannot_act(evaluation, personas, third_party, login):
    evaluation = walk(evaluation, personas, third_party, to="opened")
    client = login(personas.auditor)
    client.post(f"/evaluation/{evaluation.pk}/action/", {"transition": "start_collecting"})
    evaluation.refresh_from_db()
    assert evaluation.status == "opened"
    assert client.post(f"/evaluation/{evaluation.pk}/tokens/").status_code == 403
    assert client.post(f"/evaluation/{evaluation.pk}/assign/", {"kind": "expert", "user": personas.expert.pk}
                       ).status_code == 403


def test_open_from_the_list_page(project, personas, login):
    client = login(personas.office)
    page = client.get("/evaluation/")
    assert f"open-{project.code}".encode() in page.content
    client.post(f"/evaluation/open/{project.pk}/")
    assert Evaluation.objects.filter(project=project).exists()


def test_open_refused_from_the_page(project, personas, login):
    login(personas.institution).post(f"/evaluation/open/{project.pk}/")
    assert not Evaluation.objects.exists()


def test_tokens_page_lists_links_without_names(evaluation, personas, third_party, login):
    client = login(personas.province)
    page = client.post(f"/evaluation/{evaluation.pk}/tokens/")
    assert page.content.count(b"/evaluation/survey/") >= 8
    names = list(evaluation.project.enrolments.values_list("teacher__name", flat=True))
    assert not any(n.encode() in page.content for n in names)


def test_r62_report_pdf_has_the_grade_and_charts(published, personas, login):
    with translation.override("zh-hans"):
        response = login(personas.province).get(f"/evaluation/{published.pk}/report.pdf")
        grade = str(Grade(published.grade).label)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert published.project.name in text and grade in text and str(published.total) in text
    assert "满意度" in text  # the dimension chart's title


@pytest.mark.parametrize("who, status", [("other_institution", 404), ("unassigned_expert", 404), ("school", 403),
                                         ("henan_province", 404)])
def test_report_pdf_refused(published, personas, orgs, login, who, status):
    from tests.factories import UserFactory

    user = UserFactory(role="expert", organisation=orgs.evaluator) if who == "unassigned_expert" else personas[who]
    assert login(user).get(f"/evaluation/{published.pk}/report.pdf").status_code == status


def test_institution_sees_its_grade_only_once_published(evaluation, personas, third_party, login):
    evaluation = walk(evaluation, personas, third_party, to="graded")
    client = login(personas.institution)
    assert b'data-testid="grade"' not in client.get(f"/evaluation/{evaluation.pk}/").content
    assert client.get(f"/evaluation/{evaluation.pk}/report.pdf").status_code == 404
    services.evaluation_publish(actor=personas.province, evaluation=evaluation)
    assert b'data-testid="grade"' in client.get(f"/evaluation/{evaluation.pk}/").content


def test_year_excel_opens_with_every_evaluation(published, personas, login):
    response = login(personas.province).get(f"/evaluation/year/{published.project.plan.year}.xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == published.project.code
    assert rows[1][-3] == float(published.total)


@pytest.mark.parametrize("who", ["institution", "expert", "school"])
def test_year_excel_and_dashboard_refused(published, personas, login, who):
    client = login(personas[who])
    assert client.get("/evaluation/year/2025.xlsx").status_code == 403
    assert client.get("/evaluation/dashboard/").status_code == 403


def test_survey_answers_export_refused_to_institution_and_assessors(published, personas, login, third_party):
    for who in (personas.institution, personas.expert, third_party):
        assert login(who).get(f"/evaluation/{published.pk}/survey.xlsx").status_code in (403, 404)
    assert login(personas.province).get(f"/evaluation/{published.pk}/survey.xlsx").status_code in (200, 404)


def test_dashboard_charts_and_home_panel(published, personas, login, orgs):
    client = login(personas.province)
    page = client.get("/evaluation/dashboard/").content.decode()
    for testid in ("chart-grades", "chart-ranking"):
        assert f'data-testid="{testid}"' in page
    assert orgs.institution.name in page
    assert "<script" not in page.split("<main")[1]
    assert 'data-testid="chart-grades"' in client.get("/").content.decode()


def test_institution_record_own_only(published, personas, login, orgs):
    url = f"/evaluation/institutions/{orgs.institution.pk}/"
    page = login(personas.institution).get(url)
    assert page.status_code == 200 and published.project.code.encode() in page.content
    assert b'data-testid="chart-trend"' in page.content
    assert login(personas.other_institution).get(url).status_code == 404
    assert login(personas.expert).get(url).status_code == 403
    assert login(personas.province).get(url).status_code == 200


def test_systems_page_creates_a_version_and_refuses_others(personas, login):
    data = {"project_type": "preschool", "survey": "25", "completion_rate": "20", "expert": "20", "third_party": "15",
            "self": "5", "participation_rate": "5", "priority_coverage": "5", "budget_execution": "5"}
    assert login(personas.office).post("/evaluation/systems/", data).status_code == 403
    login(personas.province).post("/evaluation/systems/", {**data, "self": "6"})
    assert not IndicatorSystem.objects.exists()  # R60: 101
    login(personas.province).post("/evaluation/systems/", data)
    assert IndicatorSystem.objects.get().project_type == "preschool"
    assert login(personas.school).get("/evaluation/systems/").status_code == 403


def test_demo_step_evaluates_the_demo_project_idempotently(db, monkeypatch):
    from backoffice import demo
    from projects.enrolment.demo import demo_enrolment
    from projects.evaluation.demo import demo_evaluation
    from projects.models import Project

    monkeypatch.setattr(demo, "DEMO_STEPS", [(200, demo_enrolment), (300, demo_evaluation)])
    demo.seed_demo(teachers_per_school=4)
    demo.seed_demo(teachers_per_school=4)
    evaluation = Evaluation.objects.get()
    assert evaluation.status == "published" and evaluation.responses.count() >= 3
    project = Project.objects.get(pk=evaluation.project_id)
    from projects.enrolment.demo import PAST_CODE

    assert project.code == PAST_CODE
    assert project.grade == evaluation.grade and project.status == "evaluated"


def test_report_pdf_escapes_user_text(evaluation, personas, third_party, login):
    from projects.models import Project

    Project.objects.filter(pk=evaluation.project_id).update(name="研修<项目> & 评价")
    evaluation = walk(Evaluation.objects.get(pk=evaluation.pk), personas, third_party, to="published")
    response = login(personas.province).get(f"/evaluation/{evaluation.pk}/report.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "研修<项目> & 评价" in text


def test_dashboard_and_record_constant_queries(personas, orgs, login, django_assert_max_num_queries):
    def publish_one(i):
        project = completed_project(orgs, personas)
        evaluation = services.evaluation_open(actor=personas.province, project=project)
        walk(evaluation, personas, third_party_user(orgs, name=f"tpq{i}_{project.pk}"), to="published",
             answers=[ANSWER] * 3)

    publish_one(0)
    client = login(personas.province)
    urls = ["/evaluation/dashboard/", f"/evaluation/institutions/{orgs.institution.pk}/", "/"]
    counts = []
    for url in urls:
        with django_assert_max_num_queries(40) as q:
            client.get(url)
        counts.append(len(q.captured_queries))
    for i in range(1, 4):
        publish_one(i)
    for url, n in zip(urls, counts):
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("who, status", [("other_institution", 404), ("school", 404), ("auditor", 302),
                                         ("province", 302)])
def test_score_page_refused_to_others(evaluation, personas, third_party, login, who, status):
    evaluation = walk(evaluation, personas, third_party, to="opened")
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    response = login(personas[who]).post(f"/evaluation/{evaluation.pk}/score/", {"source": "self", "score": "99"})
    assert response.status_code == status
    assert not evaluation.assessments.exists()


def test_list_links_the_institution_record_only_for_those_who_may_open_it(evaluation, personas, third_party, login,
                                                                          orgs):
    evaluation = walk(evaluation, personas, third_party, to="opened")
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    url = f'href="/evaluation/institutions/{orgs.institution.pk}/"'
    for who, linked in (("expert", False), ("province", True), ("institution", True)):
        page = login(personas[who]).get("/evaluation/").content.decode()
        assert (url in page) is linked, who
        assert orgs.institution.name in page, who


@pytest.mark.parametrize("year", ["abc", "-1", "²", "2026"])
def test_list_with_a_typed_year_that_is_not_a_year_still_opens(evaluation, personas, login, year):
    page = login(personas.province).get("/evaluation/", {"year": year})
    assert page.status_code == 200
    assert "/evaluation/year/" in page.content.decode()


@pytest.mark.parametrize("user", ["abc", "²", "-1", ""])
def test_assign_without_a_valid_person_is_refused_in_chinese(evaluation, personas, login, user):
    page = login(personas.province).post(f"/evaluation/{evaluation.pk}/assign/", {"kind": "expert", "user": user},
                                         follow=True)
    assert page.status_code == 200 and "请选择人员" in page.content.decode()
    assert not evaluation.assignments.exists()


def test_report_file_name_with_a_chinese_or_quoted_project_code_is_encoded(published, personas, login):
    from projects.models import Project

    Project.objects.filter(pk=published.project_id).update(code='赣"01')
    response = login(personas.province).get(f"/evaluation/{published.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''evaluation-%E8%B5%A3%2201.pdf"


def test_detail_links_the_institution_record_only_for_those_who_may_open_it(evaluation, personas, third_party, login,
                                                                            orgs):
    evaluation = walk(evaluation, personas, third_party, to="opened")
    services.evaluation_start_collecting(actor=personas.province, evaluation=evaluation)
    url = f'href="/evaluation/institutions/{orgs.institution.pk}/"'
    for who, linked in (("expert", False), ("province", True), ("institution", True)):
        page = login(personas[who]).get(f"/evaluation/{evaluation.pk}/").content.decode()
        assert (url in page) is linked, who
        assert login(personas[who]).get(f"/evaluation/institutions/{orgs.institution.pk}/").status_code == (
            200 if linked else 403), who


def test_opened_evaluation_is_not_labelled_as_a_tender_opening(evaluation, personas, login):
    page = login(personas.province).get(f"/evaluation/{evaluation.pk}/").content.decode()
    status = page.split('data-testid="status"')[1].split("</")[0]
    assert "已启动" in status and "开标" not in status


def test_list_as_the_institution_constant_queries(personas, orgs, login, django_assert_max_num_queries):
    """The per-row permission checks (record link, grade) read nothing more from the database."""
    services.evaluation_open(actor=personas.province, project=completed_project(orgs, personas))
    client = login(personas.institution)
    with django_assert_max_num_queries(20) as small:
        assert client.get("/evaluation/").status_code == 200
    for _i in range(3):
        services.evaluation_open(actor=personas.province, project=completed_project(orgs, personas))
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get("/evaluation/")
    assert page.content.count(b"data-status=") == 4
