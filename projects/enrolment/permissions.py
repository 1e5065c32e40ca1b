"""Who may act in enrolment (R2 scope, R32-R45 roles): the `rules` predicates the transitions use and the
`enrolment.*` permissions pages and services ask. Role AND scope, built from backoffice.permissions."""
import rules

from backoffice.models import Role
from backoffice.permissions import (
    can_write,
    has_role,
    in_region_of,
    is_superuser,
    owned_by,
)
from backoffice.scoping import scope_for
from backoffice.workflow import permission

_local_gov = has_role(Role.COUNTY_STAFF, Role.CITY_STAFF)
_province = has_role(Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF)
_school = has_role(Role.SCHOOL_ADMIN)
_institution = has_role(Role.INSTITUTION_STAFF)
_government = has_role(Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.CITY_STAFF,
                       Role.COUNTY_STAFF, Role.AUDITOR)


@rules.predicate
def teacher_in_scope(user, teacher) -> bool:
    return teacher is not None and scope_for(user).teachers().filter(pk=teacher.pk).exists()


@rules.predicate
def project_contracted(user, project) -> bool:
    return project is not None and project.status == "contracted"


@rules.predicate
def whole_staff_project(user, project) -> bool:
    return project is not None and project.category == "whole_staff"  # R49


@rules.predicate
def outcome_bans(user, enrolment) -> bool:
    return enrolment is not None and enrolment.status in ("no_show", "dismissed", "not_completed")  # R34


# -- transitions (attached on the models) -------------------------------------------------------------
dispatching_unit = permission(can_write & (
    (_local_gov & in_region_of("teacher.region")) | (_school & owned_by("teacher.school"))))
screening_office = permission(can_write & (_local_gov | _province) & in_region_of("teacher.region"))
institution_of_project = permission(can_write & _institution & owned_by("project.institution"))
province_of_project = permission(can_write & _province & in_region_of("project.plan.province"))
# R48: the trainee's county audits the outcome the institution confirmed (谁主办谁审核).
county_of_teacher = permission(can_write & _local_gov & in_region_of("teacher.region"))
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

# R41 谁主办谁审核: the project's organising office (or the province department) audits the hours; the office
# reads the hours of its own projects only.
audits_own_projects_hours = has_role(Role.PROJECT_OFFICE_STAFF)
credit_auditor = permission(can_write & (
    (audits_own_projects_hours & owned_by("enrolment.project.office"))
    | (has_role(Role.PROVINCE_STAFF) & in_region_of("enrolment.project.plan.province"))))
credit_registrar = permission(can_write & _institution & owned_by("enrolment.project.institution"))
certificate_withdrawer = permission(can_write & _province & in_region_of("enrolment.project.plan.province"))

# -- services and pages ------------------------------------------------------------------------------
readers = is_superuser | _government | _school | _institution
# R32: the teacher's school or county puts an application forward (applications, imports, exemptions).
dispatcher = is_superuser | (can_write & (_local_gov | _school))
dispatches_teacher = can_write & (_local_gov | _school) & teacher_in_scope
teacher_importer = is_superuser | (can_write & (_local_gov | _school | _province))
screener = is_superuser | (can_write & (_local_gov | _province))
selector_of_project = is_superuser | (can_write & _institution & owned_by("institution"))
publiciser = is_superuser | (can_write & _province & in_region_of("plan.province"))
# R43: the project's institution or the province issues its certificates.
certifier = is_superuser | (can_write & ((_institution & owned_by("institution"))
                                        | (_province & in_region_of("plan.province"))))

# R49: the county (or city) enrols all its teachers in a whole-staff project at once.
whole_staff_enroller = is_superuser | (can_write & _local_gov & whole_staff_project)

# Bulk moves on a trainee list: the role decides which buttons show; fire_many checks each row's scope and guards.
bulk_movers = {
    "recommend": is_superuser | (can_write & (_local_gov | _school)),
    "reject": screener,
    "select": is_superuser | (can_write & _institution),
    "reserve": is_superuser | (can_write & _institution),
    "withdraw": is_superuser | (can_write & (_local_gov | _province | _school)),
}
for _name, _predicate in bulk_movers.items():
    rules.add_perm(f"enrolment.bulk_{_name}_enrolment", _predicate)

rules.add_perm("enrolment.view_enrolment", readers)
rules.add_perm("enrolment.enrol_whole_staff", whole_staff_enroller)
# The provincial credit platform matches teachers by their full ID number; only the province department and its
# project offices, who send the file, get it unmasked (R30).
rules.add_perm("enrolment.export_full_id_numbers", is_superuser | _province)
rules.add_perm("enrolment.view_teacher", readers | has_role(Role.FINANCE_OFFICER))
rules.add_perm("enrolment.view_exemption", is_superuser | _government | _school)
rules.add_perm("enrolment.apply_enrolment", dispatcher)
rules.add_perm("enrolment.import_project", dispatcher & project_contracted)
rules.add_perm("enrolment.import_teacher", teacher_importer)
# A school's administrator imports the teachers of their own school only.
rules.add_perm("enrolment.import_other_schools", ~_school)
# What waits for whom on the dashboard's enrolment panel (the role's step in R32, R41).
rules.add_perm("enrolment.work_recommend", _local_gov | _school)
rules.add_perm("enrolment.work_select", _institution)
rules.add_perm("enrolment.work_publicise", has_role(Role.PROVINCE_STAFF))
rules.add_perm("enrolment.work_audit_hours", has_role(Role.PROJECT_OFFICE_STAFF))
rules.add_perm("enrolment.screen_project", screener)
rules.add_perm("enrolment.select_project", selector_of_project)
rules.add_perm("enrolment.publicise_project", publiciser)
rules.add_perm("enrolment.certify_project", certifier)
rules.add_perm("enrolment.exempt_enrolment", dispatcher & outcome_bans)
