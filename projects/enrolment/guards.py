"""Transition conditions: pure functions of the row, each with a coded reason (who may act: permissions.py)."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.workflow import guard

CONTRACTED = "contracted"
IN_PROGRESS = "in_progress"


def _holding_count(enrolment) -> int:
    from .models import PLACE_HOLDING, Enrolment

    return Enrolment.objects.filter(project_id=enrolment.project_id, status__in=PLACE_HOLDING).count()


@guard("project_not_open", _("The project is not open for applications (it must be contracted and not started)."))
def project_open(enrolment) -> bool:
    return enrolment.project.status == CONTRACTED and timezone.localdate() < enrolment.project.start_date


def _first_refusal(enrolment):
    from .eligibility import teacher_refusals

    found = teacher_refusals(enrolment.project, enrolment.teacher)
    return found[0] if found else None


@guard("ineligible", lambda e: (lambda r: r.message if r else "")(_first_refusal(e)))
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
    "date": e.publicity_ends_on})
def publicity_over(enrolment) -> bool:
    # R32: nobody is enrolled before the publicity window ends.
    return enrolment.publicity_ends_on is not None and timezone.localdate() > enrolment.publicity_ends_on


@guard("project_started", _("The project has started; a withdrawal now counts as not completed."))
def not_started(enrolment) -> bool:
    # R36
    project = enrolment.project
    return project.status == CONTRACTED and timezone.localdate() < project.start_date


@guard("project_not_started", _("The project has not started yet."))
def started(enrolment) -> bool:
    project = enrolment.project
    return project.status == IN_PROGRESS or (project.status == CONTRACTED and timezone.localdate() >= project.start_date)


@guard("hours_exceed_project", lambda c: _("Credited hours (%(hours)s) cannot exceed the project's %(max)s hours.") % {
    "hours": c.hours, "max": c.enrolment.project.hours})
def hours_within_project(credit) -> bool:
    # R40
    return credit.hours <= credit.enrolment.project.hours


@guard("not_completed", _("Only completed trainees are credited hours."))
def trainee_completed(credit) -> bool:
    # R40
    return credit.enrolment.status == "completed"
