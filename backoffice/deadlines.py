"""Deadlines (R4): what is due, for whom, by when.

Each app declares its deadline kinds in its own `deadlines.py`, next to the transitions they guard: a set-based
query over the workflow's rows (one query per kind, never one per row) that says, per waiting object, when it
falls due, where it lies (region code) and which organisation acts. Items are derived live, so a to-do is gone
as soon as the move is made. The reminder run (a beat task) turns the items falling due into notices and
e-mails, once per person and stage; the province reads everything overdue in its region."""
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.config import get_setting, register_setting

logger = logging.getLogger(__name__)

REMIND_BEFORE = "deadlines.remind_working_days_before"
register_setting(REMIND_BEFORE, default=3, rule="R4",
                 label=gettext_lazy("Reminders: working days before a deadline"))


@dataclass(frozen=True)
class Deadline:
    """One kind of deadline. `rows()` is a values queryset giving `key`, `region_code`, `org_id` and either `due`
    (an aware datetime, or a date for `all_day` kinds) or what `due(row, ctx)` computes it from."""

    key: str
    label: object  # what the person must do, in the reader's language
    rule: str
    transition: str  # "app.Model.transition" that the deadline guards
    rows: Callable
    subject: Callable  # row -> the object's name (data, not translated)
    url: Callable  # row -> link to the page where the move is made
    org_roles: tuple = ()  # roles of the organisation at `org_id` who act
    region_roles: tuple = ()  # roles whose region covers `region_code` who act
    due: Callable | None = None
    all_day: bool = False


DEADLINES: dict[str, Deadline] = {}
_HOLIDAY_SOURCES: list[Callable] = []


def register_deadline(deadline: Deadline) -> Deadline:
    DEADLINES[deadline.key] = deadline
    return deadline


def register_holidays(source: Callable) -> None:
    """`source()` -> {date: is_working_day}: the product's holiday calendar (tendering keeps it; the core may not
    import it)."""
    if source not in _HOLIDAY_SOURCES:
        _HOLIDAY_SOURCES.append(source)


class Calendar:
    """Working days: Monday to Friday, corrected by the holiday table (public holidays, make-up days)."""

    def __init__(self, holidays: dict | None = None):
        if holidays is None:
            holidays = {}
            for source in _HOLIDAY_SOURCES:
                holidays.update(source())
        self.holidays = holidays
        self._after = {}  # thousands of rows share a few start days: walk the calendar once per (day, days)

    def is_working_day(self, day: dt.date) -> bool:
        return self.holidays.get(day, day.weekday() < 5)

    def add_working_days(self, start, days: int):
        """The same time of day (or date) `days` working days after `start`."""
        day = start.date() if isinstance(start, dt.datetime) else start
        return start + (self._working_days_after(day, days) - day)

    def _working_days_after(self, day: dt.date, days: int) -> dt.date:
        cache = self._after
        if (day, days) not in cache:
            current, left = day, days
            while left > 0:
                current += dt.timedelta(days=1)
                if self.is_working_day(current):
                    left -= 1
            cache[day, days] = current
        return cache[day, days]

    def working_days_before(self, day: dt.date, days: int) -> dt.date:
        current = day
        while days > 0:
            current -= dt.timedelta(days=1)
            if self.is_working_day(current):
                days -= 1
        return current


class Context:
    """One run's clock, calendar and settings (read once per province, not per row)."""

    def __init__(self, now=None):
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.calendar = Calendar()
        self._settings = {}

    def setting(self, key: str, region_code: str | None):
        province = (region_code or "")[:2]
        if (key, province) not in self._settings:
            self._settings[key, province] = get_setting(key, region=f"{province}0000" if province else None)
        return self._settings[key, province]


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class After:
    """A deadline `days` working (or calendar) days after the row's `base` value; `days` is a number or the key of
    a setting. As `Deadline.due` it computes a row's due time; `overdue_q` says in SQL which rows are overdue, so
    a province with ten thousand waiting rows is counted by the database, not row by row."""

    base: str
    days: int | str = 0
    working: bool = True

    def count(self, ctx: Context, region_code: str | None) -> int:
        return ctx.setting(self.days, region_code) if isinstance(self.days, str) else self.days

    def __call__(self, row, ctx: Context):
        start = row[self.base]
        if start is None:
            return None
        if isinstance(start, dt.datetime):
            start = timezone.localtime(start)
        n = self.count(ctx, row.get("region_code"))
        return ctx.calendar.add_working_days(start, n) if self.working else start + dt.timedelta(days=n)

    def overdue_q(self, ctx: Context, region_code: str | None, all_day: bool) -> Q:
        n, base = self.count(ctx, region_code), self.base
        if not self.working:
            return Q(**{f"{base}__lt": (ctx.today if all_day else ctx.now) - dt.timedelta(days=n)})
        after = ctx.calendar._working_days_after
        first = ctx.today  # the earliest start day whose due day is today or later (the walk is monotonic)
        while after(first - ONE_DAY, n) >= ctx.today:
            first -= ONE_DAY
        if all_day:  # due on a day: overdue once that day has passed
            return Q(**{f"{base}__lt": first})
        overdue = Q(**{f"{base}__lt": start_of_day(first)})
        elapsed, day = ctx.now - start_of_day(ctx.today), first
        while after(day, n) == ctx.today:  # due today: overdue if started earlier in its day than now is in today
            overdue |= Q(**{f"{base}__gte": start_of_day(day), f"{base}__lt": start_of_day(day) + elapsed})
            day += ONE_DAY
        return overdue


