"""R4 deadlines of enrolment: enrolment after the publicity window (R32), the institution's outcomes after the
project's end (R48), the audit of registered hours (R41)."""
import datetime as dt

from django.utils import timezone

from projects.enrolment import services
from projects.enrolment.models import CreditRecord
from tests.deadline_checks import check_reminders_and_overdue, todo_item


def test_r4_r32_publicity_end_is_reminded_and_gone_once_enrolled(personas, make_project, teacher, enrol):
    project = make_project()
    ends_on = timezone.localdate() - dt.timedelta(days=1)
    enrol(project, teacher, status="publicised", publicity_ends_on=ends_on, publicised_on=ends_on - dt.timedelta(days=7))
    item = check_reminders_and_overdue(kind="enrolment.publicity_end", actor=personas.province,
                                       province=personas.province, outsider=personas.henan_province,
                                       bystander=personas.institution)
    assert item.due_date > ends_on and item.all_day and item.subject.startswith(project.code)
    services.project_enrol_publicised(actor=personas.province, project=project)
    assert todo_item(personas.province, "enrolment.publicity_end") is None


def test_r4_r48_outcomes_after_the_end_are_reminded_and_gone_once_recorded(personas, make_project, teacher, enrol):
    end = timezone.localdate() - dt.timedelta(days=2)
    project = make_project(start=end - dt.timedelta(days=9), end=end)
    enrolment = enrol(project, teacher, status="in_training")
    item = check_reminders_and_overdue(kind="enrolment.outcomes", actor=personas.institution,
                                       province=personas.province, outsider=personas.henan_province,
                                       bystander=personas.other_institution)
    assert item.due_date > end and item.count == 1
    services.enrolment_complete(actor=personas.institution, enrolment=enrolment)
    assert todo_item(personas.institution, "enrolment.outcomes") is None


def test_r4_r48_no_outcome_due_before_the_project_ends(personas, make_project, teacher, enrol):
    project = make_project(start=timezone.localdate() - dt.timedelta(days=1))
    enrol(project, teacher, status="in_training")
    assert todo_item(personas.institution, "enrolment.outcomes") is None


def test_r4_r41_hours_audit_is_reminded_and_gone_once_audited(personas, make_project, teacher, enrol):
    end = timezone.localdate() - dt.timedelta(days=2)
    project = make_project(start=end - dt.timedelta(days=9), end=end)
    enrolment = enrol(project, teacher, status="in_training")
    services.enrolment_complete(actor=personas.institution, enrolment=enrolment)
    item = check_reminders_and_overdue(kind="enrolment.hours_audit", actor=personas.office,
                                       province=personas.province, outsider=personas.henan_province,
                                       bystander=personas.institution)
    assert todo_item(personas.province, "enrolment.hours_audit") is not None  # the province may audit too
    registered = timezone.localdate(CreditRecord.objects.get().registered_at)
    assert item.due_date > registered + dt.timedelta(days=9)  # 10 working days (setting)
    services.credit_move(actor=personas.office, credit=CreditRecord.objects.get(), name="approve")
    assert todo_item(personas.office, "enrolment.hours_audit") is None
    assert todo_item(personas.province, "enrolment.hours_audit") is None


def test_r4_r32_publicity_window_skips_public_holidays(db):
    """The publicity window counts working days of the product's holiday calendar, like the tender deadlines."""
    from projects.enrolment.dates import add_working_days
    from tendering.models import Holiday

    monday = dt.date(2026, 9, 28)
    assert add_working_days(monday, 5) == dt.date(2026, 10, 5)
    for day in range(1, 8):
        Holiday.objects.create(date=dt.date(2026, 10, day), name="国庆节")
    Holiday.objects.create(date=dt.date(2026, 10, 10), name="调休", is_working_day=True)
    # 29, 30 Sep; 1-7 Oct closed (4 and 5 would be a weekend anyway); Sat 10 Oct works; then 8, 9 Oct.
    assert add_working_days(monday, 5) == dt.date(2026, 10, 10)
