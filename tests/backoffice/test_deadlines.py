"""R4 core: the reminder run (setting, holiday calendar, once per stage, e-mail outbox), the beat schedules the
product installs, the to-do page, the notices and bell, and the province's overdue page (scoped, refused roles)."""
import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.translation import override

from backoffice.config import setting_set
from backoffice.deadlines import REMINDER_TASK_NAME, Calendar, reminders_run, todo_for
from backoffice.models import Notice
from tests.deadline_checks import at_nine, todo_item
from tests.factories import region
from tests.factories.finance import contract_for, trainees

KIND = "finance.statement_confirm"


@pytest.fixture
def statement(personas, orgs):
    from finance import services

    contract = contract_for(institution=orgs.institution)
    trainees(contract.lot.projects.get(), "360121", 5)
    services.settlement_compute(actor=personas.finance, contracts=[contract])
    personas.institution.email = "inst@example.gov.cn"
    personas.institution.save()
    return contract.statements.get()


def _make_late(statement):
    from finance.models import SettlementStatement

    SettlementStatement.objects.filter(pk=statement.pk).update(computed_at=timezone.now() - dt.timedelta(days=40))


def _due_day(personas):
    return todo_item(personas.institution, KIND).due_date


# -- schedules ----------------------------------------------------------------------------------------------------
def test_r4_schedules_installed_by_migration(db):
    """The reminder run and the tender-opening catch-up are beat entries the migrations install (no hand work)."""
    from django_celery_beat.models import PeriodicTask

    from backoffice.celery import app
    from tendering.tasks import OPENING_CATCHUP_NAME

    reminders = PeriodicTask.objects.get(name=REMINDER_TASK_NAME)
    assert reminders.enabled and reminders.task == "backoffice.deadline_reminders"
    assert reminders.crontab.hour == "7-20" and reminders.crontab.timezone.key == "Asia/Shanghai"
    catchup = PeriodicTask.objects.get(name=OPENING_CATCHUP_NAME)
    assert catchup.enabled and catchup.task == "tendering.tasks.open_due_tenders"
    assert (catchup.interval.every, catchup.interval.period) == (5, "minutes")
    app.loader.import_default_modules()
    assert {"backoffice.deadline_reminders", "tendering.tasks.open_due_tenders"} <= set(app.tasks)


def test_r4_reminder_task_runs_the_reminders(statement, personas):
    from backoffice.tasks import deadline_reminders

    with mock.patch("backoffice.deadlines.timezone.now",
                    return_value=at_nine(Calendar().working_days_before(_due_day(personas), 1))):
        result = deadline_reminders.delay().get()
    assert result["notices"] >= 1 and Notice.objects.filter(user=personas.institution, stage="before").exists()


# -- reminder run ---------------------------------------------------------------------------------------------------
def test_r4_days_before_is_a_setting(statement, personas):
    due = _due_day(personas)
    five_before = at_nine(Calendar().working_days_before(due, 5))
    reminders_run(now=five_before)
    assert not Notice.objects.filter(user=personas.institution).exists()
    setting_set(key="deadlines.remind_working_days_before", value=5, actor=personas.province,
                province=region("360000"))
    reminders_run(now=five_before)
    assert Notice.objects.filter(user=personas.institution, stage="before").count() == 1


def test_r4_working_days_follow_the_holiday_calendar(db):
    from tendering.models import Holiday

    friday = dt.date(2026, 10, 9)
    assert Calendar().working_days_before(friday, 3) == dt.date(2026, 10, 6)
    Holiday.objects.create(date=dt.date(2026, 10, 7), name="国庆节")
    Holiday.objects.create(date=dt.date(2026, 10, 10), name="调休", is_working_day=True)
    assert Calendar().working_days_before(friday, 3) == dt.date(2026, 10, 5)
    assert Calendar().add_working_days(friday, 1) == dt.date(2026, 10, 10)


def test_r4_mail_outage_keeps_the_email_for_the_next_run_and_sends_it_once(statement, personas):
    when = at_nine(Calendar().working_days_before(_due_day(personas), 2))
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("refused")):
        reminders_run(now=when)
    notice = Notice.objects.get(user=personas.institution)
    assert notice.emailed_at is None and not mail.outbox
    reminders_run(now=when + dt.timedelta(hours=1))
    reminders_run(now=when + dt.timedelta(hours=2))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "确认结算单" in message.subject and statement.contract.reference in message.body
    assert "/finance/statements/" in message.body


def test_r4_person_without_email_gets_the_notice_only(statement, personas, orgs):
    from backoffice.models import Role
    from tests.factories import UserFactory

    colleague = UserFactory(role=Role.INSTITUTION_STAFF, organisation=orgs.institution, email="")
    reminders_run(now=at_nine(_due_day(personas)))
    assert Notice.objects.get(user=colleague, stage="due").email_wanted is False
    assert [m.to for m in mail.outbox] == [["inst@example.gov.cn"]]