@dataclass(frozen=True)
class DueItem:
    deadline: Deadline
    key: str
    row: dict = field(repr=False, compare=False)
    due_at: dt.datetime
    region_code: str
    org_id: int | None
    overdue: bool
    due_today: bool = False
    count: int = 1
    days_overdue: int = 0
    acting: str = ""  # the organisation that must act, where the kind names one

    # A province may have ten thousand overdue rows: name and link only those that are shown.
    @cached_property
    def subject(self) -> str:
        return self.deadline.subject(self.row)

    @cached_property
    def url(self) -> str:
        return self.deadline.url(self.row)

    @property
    def label(self):
        return self.deadline.label

    @property
    def kind(self) -> str:
        return self.deadline.key

    @property
    def all_day(self) -> bool:
        return self.deadline.all_day

    @property
    def due_date(self) -> dt.date:
        return timezone.localdate(self.due_at)


def _items(deadline: Deadline, qs, ctx: Context) -> list[DueItem]:
    found = []
    for row in qs:
        due = deadline.due(row, ctx) if deadline.due else row["due"]
        if due is None:
            continue
        if deadline.all_day and not isinstance(due, dt.datetime):
            due = end_of_day(due)
        due_day = timezone.localdate(due)
        overdue = due < ctx.now
        found.append(DueItem(deadline=deadline, key=str(row["key"]), row=row, due_at=due,
                             region_code=row.get("region_code") or "", org_id=row.get("org_id"), overdue=overdue,
                             due_today=due_day == ctx.today, count=row.get("n", 1),
                             days_overdue=max((ctx.today - due_day).days, 0) if overdue else 0))
    return found


def _user_filter(deadline: Deadline, user) -> Q | None:
    """The rows this user acts on, or None when the user acts on none of this kind."""
    from backoffice.scoping import ALL, REGION, scope_for

    conditions = []
    if user.role in deadline.org_roles and user.organisation_id:
        conditions.append(Q(org_id=user.organisation_id))
    if user.role in deadline.region_roles:
        scope = scope_for(user)
        if scope.kind == ALL:
            conditions.append(Q())
        elif scope.kind == REGION:
            conditions.append(Q(region_code__startswith=scope.region_prefix))
    if not conditions:
        return None
    combined = conditions[0]
    for c in conditions[1:]:
        combined |= c
    return combined


SORTS = {
    "due": lambda i: (i.due_at, str(i.label)),
    "-due": lambda i: (-i.due_at.timestamp(), str(i.label)),
    "kind": lambda i: (str(i.label), i.due_at),
    "subject": lambda i: (i.subject, i.due_at),
}


def todo_for(*, user, sort: str = "due", now=None) -> list[DueItem]:
    """R4: what this person must do, with its date; overdue first when sorted by date."""
    if not (user and user.is_authenticated and user.is_active) or user.is_superuser or user.is_read_only:
        return []
    ctx = Context(now)
    found = []
    for deadline in DEADLINES.values():
        condition = _user_filter(deadline, user)
        if condition is not None:
            found += _items(deadline, deadline.rows().filter(condition), ctx)
    return sorted(found, key=SORTS.get(sort, SORTS["due"]))


