"""Who may take part in a project (R31-R35), decided set-based for a whole applicant list.

`screen_project` reads the applicants, their past outcomes and the settings in a constant number of queries
and applies every rule in Python; each refusal carries the rule number, a code and a sentence for the user.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.config import get_setting
from backoffice.identity import birth_date_of
from backoffice.models import SchoolStage, Subject, TeacherPost

from .dates import add_years, cycle_bounds

BAN_YEARS = 3  # R34
WHOLE_STAFF = "whole_staff"  # R49: this category neither counts towards R33 nor bans under R34


@dataclass(frozen=True)
class Refusal:
    rule: str
    code: str
    message: str


@dataclass(frozen=True)
class TeacherFacts:
    id: int
    id_number: str
    stage: str
    subject: str
    post: str
    is_rural: bool
    is_priority_county: bool
    teaching_since: int


@dataclass(frozen=True)
class PastEnrolment:
    enrolment_id: int
    teacher_id: int
    project_id: int
    project_name: str
    category: str
    start_date: dt.date
    end_date: dt.date
    status: str
    exempted: bool

    @property
    def ban_until(self) -> dt.date | None:
        from .models import BANNING_OUTCOMES

        if self.status in BANNING_OUTCOMES and not self.exempted and self.category != WHOLE_STAFF:
            return add_years(self.end_date, BAN_YEARS)
        return None


@dataclass(frozen=True)
class Rules:
    """The settings that apply to one province, read once per screening."""

    cycle_first_year: int
    cycle_years: int
    cycle_cap: int

    @classmethod
    def for_region(cls, region) -> "Rules":
        return cls(
            cycle_first_year=get_setting("enrolment.cycle_first_year", region=region),
            cycle_years=get_setting("enrolment.cycle_years", region=region),
            cycle_cap=get_setting("enrolment.cycle_cap", region=region),
        )

    def cycle(self, year: int) -> tuple[int, int]:
        return cycle_bounds(year, first_year=self.cycle_first_year, length=self.cycle_years)


TEACHER_FIELDS = ("id", "id_number", "stage", "subject", "post", "is_rural", "is_priority_county", "teaching_since")
HISTORY_FIELDS = ("pk", "teacher_id", "project_id", "project__name", "project__category", "project__start_date",
                  "project__end_date", "status", "exempted")


def history_query(teacher_filter: dict, *, exclude_project_id=None):
    """Past and current enrolments that matter to R33/R34, with whether an approved exemption lifts them."""
    from .models import BANNING_OUTCOMES, PARTICIPATING, Enrolment, Exemption, ExemptionStatus

    qs = (
        Enrolment.objects.filter(**teacher_filter, status__in=set(PARTICIPATING) | set(BANNING_OUTCOMES))
        .annotate(exempted=Exists(Exemption.objects.filter(enrolment=OuterRef("pk"), status=ExemptionStatus.APPROVED)))
    )
    if exclude_project_id is not None:
        qs = qs.exclude(project_id=exclude_project_id)
    return qs


def history_by_teacher(qs) -> dict[int, list[PastEnrolment]]:
    found = defaultdict(list)
    for row in qs.values_list(*HISTORY_FIELDS):
        past = PastEnrolment(*row)
        found[past.teacher_id].append(past)
    return found


def _labels(choices, values):
    names = dict(choices)
    return "、".join(str(names.get(v, v)) for v in values)


def _day(d: dt.date) -> str:
    return d.isoformat()


def ban_sentence(past: PastEnrolment) -> str:
    from .models import EnrolmentStatus

    return _("In %(year)s the outcome in “%(project)s” was “%(outcome)s”; no programme training before %(until)s.") % {
        "year": past.start_date.year, "project": past.project_name,
        "outcome": EnrolmentStatus(past.status).label, "until": _day(past.ban_until),
    }


def criteria_refusals(project, t: TeacherFacts) -> list[Refusal]:
    """R31: the project's target criteria."""
    out = []
    if project.target_stages and t.stage not in project.target_stages:
        out.append(Refusal("R31", "criteria_stage", _("The project is for %(want)s; this teacher works in %(have)s.") % {
            "want": _labels(SchoolStage.choices, project.target_stages), "have": _labels(SchoolStage.choices, [t.stage])}))
    if project.target_subjects and t.subject not in project.target_subjects:
        out.append(Refusal("R31", "criteria_subject", _("The project is for teachers of %(want)s; this teacher teaches %(have)s.") % {
            "want": _labels(Subject.choices, project.target_subjects), "have": _labels(Subject.choices, [t.subject])}))
    if project.target_posts and t.post not in project.target_posts:
        out.append(Refusal("R31", "criteria_post", _("The project is for %(want)s; this teacher's post is %(have)s.") % {
            "want": _labels(TeacherPost.choices, project.target_posts), "have": _labels(TeacherPost.choices, [t.post])}))
    if project.rural_only and not t.is_rural:
        out.append(Refusal("R31", "criteria_rural", _("The project is for rural teachers only.")))
    if project.priority_counties_only and not t.is_priority_county:
        out.append(Refusal("R31", "criteria_priority_county",
                           _("The project is for teachers of national key counties only.")))
    if project.min_years_teaching is not None:
        years = project.start_date.year - t.teaching_since
        if years < project.min_years_teaching:
            out.append(Refusal("R31", "criteria_years", _("The project needs at least %(want)s years of teaching; this teacher has %(have)s.") % {
                "want": project.min_years_teaching, "have": max(years, 0)}))
    if project.max_age is not None:
        birth = birth_date_of(t.id_number)
        start = project.start_date
        age = start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))
        if age > project.max_age:
            out.append(Refusal("R31", "criteria_age", _("The project is for teachers aged at most %(want)s; this teacher will be %(have)s.") % {
                "want": project.max_age, "have": age}))
    return out


