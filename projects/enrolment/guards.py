"""Transition conditions: pure functions of the row, each with a coded reason (who may act: permissions.py)."""
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.workflow import guard

CONTRACTED = "contracted"
IN_PROGRESS = "in_progress"


def _holding_count(enrolment) -> int:
    from .models import PLACE_HOLDING, Enrolment

    return Enrolment.objects.filter(project_id=enrolment.project_id, status__in=PLACE_HOLDING).count()


@guard("project_not_open", _("The project is not open for applications (it must be contracted and not started)."),
       group=True)
def project_open(enrolment) -> bool:
    return enrolment.project.status == CONTRACTED and timezone.localdate() < enrolment.project.start_date


def _first_refusal(enrolment):
    from .eligibility import teacher_refusals

    found = teacher_refusals(enrolment.project, enrolment.teacher)
    return found[0] if found else None


@guard("ineligible", lambda e: (lambda r: f"{r.rule}：{r.message}" if r else "")(_first_refusal(e)))
def eligible(enrolment) -> bool:
    # R31-R35
    return _first_refusal(enrolment) is None


@guard("quota_full", lambda e: _("All %(quota)s places are taken; the applicant can go on the reserve list.") % {
    "quota": e.project.quota})
def quota_available(enrolment) -> bool:
    # R32
    return _holding_count(enrolment) < enrolment.project.quota


@guard("quota_not_full", _("Places are still free; select the applicant instead."))
def quota_full(enrolment) -> bool:
    return _holding_count(enrolment) >= enrolment.project.quota


@guard("publicity_running", lambda e: _("The publicity period runs until %(date)s; nobody is enrolled before it ends.") % {
    "date": e.publicity_ends_on}, passes=lambda: Q(publicity_ends_on__lt=timezone.localdate()))
def publicity_over(enrolment) -> bool:
    # R32: nobody is enrolled before the publicity window ends.
    return enrolment.publicity_ends_on is not None and timezone.localdate() > enrolment.publicity_ends_on


@guard("project_started", _("The project has started; a withdrawal now counts as not completed (R36)."), group=True)
def not_started(enrolment) -> bool:
    # R36
    project = enrolment.project
    return project.status == CONTRACTED and timezone.localdate() < project.start_date


@guard("project_not_started", _("The project has not started yet."), group=True)
def started(enrolment) -> bool:
    project = enrolment.project
    return project.status == IN_PROGRESS or (project.status == CONTRACTED and timezone.localdate() >= project.start_date)


@guard("hours_exceed_project", lambda c: _("Credited hours (%(hours)s) cannot exceed the project's %(max)s hours.") % {
    "hours": c.hours, "max": c.enrolment.project.hours}, passes=lambda: Q(hours__lte=F("enrolment__project__hours")))
def hours_within_project(credit) -> bool:
    # R40
    return credit.hours <= credit.enrolment.project.hours


@guard("not_completed", _("Only completed trainees are credited hours."),
       passes=lambda: Q(enrolment__status="completed"))
def trainee_completed(credit) -> bool:
    # R40
    return credit.enrolment.status == "completed"


# -- set-based forms for fire_many ----------------------------------------------------------------------------
def _projects_of(pks, rows):
    by_project: dict = {}
    for pk in pks:
        by_project.setdefault(rows[pk].project_id, []).append(pk)
    return by_project


@eligible.set_based
def _ineligible_rows(pks, rows) -> dict:
    from .eligibility import screen_project

    refused = {}
    for project_id, mine in _projects_of(pks, rows).items():
        screened = screen_project(rows[mine[0]].project, statuses=None)
        for pk in mine:
            found = screened.get(pk)
            if found:
                refused[pk] = f"{found[0].rule}：{found[0].message}"
    return refused


@quota_available.set_based
def _beyond_quota(pks, rows) -> dict:
    # R32: in the given order, the first rows take the free places; the rest are told the places are gone.
    refused = {}
    for project_id, mine in _projects_of(pks, rows).items():
        sample = rows[mine[0]]
        free = max(sample.project.quota - _holding_count(sample), 0)
        message = quota_available.explain(sample)
        refused.update({pk: message for pk in mine[free:]})
    return refused


@quota_full.set_based
def _while_places_free(pks, rows) -> dict:
    refused = {}
    for project_id, mine in _projects_of(pks, rows).items():
        sample = rows[mine[0]]
        if _holding_count(sample) < sample.project.quota:
            refused.update({pk: quota_full.explain(sample) for pk in mine})
    return refused
