"""Bulk daily work on the trainee list (issue 12): tick rows or take every row the filter matches, recommend /
reject / select / reserve / withdraw (R32, R36) for the roles that may, refusals reported per trainee."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice.exceptions import DomainError
from backoffice.models import AuditEvent
from projects.enrolment.models import Enrolment
from projects.enrolment.ranking import ranking_scores_import
from tests.enrolment.xlsx import workbook

pytestmark = pytest.mark.django_db
URL = reverse("enrolment:enrolment_bulk")


def statuses(rows):
    found = dict(Enrolment.objects.filter(pk__in=[e.pk for e in rows]).values_list("pk", "status"))
    return [found[e.pk] for e in rows]


def post(client, action, *, filter="", scope="all", pks=(), **extra):
    return client.post(URL, {"action": action, "filter": filter, "scope": scope, "pk": [str(p) for p in pks], **extra})


def test_r32_select_all_matching_acts_on_exactly_the_filter(project, make_project, make_teacher, enrol, personas,
                                                            login):
    mine = [enrol(project, make_teacher(name=f"甲{i}")) for i in range(3)]
    other_project = enrol(make_project(), make_teacher(name="乙"))
    wrong_state = enrol(project, make_teacher(name="丙"), "selected")
    response = post(login(personas.county), "recommend", filter=f"project={project.code}&status=applied")
    assert response.status_code == 200
    assert statuses(mine) == ["recommended"] * 3
    assert statuses([other_project, wrong_state]) == ["applied", "selected"]  # outside the filter: untouched
    assert "3" in response.content.decode().split('data-testid="bulk-done"')[1][:200]


def test_r32_only_the_ticked_rows_move(project, make_teacher, enrol, personas, login):
    rows = [enrol(project, make_teacher()) for i in range(3)]
    post(login(personas.county), "recommend", filter=f"project={project.code}", scope="ticked", pks=[rows[1].pk])
    assert statuses(rows) == ["applied", "recommended", "applied"]


def test_refusals_are_reported_per_trainee_with_the_reason(project, make_teacher, enrol, personas, login):
    ok = enrol(project, make_teacher(name="可推荐"))
    late = enrol(project, make_teacher(name="已入选"), "selected")
    response = post(login(personas.county), "recommend", filter=f"project={project.code}")
    page = response.content.decode()
    assert statuses([ok, late]) == ["recommended", "selected"]
    refused = page.split('data-testid="bulk-refused"')[1]
    assert "已入选" in refused and "可推荐" not in refused
    assert "“推荐”" in refused  # the Chinese reason names the move and the status


def test_r13_bulk_reject_takes_the_rule_or_a_reason(project, make_teacher, enrol, personas, login):
    a, b = enrol(project, make_teacher()), enrol(project, make_teacher())
    client = login(personas.county)
    post(client, "reject", filter=f"project={project.code}")
    assert statuses([a, b]) == ["applied", "applied"]  # no reason, no rule: each refused (R13)
    post(client, "reject", filter=f"project={project.code}", scope="ticked", pks=[a.pk], rule="R34")
    a.refresh_from_db()
    assert (a.status, a.reject_rule) == ("rejected", "R34") and a.reject_reason.startswith("R34：")
    post(client, "reject", filter=f"project={project.code}", scope="ticked", pks=[b.pk], reason="材料不全")
    b.refresh_from_db()
    assert (b.status, b.reject_reason) == ("rejected", "材料不全")
    assert AuditEvent.objects.filter(transition="reject", object_id__in=[str(a.pk), str(b.pk)]).count() == 2


def test_r32_institution_selects_within_quota_by_its_ranking_and_the_rest_go_to_reserve(project, make_teacher,
                                                                                        enrol, personas, login):
    now = timezone.now()
    rows = [enrol(project, make_teacher(), "recommended", submitted_at=now + dt.timedelta(minutes=i),
                  ranking_score=Decimal(score)) for i, score in enumerate(["60", "95", "70", "88"])]
    response = post(login(personas.institution), "select", filter=f"project={project.code}", order="ranking")
    assert response.status_code == 200
    assert statuses(rows) == ["reserve", "selected", "reserve", "selected"]  # quota 2: scores 95 and 88


def test_r32_by_submission_order_when_asked(project, make_teacher, enrol, personas, login):
    now = timezone.now()
    rows = [enrol(project, make_teacher(), "recommended", submitted_at=now + dt.timedelta(minutes=i),
                  ranking_score=Decimal(score)) for i, score in enumerate(["60", "95", "70"])]
    post(login(personas.institution), "select", filter=f"project={project.code}", order="submitted")
    assert statuses(rows) == ["selected", "selected", "reserve"]


def test_r36_bulk_withdrawal_frees_places_for_the_first_reserves(project, make_teacher, enrol, personas, login):
    now = timezone.now()
    held = [enrol(project, make_teacher(), "selected") for _ in range(2)]
    reserves = [enrol(project, make_teacher(), "reserve", submitted_at=now + dt.timedelta(minutes=i)) for i in range(3)]
    post(login(personas.county), "withdraw", filter=f"project={project.code}&status=selected", reason="调动工作")
    assert statuses(held) == ["withdrawn", "withdrawn"]
    assert statuses(reserves) == ["selected", "selected", "reserve"]


@pytest.mark.parametrize("who,action", [("school", "reject"), ("institution", "recommend"), ("county", "select"),
                                        ("auditor", "recommend"), ("finance", "withdraw"), ("expert", "reserve")])
def test_a_bulk_move_the_role_may_not_make_is_refused(project, make_teacher, enrol, personas, login, who, action):
    e = enrol(project, make_teacher(), "recommended")
    response = post(login(personas[who]), action, filter=f"project={project.code}", reason="x")
    assert response.status_code == 403
    assert statuses([e]) == ["recommended"]


def test_rows_outside_the_users_scope_never_move(project, make_teacher, enrol, personas, orgs, login):
    theirs = enrol(project, make_teacher(school=orgs.other_school))
    mine = enrol(project, make_teacher())
    post(login(personas.county), "recommend", filter="")
    assert statuses([mine, theirs]) == ["recommended", "applied"]
    post(login(personas.other_institution), "select", filter="")
    assert statuses([mine]) == ["recommended"]  # another institution's project is not in its list


def test_an_invalid_filter_does_nothing(project, make_teacher, enrol, personas, login):
    e = enrol(project, make_teacher())
    response = post(login(personas.county), "recommend", filter="status=no_such_status")
    assert response.status_code == 302 and statuses([e]) == ["applied"]


def test_search_by_name_school_and_last_digits_of_the_id_number(project, make_teacher, enrol, personas, login):
    a = enrol(project, make_teacher(name="张三"))
    b = enrol(project, make_teacher(name="李四"))
    client = login(personas.county)
    url = reverse("enrolment:enrolment_list")

    def names(q, **params):
        page = client.get(url, {"q": q, **params}).content.decode()
        return {n for n in ("张三", "李四") if n in page}

    assert names("张") == {"张三"}
    assert names(b.teacher.id_number[-4:]) == {"李四"}
    assert names("南昌县实验小学") == {"张三", "李四"}
    up = client.get(url, {"ordering": "name"}).content.decode()
    down = client.get(url, {"ordering": "-name"}).content.decode()
    # Sorted by a shown column, both ways.
    assert (up.index("张三") < up.index("李四")) != (down.index("张三") < down.index("李四"))
    assert a.pk


@pytest.mark.parametrize("ids_max", [5000, 1])
def test_search_finds_the_same_trainees_whether_few_or_many_teachers_match(project, make_teacher, enrol, personas,
                                                                            login, ids_max, monkeypatch):
    """The search reads the matching teachers' ids first when they are few, else keeps a subquery; both say the
    same. Three characters match anywhere in the name, one or two the start of it (as in the teacher registry)."""
    from projects.enrolment import filters

    monkeypatch.setattr(filters, "SEARCH_IDS_MAX", ids_max)
    for name in ("欧阳明华", "明华", "张明华"):
        enrol(project, make_teacher(name=name))
    client = login(personas.county)
    url = reverse("enrolment:enrolment_list")

    def names(q):
        page = client.get(url, {"q": q}).content.decode()
        return {n for n in ("欧阳明华", "张明华") if n in page} | ({"明华"} if ">明华<" in page else set())

    assert names("阳明华") == {"欧阳明华"}
    assert names("明华") == {"明华"}
    assert names("欧阳") == {"欧阳明华"}
    assert names("南昌县实验小学") == {"欧阳明华", "明华", "张明华"}


def test_bulk_query_count_does_not_grow_with_rows(project, make_project, make_teacher, enrol, personas, login):
    small, large = make_project(quota=100), make_project(quota=100)
    for i in range(3):
        enrol(small, make_teacher())
    for i in range(30):
        enrol(large, make_teacher())
    client = login(personas.county)
    counts = []
    for p in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            post(client, "recommend", filter=f"project={p.code}")
        counts.append(len(ctx))
    assert Enrolment.objects.filter(status="recommended").count() == 33
    assert counts[0] == counts[1], counts


def test_r32_ranking_scores_are_imported_by_the_institution_only(project, make_teacher, enrol, personas):
    a, b = enrol(project, make_teacher()), enrol(project, make_teacher())
    data = workbook([[a.teacher.id_number, 91.5], [b.teacher.id_number, "80"]], header=["身份证号", "评分"])
    with pytest.raises(DomainError) as err:
        ranking_scores_import(actor=personas.county, project=project, data=data)
    assert err.value.code == "transition_forbidden"
    assert ranking_scores_import(actor=personas.institution, project=project, data=data) == 2
    a.refresh_from_db()
    assert a.ranking_score == Decimal("91.50")
    assert AuditEvent.objects.filter(object_id=str(a.pk), action="update").exists()  # R3


def test_ranking_import_reports_every_bad_row_and_writes_nothing(project, make_teacher, enrol, personas):
    a = enrol(project, make_teacher())
    data = workbook([[a.teacher.id_number, "高"], [a.teacher.id_number, 70]], header=["身份证号", "评分"])
    with pytest.raises(DomainError) as err:
        ranking_scores_import(actor=personas.institution, project=project, data=data)
    assert err.value.code == "invalid_rows" and len(err.value.errors) == 1
    a.refresh_from_db()
    assert a.ranking_score is None


def test_r32_institution_enters_a_score_by_hand_and_others_may_not(project, make_teacher, enrol, personas, login):
    e = enrol(project, make_teacher())
    url = reverse("enrolment:enrolment_ranking", args=[e.pk])
    assert login(personas.county).post(url, {"score": "88"}).status_code == 403
    login(personas.other_institution).post(url, {"score": "88"})
    e.refresh_from_db()
    assert e.ranking_score is None
    login(personas.institution).post(url, {"score": "x"})
    e.refresh_from_db()
    assert e.ranking_score is None  # refused with a Chinese message, never a 500
    login(personas.institution).post(url, {"score": "88.5"})
    e.refresh_from_db()
    assert e.ranking_score == Decimal("88.50")


def test_r32_ranking_upload_page_for_the_institution_only(project, make_teacher, enrol, personas, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    e = enrol(project, make_teacher())
    data = workbook([[e.teacher.id_number, 77]], header=["身份证号", "评分"])
    url = reverse("enrolment:project_ranking", args=[project.pk])

    def upload(user):
        return login(user).post(url, {"file": SimpleUploadedFile("scores.xlsx", data)})

    assert upload(personas.county).status_code == 403
    assert upload(personas.institution).status_code == 302
    e.refresh_from_db()
    assert e.ranking_score == Decimal("77.00")


# -- "all N that match" past the threshold runs as a background job (setting enrolment.bulk_job_threshold) -----
def _threshold(personas, value):
    from backoffice.config import setting_set

    setting_set(key="enrolment.bulk_job_threshold", value=str(value), actor=personas.ministry)


def test_r32_all_matching_within_the_threshold_stays_in_the_request(project, make_teacher, enrol, personas, login):
    from projects.enrolment.models import BulkActionJob

    _threshold(personas, 3)
    rows = [enrol(project, make_teacher()) for _ in range(3)]
    response = post(login(personas.county), "recommend", filter=f"project={project.code}")
    assert response.status_code == 200 and 'data-testid="bulk-result"' in response.content.decode()
    assert statuses(rows) == ["recommended"] * 3 and not BulkActionJob.objects.exists()


def test_r32_all_matching_past_the_threshold_runs_as_a_job_with_a_report_per_trainee(
        project, make_teacher, enrol, personas, login, django_capture_on_commit_callbacks, settings, tmp_path):
    import io

    from openpyxl import load_workbook

    from projects.enrolment.models import BulkActionJob

    settings.MEDIA_ROOT = tmp_path
    _threshold(personas, 2)
    movable = [enrol(project, make_teacher(name=f"甲{i}")) for i in range(3)]
    late = enrol(project, make_teacher(name="已入选"), "selected")
    client = login(personas.county)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "recommend", filter=f"project={project.code}")
    job = BulkActionJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("enrolment:bulk_job", args=[job.pk])
    assert statuses(movable) == ["recommended"] * 3 and statuses([late]) == ["selected"]
    assert (job.status, job.progress, job.matched, job.moved, job.refused) == ("succeeded", 100, 4, 3, 1)
    # R3: each trainee's move has its own audit row, as in the request.
    assert AuditEvent.objects.filter(transition="recommend", object_id__in=[str(e.pk) for e in movable]).count() == 3
    page = client.get(response.url).content.decode()
    assert "推荐" in page and 'data-testid="bulk-report"' in page
    assert client.get(reverse("enrolment:bulk_job_status", args=[job.pk])).json()["done"]
    report = client.get(reverse("enrolment:bulk_job_report", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"甲0", "甲1", "甲2", "已入选"}  # one row per trainee
    assert rows["甲0"][5] == "已办理" and rows["已入选"][5] == "未办理" and "“推荐”" in rows["已入选"][6]
    assert "*" in rows["甲0"][1]  # masked ID number
    # The job and its report belong to whoever started it.
    assert login(personas.other_county).get(response.url).status_code == 404
    assert login(personas.province).get(reverse("enrolment:bulk_job_report", args=[job.pk])).status_code == 404


def test_r32_ticked_rows_stay_in_the_request_whatever_the_threshold(project, make_teacher, enrol, personas, login):
    from projects.enrolment.models import BulkActionJob

    _threshold(personas, 1)
    rows = [enrol(project, make_teacher()) for _ in range(3)]
    response = post(login(personas.county), "recommend", filter=f"project={project.code}", scope="ticked",
                    pks=[rows[0].pk, rows[1].pk])
    assert response.status_code == 200 and statuses(rows) == ["recommended", "recommended", "applied"]
    assert not BulkActionJob.objects.exists()


def test_bulk_job_refuses_a_role_that_may_not_move_before_any_job(project, make_teacher, enrol, personas):
    from projects.enrolment import services

    with pytest.raises(DomainError) as exc:
        services.enrolments_bulk_job_start(actor=personas.institution, name="recommend", filter_query="")
    assert exc.value.code == "forbidden"
    with pytest.raises(DomainError) as exc:
        services.enrolments_bulk_job_start(actor=personas.county, name="reject", filter_query="", rule="R99")
    assert exc.value.code == "unknown_rule"