def test_r4_todo_reads_a_constant_number_of_queries(personas, orgs, django_assert_max_num_queries):
    from finance import services

    for _ in range(4):
        contract = contract_for(institution=orgs.institution)
        trainees(contract.lot.projects.get(), "360121", 2)
        services.settlement_compute(actor=personas.finance, contracts=[contract])
    with django_assert_max_num_queries(12):
        items = todo_for(user=personas.institution)
    assert len([i for i in items if i.kind == KIND]) == 4


# -- pages --------------------------------------------------------------------------------------------------------------
def test_r4_todo_page_shows_due_date_overdue_mark_and_sorts(statement, personas, login):
    client = login(personas.institution)
    page = client.get("/projects/queue/").content.decode()
    assert "确认结算单" in page and statement.contract.reference in page
    assert _due_day(personas).strftime("%Y-%m-%d") in page and "已逾期" not in page
    _make_late(statement)
    late = client.get("/projects/queue/?sort=-due").content.decode()
    assert "已逾期" in late and 'data-testid="overdue"' in late
    from finance import services

    services.settlement_confirm(actor=personas.institution, statement=statement)
    assert statement.contract.reference not in client.get("/projects/queue/").content.decode()


def test_r4_notice_list_and_bell(statement, personas, login):
    reminders_run(now=at_nine(_due_day(personas)))
    client = login(personas.institution)
    page = client.get("/notices/").content.decode()
    assert "今日到期" in page and "确认结算单" in page and statement.contract.reference in page
    assert 'data-testid="notice-bell"' in page and 'badge badge-alert">1<' in page
    client.post("/notices/read/")
    assert not Notice.objects.filter(user=personas.institution, read_at__isnull=True).exists()
    assert 'badge badge-alert">1<' not in client.get("/notices/").content.decode()
    other = login(personas.other_institution).get("/notices/").content.decode()
    assert statement.contract.reference not in other  # a person sees only their own notices


def test_r4_province_sees_overdue_in_its_region_only(statement, personas, login):
    page = login(personas.province).get("/deadlines/overdue/").content.decode()
    assert statement.contract.reference not in page and "暂无逾期事项" in page
    _make_late(statement)
    page = login(personas.province).get("/deadlines/overdue/").content.decode()
    assert statement.contract.reference in page and "已逾期" in page and statement.contract.institution.name in page
    dashboard = login(personas.province).get("/").content.decode()
    assert "本地区逾期事项" in dashboard and statement.contract.reference in dashboard
    assert statement.contract.reference not in login(personas.henan_province).get("/deadlines/overdue/").content.decode()
    with override("en"):
        assert login(personas.province).get("/deadlines/overdue/").status_code == 200


@pytest.mark.parametrize("who", ["institution", "county", "school", "expert", "finance", "office"])
def test_r4_overdue_page_refused_to_other_roles(who, personas, login):
    assert login(personas[who]).get("/deadlines/overdue/").status_code == 403


def test_r4_anonymous_is_sent_to_log_in(client, db):
    for url in ("/notices/", "/deadlines/overdue/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_r4_dashboard_panel_lists_my_deadlines(statement, personas, login):
    page = login(personas.institution).get("/").content.decode()
    assert "我的办理时限" in page and statement.contract.reference in page
    assert "我的办理时限" not in login(personas.school).get("/").content.decode()


def test_r4_todo_page_sorts_by_due_date_both_ways(statement, personas, orgs, login):
    from finance import services

    later = contract_for(institution=orgs.institution)
    trainees(later.lot.projects.get(), "360121", 2)
    services.settlement_compute(actor=personas.finance, contracts=[later])
    _make_late(statement)  # the first statement now falls due long before the second
    client = login(personas.institution)
    first, second = statement.contract.reference, later.reference
    ascending = client.get("/projects/queue/?sort=due").content.decode()
    descending = client.get("/projects/queue/?sort=-due").content.decode()
    assert ascending.index(first) < ascending.index(second)
    assert descending.index(second) < descending.index(first)


@pytest.mark.parametrize("working", [True, False])
def test_r4_overdue_counted_in_sql_matches_each_rows_due(personas, working):
    """The province's overdue count is a database filter; it must agree with each row's own due time, across
    weekends, a holiday, a make-up working day and every hour of the start day."""
    from backoffice.deadlines import After, Context

    after = After("due_at", 3, working=working)
    start = timezone.make_aware(dt.datetime(2026, 9, 24, 0, 30))  # a Thursday before the National Day week
    starts = [start + dt.timedelta(hours=5 * i) for i in range(80)]
    Notice.objects.bulk_create(Notice(user=personas.institution, kind="t", object_key=str(i), stage="before",
                                      due_at=t, subject=str(i)) for i, t in enumerate(starts))
    holidays = {dt.date(2026, 10, d): False for d in range(1, 8)} | {dt.date(2026, 9, 27): True}
    for now in [start + dt.timedelta(hours=7 * k + 3) for k in range(60)]:
        ctx = Context(now)
        ctx.calendar = Calendar(holidays)
        in_sql = set(Notice.objects.filter(after.overdue_q(ctx, None, False)).values_list("object_key", flat=True))
        by_row = {str(i) for i, t in enumerate(starts) if after({"due_at": t}, ctx) < now}
        assert in_sql == by_row, now
