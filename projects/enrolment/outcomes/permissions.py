"""Who may act on completion schemes, learning records and outcomes (R46-R48, R41, R2): role AND scope."""
import rules

from backoffice.models import Role
from backoffice.permissions import (
                                          can_write,
                                          has_role,
                                          in_region_of,
                                          is_superuser,
                                          owned_by,
)
from backoffice.workflow import permission

_institution = has_role(Role.INSTITUTION_STAFF)
_office = has_role(Role.PROJECT_OFFICE_STAFF)
_province = has_role(Role.PROVINCE_STAFF)
_local_gov = has_role(Role.COUNTY_STAFF, Role.CITY_STAFF)

# -- scheme transitions (object: CompletionScheme) --
scheme_institution = permission(can_write & _institution & owned_by("project.institution"))
# R46: the project's office approves before the start; the province approves a change after it.
scheme_office = permission(can_write & _office & owned_by("project.office"))
scheme_province = permission(can_write & _province & in_region_of("project.plan.province"))
scheme_returner = permission(can_write & ((_office & owned_by("project.office"))
                                          | (_province & in_region_of("project.plan.province"))))

# -- outcome transitions (object: Outcome) --
# A superuser may take them too, as the pages that offer them in bulk allow (the crawl found the button refused).
outcome_institution = permission(is_superuser | (can_write & _institution & owned_by("enrolment.project.institution")))
# R41/R48 谁主办谁审核: the trainee's county (or city) audits its trainees' outcomes and hours.
outcome_county = permission(is_superuser | (can_write & _local_gov & in_region_of("enrolment.teacher.region")))

# -- pages and services (object: Project) --
scheme_editor = is_superuser | (can_write & _institution & owned_by("institution"))
records_uploader = is_superuser | (can_write & _institution & owned_by("institution"))
outcome_confirmer = is_superuser | (can_write & _institution & owned_by("institution"))
outcome_auditor = is_superuser | (can_write & _local_gov)

rules.add_perm("enrolment.edit_scheme", scheme_editor)
rules.add_perm("enrolment.ingest_records", records_uploader)
rules.add_perm("enrolment.confirm_outcomes", outcome_confirmer)
rules.add_perm("enrolment.audit_outcomes", outcome_auditor)
