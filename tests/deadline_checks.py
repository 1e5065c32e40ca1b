"""Shared checks for the deadline kinds (R4): each app's test drives its workflow, these say what a person sees."""
import datetime as dt

from django.core import mail
from django.utils import timezone

from backoffice.deadlines import Calendar, overdue_in, reminders_run, todo_for
from backoffice.models import Notice


def at_nine(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def working_days_before(day: dt.date, days: int) -> dt.date:
    return Calendar().working_days_before(day, days)


def todo_item(user, kind, *, now=None):
    found = [i for i in todo_for(user=user, now=now) if i.kind == kind]
    return found[0] if found else None


def check_reminders_and_overdue(*, kind, actor, province, outsider, bystander=None):
    """The person who acts sees the item with its date, is reminded 3 working days before and on the day (each
    once, by notice and e-mail), and once it is overdue the province of the region sees it, another one does not."""
    if not actor.email:
        actor.email = f"{actor.username}@example.gov.cn"
        actor.save(update_fields=["email"])
    item = todo_item(actor, kind)
    assert item is not None, f"{kind} not in the to-do list of {actor}"
    due_day = item.due_date
    if bystander is not None:
        assert todo_item(bystander, kind) is None

    # Before: 3 working days ahead (setting default), not 4.
    reminders_run(now=at_nine(working_days_before(due_day, 4)))
    assert not Notice.objects.filter(user=actor, kind=kind).exists()
    mail.outbox.clear()
    reminders_run(now=at_nine(working_days_before(due_day, 3)))
    before = Notice.objects.get(user=actor, kind=kind, stage="before")
    assert before.emailed_at is not None
    assert any(actor.email in m.to and item.subject in m.body for m in mail.outbox)
    # Idempotent: a second run the same day sends nothing new.
    sent = len(mail.outbox)
    reminders_run(now=at_nine(working_days_before(due_day, 3)) + dt.timedelta(hours=1))
    assert Notice.objects.filter(user=actor, kind=kind, stage="before").count() == 1 and len(mail.outbox) == sent

    # On the day.
    on_the_day = timezone.make_aware(dt.datetime.combine(due_day, dt.time(0, 30)))
    reminders_run(now=on_the_day)
    reminders_run(now=on_the_day + dt.timedelta(minutes=30))
    assert Notice.objects.filter(user=actor, kind=kind, stage="due").count() == 1
    assert len(mail.outbox) == sent + 1

    # Overdue: not before the due time, then shown to the province of the region only.
    assert not [i for i in overdue_in(user=province, now=item.due_at - dt.timedelta(minutes=1)) if i.kind == kind]
    late = item.due_at + dt.timedelta(minutes=1)
    overdue = [i for i in overdue_in(user=province, now=late) if i.kind == kind]
    assert overdue and overdue[0].subject == item.subject
    assert not [i for i in overdue_in(user=outsider, now=late) if i.kind == kind]
    assert todo_item(actor, kind, now=late).overdue
    return item
