"""Who may act on plans and projects (R2 scope, R15 levels): the `rules` predicates and the permissions
registered from them. The models attach the predicates to their transitions (backoffice.workflow.permission);
views ask `user.has_perm("projects.<verb>_<model>", obj)`, templates `{% has_perm %}`, services `.test()`."""
import rules

from backoffice.models import Role
from backoffice.permissions import can_write, has_role, in_region_of, is_superuser, owned_by
from backoffice.workflow import permission
from projects.calculations import OPEN_PLAN_STATES

# -- permissions (R2 scope, R15 levels) --------------------------------------------------------------------
@rules.predicate
def status_is_submitted(user, obj):
    return obj.status == "submitted"


@rules.predicate
def status_is_reviewed(user, obj):
    return obj.status == "reviewed"


@rules.predicate
def status_is_proposal(user, obj):
    return obj.status in OPEN_PLAN_STATES


is_province_staff = has_role(Role.PROVINCE_STAFF)
is_office_staff = has_role(Role.PROJECT_OFFICE_STAFF)
is_ministry_staff = has_role(Role.MINISTRY_STAFF)
is_institution_staff = has_role(Role.INSTITUTION_STAFF)
in_plan_province = in_region_of("province")
in_project_province = in_region_of("plan.province")
owns_project = owned_by("owner")
# R15: nobody approves their own organisation's proposal.
not_own_proposal = ~owned_by("owner")

# Plans: the province department drafts and submits; the ministry returns, approves and files (R15).
plan_can_edit = can_write & is_province_staff & in_plan_province
plan_can_submit = is_superuser | plan_can_edit
plan_can_decide = is_superuser | (is_ministry_staff & can_write)

# Projects: the owning office drafts and submits; the responsible project office reviews; the province
# department approves (never its own proposal); the ministry files with the plan.
project_can_edit = is_superuser | (can_write & owns_project)
project_can_submit = is_superuser | (can_write & owns_project)
project_can_review = is_superuser | (can_write & is_office_staff & owned_by("office"))
project_can_return = is_superuser | (status_is_submitted & project_can_review) | (
    status_is_reviewed & can_write & is_province_staff & in_project_province)
project_can_approve = is_superuser | (can_write & is_province_staff & in_project_province & not_own_proposal)
project_can_file = is_superuser | (can_write & is_ministry_staff)
# Fired by other apps' services (tendering, evaluation), never by a button.
project_can_manage = is_superuser | (can_write & (is_province_staff | is_office_staff) & in_project_province)
project_can_deliver = project_can_manage | (can_write & is_institution_staff & owned_by("institution"))
project_can_cancel = project_can_manage | (can_write & owns_project & status_is_proposal)
# Inspection visits (视导): province and project-office staff of the province.
project_can_inspect = project_can_manage


@rules.predicate
def in_same_province(user, plan):
    """City and county bureaus propose projects into their province's plan."""
    org = getattr(user, "organisation", None)
    region = getattr(org, "region", None)
    return bool(region is not None and plan is not None and plan.province.code[:2] == region.code[:2])


# Whose move a waiting project or plan is (the "waiting for me" queues): the role part of the permissions above.
reviews_projects = is_office_staff
approves_projects = is_province_staff
delivers_projects = is_institution_staff
drafts_plans = is_province_staff

plan_can_add_project = is_superuser | (can_write & (is_province_staff | is_office_staff |
                                                     has_role(Role.CITY_STAFF, Role.COUNTY_STAFF)) & in_same_province)

# The province department drafts projects on behalf of an owning office (R15); everyone else proposes their own.
chooses_owner = is_superuser | (can_write & is_province_staff)
plan_can_create = is_superuser | (can_write & is_province_staff)
plan_is_open = status_is_proposal

# Who reads plans and projects (the menu offers their lists to them; the lists are scoped by R2).
plan_reader = is_superuser | has_role(Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF,
                                      Role.CITY_STAFF, Role.COUNTY_STAFF, Role.FINANCE_OFFICER, Role.AUDITOR)
rules.add_perm("projects.view_plans", plan_reader)
rules.add_perm("projects.view_projects", plan_reader | has_role(Role.INSTITUTION_STAFF, Role.SCHOOL_ADMIN))
rules.add_perm("projects.inspect_project", project_can_inspect)
# Who has plans or projects that can wait for their move (the dashboard's queue panel).
rules.add_perm("projects.view_queue", is_superuser | has_role(
    Role.MINISTRY_STAFF, Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.CITY_STAFF, Role.COUNTY_STAFF,
    Role.INSTITUTION_STAFF))
rules.add_perm("projects.edit_project", project_can_edit)
rules.add_perm("projects.edit_plan", is_superuser | plan_can_edit)
rules.add_perm("projects.create_plan", plan_can_create)
rules.add_perm("projects.add_project", plan_can_add_project)
# The same, and the plan or project is open for changes now (what the pages offer).
rules.add_perm("projects.revise_plan", (is_superuser | plan_can_edit) & plan_is_open)
rules.add_perm("projects.extend_plan", plan_can_add_project & plan_is_open)
rules.add_perm("projects.revise_project", project_can_edit & status_is_proposal)
rules.add_perm("projects.record_inspection_project", project_can_inspect & rules.predicate(
    lambda user, project: project.status == "in_progress", name="status_is_in_progress"))
rules.add_perm("projects.choose_owner_project", chooses_owner)

P = permission  # short alias for the model declarations