def history_refusals(project, history: list[PastEnrolment], rules: Rules) -> list[Refusal]:
    """R33 (cap and category per cycle) and R34 (3-year ban unless exempted, R35)."""
    from .models import PARTICIPATING

    out = []
    if project.category == WHOLE_STAFF:
        return out  # R49: the cap, the no-repeat rule and the ban do not apply to whole-staff training
    first, last = rules.cycle(project.start_date.year)
    in_cycle = [p for p in history if p.status in PARTICIPATING and first <= p.start_date.year <= last
                and p.category != WHOLE_STAFF]
    if len(in_cycle) >= rules.cycle_cap:
        out.append(Refusal("R33", "cycle_cap", _("In the cycle %(first)s–%(last)s this teacher already takes part in %(n)s programme projects; the limit is %(cap)s.") % {
            "first": first, "last": last, "n": len(in_cycle), "cap": rules.cycle_cap}))
    same = [p for p in in_cycle if p.category == project.category]
    if same:
        p = same[0]
        out.append(Refusal("R33", "cycle_category", _("In the cycle %(first)s–%(last)s this teacher already took part in a project of the same category (%(year)s, “%(project)s”).") % {
            "first": first, "last": last, "year": p.start_date.year, "project": p.project_name}))
    for p in sorted(history, key=lambda p: p.end_date):
        until = p.ban_until
        if until is not None and project.start_date < until:
            out.append(Refusal("R34", "banned", ban_sentence(p)))
    return out


def screen_project(project, *, statuses=None) -> dict[int, list[Refusal]]:
    """Every applicant of `project` (enrolment id → refusals; empty list = eligible). Constant query count:
    the province, the applicants, their history and three settings."""
    from .models import PENDING, Enrolment

    from projects.models import Project

    statuses = statuses or PENDING
    province_code = Project.objects.filter(pk=project.pk).values_list("plan__province__code", flat=True).first()
    rules = Rules.for_region(province_code)
    applicants = Enrolment.objects.filter(project=project, status__in=statuses)
    rows = list(applicants.values_list("pk", *(f"teacher__{f}" for f in TEACHER_FIELDS)))
    history = history_by_teacher(
        history_query({"teacher_id__in": applicants.values("teacher_id")}, exclude_project_id=project.pk))
    result = {}
    for pk, *facts in rows:
        t = TeacherFacts(*facts)
        result[pk] = criteria_refusals(project, t) + history_refusals(project, history.get(t.id, []), rules)
    return result


def teacher_refusals(project, teacher) -> list[Refusal]:
    """One teacher against one project: the same rules, for guards and the teacher page."""
    rules = Rules.for_region(project.plan.province)
    facts = TeacherFacts(*(getattr(teacher, f) for f in TEACHER_FIELDS))
    history = history_by_teacher(history_query({"teacher_id": teacher.pk}, exclude_project_id=project.pk))
    return criteria_refusals(project, facts) + history_refusals(project, history.get(teacher.pk, []), rules)


@dataclass
class IntegrityRecord:
    """参训诚信档案: every outcome with its ban and exemption, and what that means today (R34, R35)."""

    entries: list = field(default_factory=list)  # [(PastEnrolment-like enrolment, ban_until or None)]
    banned_until: dt.date | None = None
    ban_reasons: list = field(default_factory=list)
    cycle: tuple = (0, 0)
    cycle_count: int = 0
    cycle_cap: int = 0
    cycle_categories: list = field(default_factory=list)

    @property
    def eligible_now(self) -> bool:
        return self.banned_until is None and self.cycle_count < self.cycle_cap


def integrity_record(teacher, *, today: dt.date | None = None) -> IntegrityRecord:
    from .models import PARTICIPATING

    today = today or timezone.localdate()
    rules = Rules.for_region(teacher.region)
    history = history_by_teacher(history_query({"teacher_id": teacher.pk})).get(teacher.pk, [])
    record = IntegrityRecord(cycle=rules.cycle(today.year), cycle_cap=rules.cycle_cap)
    first, last = record.cycle
    for p in sorted(history, key=lambda p: p.start_date, reverse=True):
        record.entries.append(p)
        until = p.ban_until
        if until is not None and until > today:
            record.ban_reasons.append(ban_sentence(p))
            record.banned_until = max(record.banned_until or until, until)
        if p.status in PARTICIPATING and first <= p.start_date.year <= last and p.category != WHOLE_STAFF:
            record.cycle_count += 1
            record.cycle_categories.append(p.category)
    return record