def _overdue_q(deadline: Deadline, ctx: Context, province_codes) -> Q:
    if deadline.due is None:
        return Q(due__lt=ctx.today if deadline.all_day else ctx.now)
    if not isinstance(deadline.due, After):
        raise TypeError(f"{deadline.key}: a computed due time must be an After to be counted overdue")
    if not isinstance(deadline.due.days, str):
        return deadline.due.overdue_q(ctx, None, deadline.all_day)
    combined = Q(pk__in=[])
    for code in province_codes:  # a setting may differ per province
        combined |= Q(region_code__startswith=code) & deadline.due.overdue_q(ctx, code, deadline.all_day)
    return combined


class OverdueList(Sequence):
    """Overdue items, counted in SQL and built only for the slice that is shown (a page, a dashboard's first
    five), oldest due first."""

    def __init__(self, parts: list, ctx: Context):
        self.parts, self.ctx = parts, ctx

    @cached_property
    def _counts(self) -> list[int]:
        return [qs.count() for _deadline, qs, _order in self.parts]

    @cached_property
    def _count(self) -> int:
        return sum(self._counts)

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return iter(self[0:len(self)])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start, stop, _step = index.indices(len(self))
        found = []
        for (deadline, qs, order), n in zip(self.parts, self._counts):
            if n:  # the first `stop` of each kind by start hold the first `stop` of all by due
                found += [i for i in _items(deadline, qs.order_by(order, "key")[:stop], self.ctx) if i.overdue]
        page = sorted(found, key=SORTS["due"])[start:stop]
        return _with_acting(page)


def _with_acting(items: list[DueItem]) -> list[DueItem]:
    from backoffice.models import Organisation

    names = dict(Organisation.objects.filter(pk__in={i.org_id for i in items if i.org_id}).values_list("pk", "name"))
    return [replace(i, acting=names.get(i.org_id, "")) for i in items]


def overdue_in(*, user, now=None) -> OverdueList:
    """R4: everything overdue in the user's region, whoever must act (province, ministry, auditors)."""
    from backoffice.models import Region, RegionLevel
    from backoffice.scoping import ALL, REGION, scope_for

    scope = scope_for(user)
    ctx = Context(now)
    if scope.kind not in (ALL, REGION):
        return OverdueList([], ctx)
    if scope.kind == REGION:
        provinces = [scope.region_prefix[:2]]
    else:
        provinces = [c[:2] for c in Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", flat=True)]
    parts = []
    for deadline in DEADLINES.values():
        qs = deadline.rows()
        if scope.kind == REGION:
            qs = qs.filter(region_code__startswith=scope.region_prefix)
        order = deadline.due.base if isinstance(deadline.due, After) else "due"
        parts.append((deadline, qs.filter(_overdue_q(deadline, ctx, provinces)), order))
    return OverdueList(parts, ctx)


# -- reminders ----------------------------------------------------------------------------------------------------
def _stage(item: DueItem, ctx: Context) -> str | None:
    from backoffice.models import NoticeStage

    due_day = item.due_date
    if ctx.today == due_day:
        return NoticeStage.DUE
    days = ctx.setting(REMIND_BEFORE, item.region_code)
    if ctx.calendar.working_days_before(due_day, days) <= ctx.today < due_day:
        return NoticeStage.BEFORE
    return None


def _recipients(deadline: Deadline, items: list[DueItem]) -> dict[str, list]:
    """Item key -> users who act on it: two queries per kind (organisation roles, region roles)."""
    from backoffice.models import User

    by_item = {i.key: {} for i in items}
    if deadline.org_roles:
        org_ids = {i.org_id for i in items if i.org_id}
        by_org = {}
        for u in User.objects.filter(is_active=True, role__in=deadline.org_roles, organisation_id__in=org_ids):
            by_org.setdefault(u.organisation_id, []).append(u)
        for i in items:
            by_item[i.key].update((u.pk, u) for u in by_org.get(i.org_id, []))
    if deadline.region_roles:
        by_prefix = {}
        for u in (User.objects.filter(is_active=True, role__in=deadline.region_roles, organisation__isnull=False)
                  .select_related("organisation__region")):
            region = u.organisation.region
            by_prefix.setdefault(region.prefix if region else "", []).append(u)
        for i in items:
            code = i.region_code
            for prefix in dict.fromkeys(["", code[:2], code[:4], code]):
                by_item[i.key].update((u.pk, u) for u in by_prefix.get(prefix, []))
    return {key: list(users.values()) for key, users in by_item.items()}


def reminders_run(*, now=None) -> dict:
    """R4: for every item falling due within the setting's working days, or due today, one notice per person who
    acts and stage; a later run finds them and creates nothing (idempotent). Then e-mails the unsent ones."""
    from backoffice.models import Notice

    ctx = Context(now)
    created = 0
    for deadline in DEADLINES.values():
        due_items = [(i, s) for i in _items(deadline, deadline.rows(), ctx) if (s := _stage(i, ctx))]
        if not due_items:
            continue
        people = _recipients(deadline, [i for i, _s in due_items])
        existing = set(Notice.objects.filter(kind=deadline.key, object_key__in={i.key for i, _s in due_items})
                       .values_list("user_id", "object_key", "stage", "due_at"))
        new = [Notice(user=u, kind=deadline.key, object_key=i.key, stage=s, due_at=i.due_at,
                      subject=i.subject[:255], url=i.url[:255], created_at=ctx.now, email_wanted=bool(u.email))
               for i, s in due_items for u in people[i.key] if (u.pk, i.key, s, i.due_at) not in existing]
        Notice.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)
    return {"notices": created, "emails": notice_emails_send(now=ctx.now)}


