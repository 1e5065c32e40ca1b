"""Issue 14 C: the public 公示 list of selected trainees (R32, masked IDs R30) and the admission notices
(录取通知) of admitted trainees, one merged PDF per project."""
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from projects.enrolment import services

pytestmark = pytest.mark.django_db


def _pdf_text(response) -> tuple[int, str]:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return len(reader.pages), "".join(p.extract_text() for p in reader.pages)


def test_r32_r30_publicity_list_is_public_with_masked_ids_schools_window_and_how_to_object(
        client, personas, project, make_teacher, enrol, orgs):
    """Anyone, without logging in, reads who was selected: names, masked ID numbers, schools, the window's
    dates and whom to write to; the full ID number never appears."""
    shown = make_teacher(name="李明")
    waiting = make_teacher(name="赵强")
    enrol(project, shown, status="selected")
    enrol(project, waiting, status="recommended")
    services.project_publicise(actor=personas.province, project=project)

    listing = client.get(reverse("enrolment:publicity_list")).content.decode()
    assert project.name in listing and "公示" in listing
    page = client.get(reverse("enrolment:publicity_detail", args=[project.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "李明" in html and shown.masked_id_number in html and orgs.school.name in html
    assert shown.id_number not in html  # R30: masked for the public
    assert "赵强" not in html  # only publicised trainees are on the list
    shown.enrolments.get().refresh_from_db()
    ends_on = shown.enrolments.get().publicity_ends_on
    assert ends_on.isoformat() in html
    assert "异议" in html and orgs.office.name in html  # how to object, and to whom


def test_r32_a_project_without_publicised_trainees_has_no_public_list(client, project, make_teacher, enrol):
    enrol(project, make_teacher(name="钱多"), status="selected")
    assert client.get(reverse("enrolment:publicity_detail", args=[project.pk])).status_code == 404
    assert project.name not in client.get(reverse("enrolment:publicity_list")).content.decode()


def test_r32_admission_notices_one_page_per_admitted_trainee_in_one_pdf(login, personas, project, make_teacher,
                                                                        enrol, orgs):
    """The institution prints the project's notices as one PDF: one page per enrolled trainee, with the
    masked ID number; nobody still in the publicity window gets one."""
    first, second, pending = make_teacher(name="孙丽"), make_teacher(name="周杰"), make_teacher(name="吴敏")
    enrol(project, first, status="enrolled")
    enrol(project, second, status="in_training")
    enrol(project, pending, status="publicised")
    pages, text = _pdf_text(login(personas.institution).get(reverse("enrolment:admission_notices", args=[project.pk])))
    assert pages == 2
    assert "录取通知书" in text and "孙丽" in text and "周杰" in text and "吴敏" not in text
    assert first.masked_id_number in text and first.id_number not in text
    assert project.name in text and orgs.institution.name in text


def test_r32_admission_notices_follow_the_readers_scope(login, personas, project, make_teacher, enrol, orgs):
    """R2: the county prints its own teachers' notices; another institution reads nothing of the project."""
    from tests.factories import SchoolFactory, region

    elsewhere = SchoolFactory(name="新建区第二小学", region=region("360112"))
    enrol(project, make_teacher(name="郑好"), status="enrolled")
    enrol(project, make_teacher(name="冯远", school=elsewhere), status="enrolled")
    pages, text = _pdf_text(login(personas.county).get(reverse("enrolment:admission_notices", args=[project.pk])))
    assert pages == 1 and "郑好" in text and "冯远" not in text
    assert login(personas.other_institution).get(
        reverse("enrolment:admission_notices", args=[project.pk])).status_code == 404
    assert login(personas.expert).get(
        reverse("enrolment:admission_notices", args=[project.pk])).status_code == 403


def test_r32_no_admission_notice_before_enrolment(login, personas, project, make_teacher, enrol):
    """Before the window ends nobody is admitted: the page says why instead of an empty PDF."""
    e = enrol(project, make_teacher(name="何平"), status="publicised")
    client = login(personas.institution)
    response = client.get(reverse("enrolment:admission_notices", args=[project.pk]), follow=True)
    assert "公示期结束" in response.content.decode()
    assert client.get(reverse("enrolment:admission_notice", args=[e.pk])).status_code == 404


def test_r32_single_admission_notice_from_the_trainee_page(login, personas, project, make_teacher, enrol):
    e = enrol(project, make_teacher(name="黄河"), status="enrolled")
    client = login(personas.school)
    page = client.get(reverse("enrolment:enrolment_detail", args=[e.pk])).content.decode()
    assert reverse("enrolment:admission_notice", args=[e.pk]) in page
    pages, text = _pdf_text(client.get(reverse("enrolment:admission_notice", args=[e.pk])))
    assert pages == 1 and "黄河" in text


def test_r32_admission_notices_need_a_log_in(client, project, make_teacher, enrol):
    e = enrol(project, make_teacher(name="林木"), status="enrolled")
    for url in (reverse("enrolment:admission_notices", args=[project.pk]),
                reverse("enrolment:admission_notice", args=[e.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
