"""Transition conditions (pure functions of the row, each with a coded reason) and role/scope predicates."""
import rules
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.models import Role
from backoffice.permissions import can_write, has_role, in_region_of, owned_by
from backoffice.workflow import guard, permission

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
    "date": e.publicity_ends_on})
def publicity_over(enrolment) -> bool:
    # R32: nobody is enrolled before the publicity window ends.
    return enrolment.publicity_ends_on is not None and timezone.localdate() > enrolment.publicity_ends_on


@guard("project_started", _("The project has started; a withdrawal now counts as not completed (R36)."))
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


# -- who: role AND scope --------------------------------------------------------------------------------
_local_gov = has_role(Role.COUNTY_STAFF, Role.CITY_STAFF)
_province = has_role(Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF)
_school = has_role(Role.SCHOOL_ADMIN)
_institution = has_role(Role.INSTITUTION_STAFF)

dispatching_unit = permission(can_write & (
    (_local_gov & in_region_of("teacher.region")) | (_school & owned_by("teacher.school"))))
screening_office = permission(can_write & (_local_gov | _province) & in_region_of("teacher.region"))
institution_of_project = permission(can_write & _institution & owned_by("project.institution"))
province_of_project = permission(can_write & _province & in_region_of("project.plan.province"))
withdrawing_party = permission(can_write & (
    ((_local_gov | _province) & in_region_of("teacher.region")) | (_school & owned_by("teacher.school"))))

exemption_county = permission(can_write & _local_gov & in_region_of("enrolment.teacher.region"))
_exemption_province = can_write & has_role(Role.PROVINCE_STAFF) & in_region_of("enrolment.project.plan.province")
exemption_province = permission(_exemption_province)


@rules.predicate(name="county before recommendation, province after")
def _exemption_refuser(user, exemption) -> bool:
    # The county may decline to recommend; once recommended, only the province decides (R35).
    if exemption.status == "applied":
        return (can_write & _local_gov & in_region_of("enrolment.teacher.region")).test(user, exemption)
    return _exemption_province.test(user, exemption)


exemption_refuser = permission(_exemption_refuser)

# R41 谁主办谁审核: the project's organising office (or the province department) audits the hours.
credit_auditor = permission(can_write & (
    (has_role(Role.PROJECT_OFFICE_STAFF) & owned_by("enrolment.project.office"))
    | (has_role(Role.PROVINCE_STAFF) & in_region_of("enrolment.project.plan.province"))))
credit_registrar = permission(can_write & _institution & owned_by("enrolment.project.institution"))
certificate_withdrawer = permission(can_write & _province & in_region_of("enrolment.project.plan.province"))