def notice_text(notice) -> tuple[str, str]:
    deadline = DEADLINES.get(notice.kind)
    label = deadline.label if deadline else notice.kind
    when = timezone.localtime(notice.due_at)
    due = when.strftime("%Y-%m-%d") if deadline and deadline.all_day else when.strftime("%Y-%m-%d %H:%M")
    subject = _("Reminder: %(label)s — %(subject)s, due %(due)s") % {
        "label": label, "subject": notice.subject, "due": due}
    body = "\n".join([
        _("%(label)s: %(subject)s") % {"label": label, "subject": notice.subject},
        _("Due: %(due)s") % {"due": due},
        settings.SITE_URL.rstrip("/") + notice.url if notice.url else "",
        "",
        _("This reminder was sent once by the programme back-office; the item leaves your to-do list once the action "
          "is taken."),
    ])
    return subject, body


def notice_emails_send(*, now=None, batch: int = 500) -> int:
    """Send the e-mails of notices not yet e-mailed, each once: rows are claimed under a lock that a parallel run
    skips, and marked sent in the same transaction. A mail server outage leaves them for the next run."""
    from backoffice.models import Notice

    now = now or timezone.now()
    with transaction.atomic():
        pending = list(Notice.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(emailed_at__isnull=True, email_wanted=True).select_related("user")
                       .order_by("pk")[:batch])
        if not pending:
            return 0
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            for notice in pending:
                subject, body = notice_text(notice)
                messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [notice.user.email]))
        try:
            sent = get_connection().send_messages(messages) or 0
        except OSError as exc:  # SMTP refused or unreachable
            logger.warning("deadline reminders not e-mailed: %s", exc)
            return 0
        Notice.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    return sent


# -- in-product notices -----------------------------------------------------------------------------------------------
def notice_list_for(*, user):
    from backoffice.models import Notice

    return Notice.objects.filter(user=user)


def notice_unread_count(*, user) -> int:
    from backoffice.models import Notice

    if not (user and user.is_authenticated):
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def notices_mark_read(*, actor) -> int:
    from backoffice.models import Notice

    return Notice.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


# -- beat schedules -----------------------------------------------------------------------------------------------------
REMINDER_TASK_NAME = "deadline reminders (R4)"


def reminder_schedule(*, crontab_model=None, task_model=None) -> None:
    """The beat entry of `backoffice.deadline_reminders`: every hour from 07:00 to 20:00 (Asia/Shanghai), so an item
    created during the day is still reminded on the day; idempotent (the migration calls it with its models)."""
    if crontab_model is None:
        from django_celery_beat.models import CrontabSchedule as crontab_model
        from django_celery_beat.models import PeriodicTask as task_model
    cron, _created = crontab_model.objects.get_or_create(
        minute="0", hour="7-20", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE)
    task_model.objects.update_or_create(name=REMINDER_TASK_NAME, defaults={
        "task": "backoffice.deadline_reminders", "crontab": cron, "interval": None, "enabled": True})


def demo_reminders() -> str:
    """Demo step (last): the demo accounts get an address and the reminder run goes once, so the bell shows what is
    due and the e-mails land in var/mail (the embedded default's file backend)."""
    from backoffice.demo import DEMO_ACCOUNTS
    from backoffice.models import User

    for user in DEMO_ACCOUNTS:
        if not user.email:
            User.objects.filter(pk=user.pk, email="").update(email=f"{user.username}@demo.guopei.local")
    result = reminders_run()
    return _("Deadline reminders: %(notices)s notices, %(emails)s e-mails (in var/mail)") % result
