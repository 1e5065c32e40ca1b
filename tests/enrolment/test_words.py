"""Issue 14 #2: states and moves by their Chinese labels in timelines and the audit list, audit rows that name
the teacher (so searching the teacher's name finds a screening rejection), and no rule numbers for users."""
import datetime as dt

from django.utils import translation

from backoffice.models import AuditEvent
from projects.enrolment import services
from projects.enrolment.models import EnrolmentStatus


def _zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def test_r3_screening_rejection_is_found_by_the_teachers_name_with_chinese_state_labels(
        make_project, make_teacher, past_project, enrol, personas, login):
    project = make_project(category="thematic")
    banned = make_teacher(name="贺霞杰")
    enrol(past_project(2025, end=dt.date(2025, 7, 1)), banned, "no_show")
    e = enrol(project, banned)
    assert services.applicants_reject_ineligible(actor=personas.county, project=project) == 1
    page = login(personas.province).get("/audit/", {"q": "贺霞杰"}).content.decode()
    rows = page.split('data-testid="audit-list"')[1]
    assert "贺霞杰" in rows and _zh(EnrolmentStatus.APPLIED.label) in rows and _zh(EnrolmentStatus.REJECTED.label) in rows
    assert ">applied<" not in rows and ">rejected<" not in rows and "R34" not in rows
    assert AuditEvent.objects.get(object_id=str(e.pk), transition="reject").changes["reject_rule"] == [None, "R34"]


def test_r3_trainee_timeline_reads_chinese_labels_and_no_rule_number(make_project, make_teacher, past_project, enrol,
                                                                    personas, login):
    project = make_project(category="thematic")
    banned = make_teacher(name="贺霞杰")
    enrol(past_project(2025, end=dt.date(2025, 7, 1)), banned, "no_show")
    e = enrol(project, banned)
    services.applicants_reject_ineligible(actor=personas.county, project=project)
    page = login(personas.county).get(f"/enrolment/trainees/{e.pk}/").content.decode()
    timeline = page.split('data-testid="timeline"')[1].split("</section>")[0]
    applied, rejected = _zh(EnrolmentStatus.APPLIED.label), _zh(EnrolmentStatus.REJECTED.label)
    assert applied == "已申报" and f"{applied} → {rejected}" in timeline and "applied" not in timeline
    assert "R34" not in page and "2028-07-01" in page
