"""Whole-staff training (全员培训, R49): every teacher of the project's counties who meets its criteria is
enrolled in one set-based step by the county, without the selection steps of R32; the cap and no-repeat rule
(R33) and the ban (R34) do not apply (see eligibility.py).

The enrolments are written with one INSERT ... SELECT from the registry and one audit row each (R3), so a city's
200,000 teachers take seconds and a constant number of queries."""
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import audit_record, audit_record_query
from backoffice.bulk import analyze, insert_select
from backoffice.exceptions import DomainError, ScopeError
from backoffice.models import Teacher
from backoffice.scoping import scope_for
from projects.models import Project

from . import permissions as perms
from .dates import add_years
from .eligibility import TEACHER_FIELDS, WHOLE_STAFF, TeacherFacts, criteria_refusals
from .models import Enrolment, EnrolmentStatus, Nominator

OPEN_STATES = ("contracted", "in_progress")
SAMPLE = 50


def _criteria(project) -> dict[str, Q]:
    """R31 as one Q per criterion, the same rules as eligibility.criteria_refusals, for the registry."""
    found = {}
    if project.target_stages:
        found["criteria_stage"] = Q(stage__in=project.target_stages)
    if project.target_subjects:
        found["criteria_subject"] = Q(subject__in=project.target_subjects)
    if project.target_posts:
        found["criteria_post"] = Q(post__in=project.target_posts)
    if project.rural_only:
        found["criteria_rural"] = Q(is_rural=True)
    if project.priority_counties_only:
        found["criteria_priority_county"] = Q(is_priority_county=True)
    if project.min_years_teaching is not None:
        found["criteria_years"] = Q(teaching_since__lte=project.start_date.year - project.min_years_teaching)
    if project.max_age is not None:
        # Age at the start ≤ max_age ⇔ born after the start date max_age + 1 years earlier (ID digits 7-14, R30).
        cutoff = add_years(project.start_date, -(project.max_age + 1)).strftime("%Y%m%d")
        found["criteria_age"] = Q(birth__gt=cutoff)
    return found


def _area(actor, project):
    """The registry teachers of the project's regions that the actor's scope covers."""
    regions = list(project.regions.values_list("code", flat=True)) or [project.plan.province.code]
    from backoffice.models.regions import region_prefix

    where = Q()
    for code in regions:
        where |= Q(region__code__startswith=region_prefix(code))
    return scope_for(actor).teachers(Teacher.objects.filter(where)).annotate(birth=Substr("id_number", 7, 8))


def _check(actor, project):
    if not perms.whole_staff_enroller.test(actor, project):
        raise ScopeError("transition_forbidden", _("Only the county or city education bureau enrols its teachers "
                                                   "in whole-staff training."))
    if project.category != WHOLE_STAFF:
        raise DomainError("not_whole_staff", _("Only a whole-staff training project enrols every teacher at once."))
    if project.status not in OPEN_STATES:
        raise DomainError("project_not_open", _("The project must be contracted or in progress to enrol teachers."))


@dataclass
class Preview:
    to_enrol: int = 0
    already: int = 0
    left_out: int = 0
    by_reason: list = field(default_factory=list)  # [(label, count)]
    sample: list = field(default_factory=list)  # [(teacher, [Refusal])]


CRITERIA_LABELS = {
    "criteria_stage": _("school stage"), "criteria_subject": _("subject"), "criteria_post": _("post"),
    "criteria_rural": _("rural teachers only"), "criteria_priority_county": _("national key counties only"),
    "criteria_years": _("minimum years of teaching"), "criteria_age": _("maximum age"),
}


def whole_staff_preview(*, actor, project: Project) -> Preview:
    """How many teachers the enrolment would add, and who is left out and why (R31), in three queries."""
    _check(actor, project)
    criteria = _criteria(project)
    area = _area(actor, project)
    enrolled = Exists(Enrolment.objects.filter(project=project, teacher=OuterRef("pk")))
    meets = Q()
    for q in criteria.values():
        meets &= q
    # Without criteria nobody is left out. (A filter that can match nothing, like pk__in=[], would empty the
    # whole aggregate and show 0 enrolled and 0 to enrol.)
    left_out = {"left_out": Count("pk", filter=~meets)} if criteria else {}
    counts = area.annotate(enrolled=enrolled).aggregate(
        already=Count("pk", filter=Q(enrolled=True)),
        to_enrol=Count("pk", filter=meets & Q(enrolled=False)),
        **left_out, **{code: Count("pk", filter=~q) for code, q in criteria.items()})
    preview = Preview(to_enrol=counts["to_enrol"], already=counts["already"], left_out=counts.get("left_out", 0))
    preview.by_reason = [(str(CRITERIA_LABELS[code]), counts[code]) for code in criteria if counts[code]]
    if criteria:
        left = area.exclude(meets).select_related("school").order_by("school__name", "name")[:SAMPLE]
        preview.sample = [(t, criteria_refusals(project, TeacherFacts(*(getattr(t, f) for f in TEACHER_FIELDS))))
                          for t in left]
    return preview


def whole_staff_enrol(*, actor, project: Project) -> int:
    """R49: enrol every teacher of the actor's part of the project's regions who meets its criteria and is not
    enrolled yet; straight to 'enrolled' (no R32 steps). One INSERT ... SELECT, one audit row per enrolment."""
    _check(actor, project)
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("plan__province").get(pk=project.pk)
        _check(actor, project)
        teachers = _area(actor, project).exclude(
            Exists(Enrolment.objects.filter(project=project, teacher=OuterRef("pk"))))
        for q in _criteria(project).values():
            teachers = teachers.filter(q)
        now = timezone.now()
        added = insert_select(Enrolment, key="teacher", select=teachers, now=now, given={
            "project": project.pk, "status": EnrolmentStatus.ENROLLED, "nominated_by": Nominator.COUNTY,
            "applied_by": actor.pk, "submitted_at": now, "enrolled_at": now})
        if added:
            analyze(Enrolment)  # a county's teachers at once: the audit rows' SELECT plans on them
            # R3: one event per enrolment ("name · project"), written by the database in one statement.
            audit_record_query(
                Enrolment.objects.filter(project=project, status=EnrolmentStatus.ENROLLED, enrolled_at=now,
                                         applied_by=actor),
                actor=actor, action="create", to_state=EnrolmentStatus.ENROLLED, reason=_("Whole-staff training"))
            audit_record(obj=project, actor=actor, action="update", changes={"whole_staff_enrolled": (None, added)})
    return added
