"""Pages: refused roles, masking on every list and export (R30), query counts, public verification (R44)."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from backoffice.models import AuditEvent
from projects.enrolment import services
from projects.enrolment.demo import demo_enrolment

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def finished(make_project, make_teacher, enrol, personas, orgs):
    project = make_project(status="in_progress", start=TODAY() - dt.timedelta(days=5), end=TODAY() + dt.timedelta(days=1))
    people = [make_teacher() for _ in range(3)] + [make_teacher(school=orgs.other_school)]
    enrolments = [enrol(project, t, "in_training") for t in people]
    for e in enrolments:
        services.enrolment_complete(actor=personas.institution, enrolment=e)
    return project, people, enrolments


LIST_PAGES = ["enrolment:enrolment_list", "enrolment:credit_list", "enrolment:certificate_list", "enrolment:exemption_list"]


@pytest.mark.parametrize("who", ["expert", "finance"])
@pytest.mark.parametrize("url", ["enrolment:project_list", *LIST_PAGES])
def test_pages_refuse_roles_without_business(login, personas, who, url):
    assert login(personas[who]).get(reverse(url)).status_code == 403


def test_pages_need_login(client):
    assert client.get(reverse("enrolment:project_list")).status_code == 302


def test_r30_ids_are_masked_on_every_list_and_export(login, personas, finished, exported):
    project, people, enrolments = finished
    services.certificates_issue(actor=personas.institution, project=project)
    client = login(personas.province)
    pages = [reverse(u) for u in LIST_PAGES] + [
        reverse("enrolment:project_detail", args=[project.pk]), reverse("enrolment:enrolment_detail", args=[enrolments[0].pk]),
        reverse("enrolment:teacher_detail", args=[people[0].pk])]
    for url in pages:
        html = client.get(url).content.decode()
        for t in people[:1]:
            assert t.id_number not in html, url
            if "teacher" in url or "trainees" in url or "credits" in url or "certificates" in url or "projects" in url:
                assert t.masked_id_number in html, url
    sheet = load_workbook(io.BytesIO(exported(client, reverse("enrolment:project_export", args=[project.pk])).content_bytes)).active
    values = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert people[0].id_number not in values and people[0].masked_id_number in values
    assert AuditEvent.objects.filter(action="export").exists()


def test_r30_credit_export_full_id_only_for_the_province_that_sends_it(login, personas, finished, exported):
    project, people, enrolments = finished
    from projects.enrolment.models import CreditRecord

    for c in CreditRecord.objects.filter(enrolment__project=project):
        services.credit_move(actor=personas.office, credit=c, name="approve")
    url = reverse("enrolment:credit_export")
    county = load_workbook(io.BytesIO(exported(login(personas.county), url).content_bytes)).active
    county_values = [[c.value for c in row] for row in county.iter_rows()]
    assert len(county_values) == 1 + 3  # header + the county's three teachers
    assert all(people[0].id_number not in str(row) for row in county_values)
    province = load_workbook(io.BytesIO(exported(login(personas.province), url).content_bytes)).active
    assert people[0].id_number in {c.value for row in province.iter_rows() for c in row}


def test_scope_county_school_institution(login, personas, finished, make_project, make_teacher, enrol, orgs):
    project, people, _ = finished
    other = make_project(institution=orgs.other_institution, category="thematic")
    enrol(other, make_teacher())
    def rows(user):
        return login(user).get(reverse("enrolment:enrolment_list")).context["object_list"].count()
    assert rows(personas.county) == 4  # 3 completed + 1 applicant of the other project
    assert rows(personas.other_county) == 1
    assert rows(personas.school) == 4
    assert rows(personas.institution) == 4
    assert rows(personas.other_institution) == 1
    assert login(personas.other_institution).get(reverse("enrolment:project_detail", args=[project.pk])).status_code == 404


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_pages_query_count_is_constant(login, personas, finished, django_assert_max_num_queries, url):
    client = login(personas.province)
    with django_assert_max_num_queries(25):
        client.get(reverse(url))


def test_project_page_query_count_is_constant(login, personas, finished, make_teacher, enrol,
                                              django_assert_max_num_queries):
    project, _, _ = finished
    client = login(personas.province)
    with django_assert_max_num_queries(20):
        client.get(reverse("enrolment:project_detail", args=[project.pk]))


def test_r44_public_verification_without_login_shows_no_full_id(client, personas, finished):
    project, people, enrolments = finished
    cert = services.certificates_issue(actor=personas.institution, project=project)[0]
    url = reverse("enrolment:certificate_verify")
    html = client.get(url, {"number": cert.number, "code": cert.verification_code}).content.decode()
    teacher = cert.enrolment.teacher
    assert teacher.name in html and project.name in html and "证书有效" in html
    assert teacher.id_number not in html and teacher.id_number[6:14] not in html
    assert "没有与该编号和验证码相符的证书" in client.get(url, {"number": cert.number, "code": "XXXX"}).content.decode()


def test_r45_withdrawn_certificate_shows_as_withdrawn(client, personas, finished):
    project, _, enrolments = finished
    cert = services.certificates_issue(actor=personas.institution, project=project)[0]
    services.enrolment_correct_outcome(actor=personas.province, enrolment=cert.enrolment, reason="更正")
    html = client.get(reverse("enrolment:certificate_verify"), {"number": cert.number, "code": cert.verification_code}).content.decode()
    assert "该证书已撤销" in html


def test_r43_certificate_batch_job_produces_a_pdf(login, personas, finished, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    project, _, _ = finished
    client = login(personas.institution)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolment:certificate_batch", args=[project.pk]))
    job_page = client.get(response.url)
    job = job_page.context["job"]
    assert (job.status, job.progress, job.issued) == ("succeeded", 100, 4)
    pdf = client.get(reverse("enrolment:certificate_job_file", args=[job.pk]))
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    assert len(reader.pages) == 4
    text = reader.pages[0].extract_text()
    assert "结业证书" in text and "GP" in text
    assert login(personas.county).post(reverse("enrolment:certificate_batch", args=[project.pk])).status_code == 403


def test_r34_teacher_page_shows_integrity_record_and_ban(login, personas, past_project, teacher, enrol):
    enrol(past_project(2025, end=dt.date(2025, 7, 1), name="乡村教师访名校"), teacher, "no_show")
    html = login(personas.county).get(reverse("enrolment:teacher_detail", args=[teacher.pk])).content.decode()
    assert "参训诚信档案" in html and "2025年《乡村教师访名校》项目未参训，2028-07-01 前不得参加国培" in html
    assert login(personas.other_county).get(reverse("enrolment:teacher_detail", args=[teacher.pk])).status_code == 404
    assert login(personas.other_institution).get(reverse("enrolment:teacher_detail", args=[teacher.pk])).status_code == 404


def test_enrolment_page_actions_and_refusal_reasons(login, personas, project, teacher, enrol):
    e = enrol(project, teacher)
    client = login(personas.county)
    html = client.get(reverse("enrolment:enrolment_detail", args=[e.pk])).content.decode()
    assert 'data-transition="recommend"' in html
    response = client.post(reverse("enrolment:enrolment_detail", args=[e.pk]), {"transition": "recommend"})
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.status == "recommended"
    html = login(personas.institution).get(reverse("enrolment:enrolment_detail", args=[e.pk])).content.decode()
    assert 'data-transition="select"' in html


def test_demo_step_is_idempotent_and_safe_without_projects(db):
    assert demo_enrolment() is None  # no demo organisations or projects: nothing to do, no error


def test_admin_import_page_of_the_registry_renders(client, personas, teacher):
    from backoffice.models import User

    admin = User.objects.create_superuser(username="root", password="Root-password-2026")
    client.force_login(admin)
    assert client.get(reverse("admin:enrolment_registryteacher_import")).status_code == 200
    listing = client.get(reverse("admin:enrolment_registryteacher_changelist")).content.decode()
    assert teacher.masked_id_number in listing and teacher.id_number not in listing
    listing = client.get(reverse("admin:enrolment_enrolment_changelist")).status_code
    assert listing == 200


def test_r32_school_enters_one_application_by_id_number(login, personas, project, teacher, make_teacher, orgs):
    from projects.enrolment.models import Enrolment

    client = login(personas.school)
    url = reverse("enrolment:project_apply", args=[project.pk])
    client.post(url, {"id_number": teacher.id_number.lower(), "nominated_by": "teacher"})
    e = Enrolment.objects.get(project=project, teacher=teacher)
    assert (e.status, e.nominated_by, e.applied_by) == ("applied", "teacher", personas.school)
    client.post(url, {"id_number": teacher.id_number, "nominated_by": "school"})  # R37: refused, still one
    assert Enrolment.objects.filter(project=project, teacher=teacher).count() == 1
    stranger = make_teacher(school=orgs.other_school)
    client.post(url, {"id_number": stranger.id_number, "nominated_by": "school"})
    assert not Enrolment.objects.filter(teacher=stranger).exists()
    assert login(personas.institution).post(url, {"id_number": teacher.id_number, "nominated_by": "school"}).status_code == 403


def test_teacher_import_page(login, personas):
    assert login(personas.county).get(reverse("enrolment:teacher_import")).status_code == 200
    assert login(personas.institution).get(reverse("enrolment:teacher_import")).status_code == 403


def test_dashboard_shows_what_waits_for_each_role(login, personas, project, teacher, enrol):
    enrol(project, teacher)
    html = login(personas.county).get("/").content.decode()
    assert "待推荐的申报" in html
    assert "待遴选的已推荐人员" in login(personas.institution).get("/").content.decode()
    assert login(personas.expert).get("/").status_code == 200


@pytest.mark.parametrize("hours", ["abc", "²", "-5", "8.5"])
def test_r41_credit_hours_that_are_not_a_whole_number_are_refused_in_chinese(make_project, teacher, enrol, personas,
                                                                            login, hours):
    from projects.enrolment.models import CreditRecord

    running = make_project(status="in_progress", start=TODAY() - dt.timedelta(days=5),
                           end=TODAY() + dt.timedelta(days=5), hours=80)
    e = enrol(running, teacher, "in_training")
    services.enrolment_move(actor=personas.institution, enrolment=e, name="complete")
    credit = CreditRecord.objects.get(enrolment=e)
    services.credit_move(actor=personas.office, credit=credit, name="return_", reason="学时有误")
    page = login(personas.institution).post(f"/enrolment/credits/{credit.pk}/",
                                            {"transition": "resubmit", "hours": hours}, follow=True)
    assert page.status_code == 200 and "学时请填写整数" in page.content.decode()
    credit.refresh_from_db()
    assert (credit.status, credit.hours) == ("returned", 80)


@pytest.mark.parametrize("target, expected", [("https://evil.example/", "/enrolment/credits/"),
                                              ("//evil.example/", "/enrolment/credits/"),
                                              ("/enrolment/credits/?year=2026", "/enrolment/credits/?year=2026")])
def test_credit_move_goes_back_only_to_a_page_of_this_site(make_project, teacher, enrol, personas, login, target,
                                                           expected):
    from projects.enrolment.models import CreditRecord

    running = make_project(status="in_progress", start=TODAY() - dt.timedelta(days=5),
                           end=TODAY() + dt.timedelta(days=5), hours=80)
    e = enrol(running, teacher, "in_training")
    services.enrolment_move(actor=personas.institution, enrolment=e, name="complete")
    credit = CreditRecord.objects.get(enrolment=e)
    response = login(personas.office).post(f"/enrolment/credits/{credit.pk}/", {"transition": "approve",
                                                                                 "next": target})
    assert response.status_code == 302 and response["Location"] == expected


def test_export_file_name_with_a_chinese_or_quoted_project_code_is_encoded(make_project, personas, login, exported):
    project = make_project(code='赣"01')
    response = exported(login(personas.province), f"/enrolment/projects/{project.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''trainees-%E8%B5%A3%2201.xlsx"


@pytest.mark.parametrize("name, content, message", [("证明.exe", b"MZ\x90\x00", "pdf, jpg, jpeg, png"),
                                                    ("证明.html", b"<script>alert(1)</script>", "pdf, jpg, jpeg, png")])
def test_r35_exemption_evidence_must_be_a_pdf_or_a_scan(past_project, teacher, enrol, personas, login, name, content,
                                                        message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.enrolment.models import Exemption

    outcome = enrol(past_project(2025, end=dt.date(2025, 7, 1)), teacher, "no_show")
    page = login(personas.county).post(f"/enrolment/trainees/{outcome.pk}/exemption/", {
        "ground": "illness", "explanation": "住院", "evidence": SimpleUploadedFile(name, content)})
    assert page.status_code == 200 and message in page.content.decode()
    assert not Exemption.objects.exists()
    ok = login(personas.county).post(f"/enrolment/trainees/{outcome.pk}/exemption/", {
        "ground": "illness", "explanation": "住院", "evidence": SimpleUploadedFile("证明.pdf", b"%PDF-1.4")})
    assert ok.status_code == 302 and Exemption.objects.count() == 1
